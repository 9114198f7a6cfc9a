// After htmx swaps in a revealed value, move focus to it: the button that was pressed is
// gone, and a screen-reader user must hear what appeared.
document.addEventListener("htmx:afterSettle", function () {
  var el = document.querySelector("[data-focus-on-swap]");
  if (el) {
    el.removeAttribute("data-focus-on-swap");
    el.focus();
  }
});

// A form marked data-swap-errors shows the 400 it gets back (a missing reason for a reveal:
// the message and the reasons again) instead of htmx's default of leaving the page as it is.
document.addEventListener("htmx:beforeSwap", function (evt) {
  // detail.elt is the swap target; the form that asked is requestConfig.elt.
  var elt = evt.detail.requestConfig && evt.detail.requestConfig.elt;
  if (evt.detail.xhr.status === 400 && elt && elt.closest && elt.closest("[data-swap-errors]")) {
    evt.detail.shouldSwap = true;
    evt.detail.isError = false;
  }
});

// Print buttons (a care list): shown only where a script can print; the page's print
// stylesheet leaves out the menus and controls.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () {
      window.print();
    });
  });
});

// "左右滑动查看更多" only where the box it names is wider than the screen.
function updateScrollHints() {
  document.querySelectorAll("[data-scroll-hint]").forEach(function (hint) {
    var box = document.getElementById(hint.getAttribute("data-scroll-hint"));
    hint.hidden = !box || box.scrollWidth <= box.clientWidth + 1;
  });
}
document.addEventListener("DOMContentLoaded", updateScrollHints);
window.addEventListener("resize", updateScrollHints);
