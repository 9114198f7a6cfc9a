// After htmx swaps in a revealed value, move focus to it: the button that was pressed is
// gone, and a screen-reader user must hear what appeared.
document.addEventListener("htmx:afterSettle", function () {
  var el = document.querySelector("[data-focus-on-swap]");
  if (el) {
    el.removeAttribute("data-focus-on-swap");
    el.focus();
  }
});
