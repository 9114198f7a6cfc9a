// The visitor's phone page: the assignment by building, a visit outcome per household and
// the questionnaire, recorded without signal. Each record gets an id made here; records
// wait in IndexedDB and are sent to the sync API when the network is back. The server
// recognises a record it already has by that id, so sending twice changes nothing.
(function () {
  "use strict";

  var root = document.getElementById("survey-phone");
  if (!root) return;
  var CACHE = "gongzhi-surveys-v1";
  var data = JSON.parse(document.getElementById("assignment-data").textContent);
  var words = {};
  document.getElementById("i18n").content.querySelectorAll("[data-key]").forEach(function (el) {
    words[el.getAttribute("data-key")] = el.textContent;
  });
  function t(key, n) {
    return (words[key] || key).replace("%(n)s", n === undefined ? "" : n);
  }
  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }
  var counter = 0;
  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    counter += 1;
    return Date.now().toString(36) + "-" + counter + "-" + Math.random().toString(36).slice(2);
  }

  // --- IndexedDB ---------------------------------------------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var open = indexedDB.open("gongzhi-surveys", 1);
    open.onupgradeneeded = function () {
      open.result.createObjectStore("records", { keyPath: "client_id" });
    };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });
  function tx(mode, work) {
    return dbPromise.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction("records", mode);
        var result = work(transaction.objectStore("records"));
        transaction.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        transaction.onerror = function () { reject(transaction.error); };
      });
    });
  }
  function allRecords() {
    return tx("readonly", function (store) { return store.getAll(); }).then(function (rows) {
      return rows.filter(function (r) { return r.campaign_id === data.campaign.id; })
        .sort(function (a, b) { return a.seq - b.seq; });
    });
  }
  function putRecords(rows) {
    return tx("readwrite", function (store) { rows.forEach(function (r) { store.put(r); }); });
  }

  // --- the list --------------------------------------------------------------------------
  var list = document.getElementById("household-list");
  var listView = document.getElementById("list-view");
  var visitView = document.getElementById("visit-view");
  var form = document.getElementById("answer-form");
  var current = null;
  var local = {};

  function localState(rows) {
    local = {};
    rows.forEach(function (r) {
      var s = local[r.household_id] || (local[r.household_id] = {});
      if (r.type === "visit" && r.outcome !== "not_home") s.reached = true;
      if (r.type === "response") s.answered = true;
      if (r.state !== "synced") s.waiting = true;
    });
  }

  function stateOf(h) {
    var s = local[h.id] || {};
    var label = h.valid || s.answered ? t("answered") : h.reached || s.reached ? t("done") : t("todo");
    if (s.waiting) label += " · " + t("waiting");
    return { label: label, todo: !(h.valid || s.answered || h.reached || s.reached) };
  }

  function renderList() {
    list.textContent = "";
    var groups = {};
    var order = [];
    data.households.forEach(function (h) {
      if (!groups[h.building]) { groups[h.building] = []; order.push(h.building); }
      groups[h.building].push(h);
    });
    order.forEach(function (building) {
      var section = document.createElement("section");
      section.className = "building-group";
      var h3 = document.createElement("h3");
      h3.textContent = building;
      section.appendChild(h3);
      groups[building].forEach(function (h) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "household-btn";
        button.setAttribute("data-household", h.id);
        var name = document.createElement("span");
        name.textContent = h.address;
        var state = document.createElement("span");
        var st = stateOf(h);
        state.className = "state" + (st.todo ? " todo" : "");
        state.textContent = st.label;
        button.appendChild(name);
        button.appendChild(state);
        button.addEventListener("click", function () { openHousehold(h); });
        section.appendChild(button);
      });
      list.appendChild(section);
    });
  }

  function refresh() {
    return allRecords().then(function (rows) {
      localState(rows);
      var pending = rows.filter(function (r) { return r.state !== "synced"; });
      document.getElementById("pending-count").textContent = String(
        pending.filter(function (r) { return r.state === "pending"; }).length
      );
      var failed = pending.filter(function (r) { return r.state === "error"; });
      var message = document.getElementById("sync-message");
      message.textContent = "";
      if (failed.length) {
        var p = document.createElement("p");
        p.className = "error";
        p.textContent = t("failed", failed.length);
        message.appendChild(p);
        var ul = document.createElement("ul");
        failed.forEach(function (r) {
          var li = document.createElement("li");
          li.textContent = r.address + "：" + r.error;
          ul.appendChild(li);
        });
        message.appendChild(ul);
      }
      renderList();
    });
  }

  // --- one household -------------------------------------------------------------------
  function openHousehold(h) {
    current = h;
    listView.hidden = true;
    visitView.hidden = false;
    form.hidden = true;
    var heading = document.getElementById("visit-h");
    heading.textContent = h.address;
    var buttons = document.getElementById("outcome-buttons");
    buttons.textContent = "";
    data.outcomes.forEach(function (o) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "btn btn-block";
      b.textContent = o.label;
      b.addEventListener("click", function () { chooseOutcome(o.value); });
      buttons.appendChild(b);
    });
    heading.focus();
  }

  function backToList(message) {
    visitView.hidden = true;
    listView.hidden = false;
    current = null;
    refresh().then(function () {
      if (message) document.getElementById("sync-message").insertAdjacentText("afterbegin", message);
    });
  }

  function record(fields) {
    counter += 1;
    return Object.assign(
      { client_id: newId(), campaign_id: data.campaign.id, household_id: current.id,
        address: current.address, state: "pending", error: "", seq: Date.now() * 1000 + (counter % 1000) },
      fields
    );
  }

  function chooseOutcome(outcome) {
    if (outcome === "answered") {
      showForm();
      return;
    }
    var visit = record({ type: "visit", outcome: outcome, visited_at: new Date().toISOString(), note: "" });
    putRecords([visit]).then(function () { backToList(t("saved")); trySync(); });
  }

  function showForm() {
    form.hidden = false;
    form.reset();
    document.getElementById("form-error").textContent = "";
    var select = document.getElementById("respondent");
    select.textContent = "";
    var blank = document.createElement("option");
    blank.value = "";
    blank.textContent = t("choose");
    select.appendChild(blank);
    current.members.forEach(function (m) {
      var o = document.createElement("option");
      o.value = String(m.id);
      o.textContent = m.label;
      select.appendChild(o);
    });
    var box = document.getElementById("questions");
    box.textContent = "";
    data.questions.forEach(function (q) { box.appendChild(questionField(q)); });
    applyShowIf();
    select.focus();
  }

  function questionField(q) {
    var fs = document.createElement("fieldset");
    fs.className = "question";
    fs.setAttribute("data-key", q.key);
    var legend = document.createElement("legend");
    legend.textContent = q.position + ". " + q.text + (q.required ? " " + t("required_mark") : "");
    fs.appendChild(legend);
    var id = "q-" + q.key;
    function choice(type, value, label) {
      var l = document.createElement("label");
      l.className = "choice";
      var input = document.createElement("input");
      input.type = type;
      input.name = q.key;
      input.value = value;
      input.addEventListener("change", applyShowIf);
      l.appendChild(input);
      l.appendChild(document.createTextNode(" " + label));
      fs.appendChild(l);
    }
    if (q.kind === "single") q.choices.forEach(function (c) { choice("radio", c, c); });
    else if (q.kind === "multiple") q.choices.forEach(function (c) { choice("checkbox", c, c); });
    else if (q.kind === "yes_no") { choice("radio", "yes", t("yes")); choice("radio", "no", t("no")); }
    else {
      var label = document.createElement("label");
      label.className = "visually-hidden";
      label.setAttribute("for", id);
      label.textContent = q.text;
      var input;
      if (q.kind === "text") {
        input = document.createElement("textarea");
        input.rows = 3;
        input.maxLength = 500;
      } else {
        input = document.createElement("input");
        input.type = q.kind === "number" ? "number" : "file";
        if (q.kind === "photo") input.accept = "image/jpeg,image/png,image/webp";
      }
      input.id = id;
      input.name = q.key;
      fs.appendChild(label);
      fs.appendChild(input);
    }
    return fs;
  }

  function valueOf(q) {
    var inputs = form.querySelectorAll('[name="' + q.key + '"]');
    if (q.kind === "single") {
      var picked = Array.prototype.find.call(inputs, function (i) { return i.checked; });
      return picked ? picked.value : null;
    }
    if (q.kind === "multiple") {
      return Array.prototype.filter.call(inputs, function (i) { return i.checked; }).map(function (i) { return i.value; });
    }
    if (q.kind === "yes_no") {
      var yn = Array.prototype.find.call(inputs, function (i) { return i.checked; });
      return yn ? yn.value === "yes" : null;
    }
    if (q.kind === "number") return inputs[0].value === "" ? null : Number(inputs[0].value);
    if (q.kind === "text") return inputs[0].value.trim();
    return null;
  }

  function shown(q, answers) {
    if (!q.show_if_key) return true;
    var given = answers[q.show_if_key];
    given = Array.isArray(given) ? given : [given];
    return given.some(function (v) { return q.show_if_values.indexOf(String(v)) !== -1; });
  }

  function currentAnswers() {
    var answers = {};
    data.questions.forEach(function (q) { answers[q.key] = valueOf(q); });
    return answers;
  }

  function applyShowIf() {
    var answers = currentAnswers();
    data.questions.forEach(function (q) {
      form.querySelector('fieldset[data-key="' + q.key + '"]').hidden = !shown(q, answers);
    });
  }

  function readPhoto(q) {
    var input = form.querySelector('[name="' + q.key + '"]');
    var file = input && input.files && input.files[0];
    if (!file) return Promise.resolve(null);
    return new Promise(function (resolve) {
      var reader = new FileReader();
      reader.onload = function () { resolve(reader.result); };
      reader.readAsDataURL(file);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var error = document.getElementById("form-error");
    var respondent = document.getElementById("respondent").value;
    if (!respondent) { error.textContent = t("pick_respondent"); return; }
    var answers = currentAnswers();
    var out = {};
    var photoQ = null;
    for (var i = 0; i < data.questions.length; i += 1) {
      var q = data.questions[i];
      if (!shown(q, answers)) continue;
      if (q.kind === "photo") {
        photoQ = q;
        var input = form.querySelector('[name="' + q.key + '"]');
        if (q.required && !(input.files && input.files[0])) { error.textContent = t("required", q.position); return; }
        continue;
      }
      var v = answers[q.key];
      var empty = v === null || v === "" || (Array.isArray(v) && v.length === 0);
      if (empty && q.required) { error.textContent = t("required", q.position); return; }
      if (!empty) out[q.key] = v;
    }
    (photoQ ? readPhoto(photoQ) : Promise.resolve(null)).then(function (photo) {
      var now = new Date().toISOString();
      var visit = record({ type: "visit", outcome: "answered", visited_at: now, note: "" });
      var response = record({
        type: "response", version_id: data.version_id, answers: out,
        respondent_id: Number(respondent), consent: document.getElementById("consent").checked,
        answered_at: now, visit_client_id: visit.client_id, seq: visit.seq + 1,
      });
      if (photo) response.photo = photo;
      return putRecords([visit, response]);
    }).then(function () { backToList(t("saved")); trySync(); });
  });

  document.getElementById("back").addEventListener("click", function () { backToList(""); });

  // --- sync ------------------------------------------------------------------------------
  var syncing = false;
  function trySync() {
    if (syncing || !navigator.onLine) return Promise.resolve();
    syncing = true;
    return allRecords().then(function (rows) {
      var pending = rows.filter(function (r) { return r.state === "pending"; }).slice(0, 500);
      if (!pending.length) return null;
      var body = pending.map(function (r) {
        var copy = Object.assign({}, r);
        delete copy.state; delete copy.error; delete copy.seq; delete copy.address;
        return copy;
      });
      return fetch(root.getAttribute("data-sync-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
        body: JSON.stringify({ records: body }),
      }).then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      }).then(function (answer) {
        var byId = {};
        answer.results.forEach(function (r) { byId[r.client_id] = r; });
        pending.forEach(function (r) {
          var result = byId[r.client_id];
          if (!result) return;
          if (result.status === "error") { r.state = "error"; r.error = result.error; }
          else { r.state = "synced"; r.error = ""; }
        });
        return putRecords(pending).then(function () { return answer.ok + answer.replayed; });
      });
    }).then(function (n) {
      syncing = false;
      return refresh().then(function () {
        if (n) document.getElementById("sync-message").insertAdjacentText("afterbegin", t("synced", n));
      });
    }).catch(function () {
      syncing = false;
      document.getElementById("sync-message").textContent = t("sync_error");
    });
  }
  document.getElementById("sync-now").addEventListener("click", trySync);

  function showNet() {
    document.getElementById("net-state").textContent = navigator.onLine ? t("online") : t("offline");
  }
  window.addEventListener("online", function () { showNet(); trySync(); });
  window.addEventListener("offline", showNet);
  showNet();

  // --- offline shell -----------------------------------------------------------------
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker.register(root.getAttribute("data-sw-url"), { scope: root.getAttribute("data-sw-scope") })
      .then(function () { return navigator.serviceWorker.ready; })
      .then(function () {
        if (!navigator.onLine) return null;
        var urls = [location.pathname];
        document.querySelectorAll('link[rel="stylesheet"], link[rel="icon"]').forEach(function (l) { urls.push(l.getAttribute("href")); });
        document.querySelectorAll("script[src]").forEach(function (s) { urls.push(s.getAttribute("src")); });
        return caches.open(CACHE).then(function (cache) { return cache.addAll(urls); });
      })
      .then(function () { root.setAttribute("data-offline-ready", "1"); })
      .catch(function () { root.setAttribute("data-offline-ready", "0"); });
  }

  refresh().then(trySync);
})();
