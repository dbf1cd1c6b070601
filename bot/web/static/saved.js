/* Save for later, come back with a code, delete saved answers, and the summary links.
   The PIN is sent only to the front door, never into the chat. Text goes in with textContent. */
(function () {
  "use strict";

  var panel;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text) { node.textContent = text; }
    return node;
  }

  function headers() {
    var h = { "Content-Type": "application/json", "Accept": "application/json" };
    var meta = document.querySelector('meta[name="csrf-token"]');
    if (meta) { h["X-CSRF-Token"] = meta.getAttribute("content"); }
    return h;
  }

  function call(method, url, body) {
    if (window.SteerChat && window.SteerChat.request) {
      return window.SteerChat.request(method, url, body);  // with the page's CSRF token, renewed if old
    }
    return window.fetch(url, { method: method, headers: headers(), body: JSON.stringify(body),
                                credentials: "same-origin" })
      .then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) { return { ok: r.ok, data: data }; });
      });
  }

  // The page's words (bot/web/wording.py), handed to the page and read by chat.js.
  function word(name, fields) {
    return window.SteerChat && window.SteerChat.word ? window.SteerChat.word(name, fields) : "";
  }

  function failed(res) {
    return (res.data && res.data.error) || word("SAVED_FAILED");
  }

  function clearPanel() {
    while (panel.firstChild) { panel.removeChild(panel.firstChild); }
    panel.hidden = true;
  }

  // A small form in the panel: fields [{name, label, numeric}], then the action on submit.
  function showForm(title, fields, button, onSubmit) {
    clearPanel();
    var form = el("form", { "class": "saved-form" });
    form.appendChild(el("h2", { "id": "saved-title" }, title));
    form.setAttribute("aria-labelledby", "saved-title");
    fields.forEach(function (f) {
      var id = "saved-" + f.name;
      form.appendChild(el("label", { "for": id }, f.label));
      var input = el("input", { "id": id, "name": f.name, "autocomplete": "off",
                                "type": f.numeric ? "password" : "text" });
      if (f.numeric) { input.setAttribute("inputmode", "numeric"); }
      form.appendChild(input);
    });
    var status = el("p", { "class": "saved-status", "role": "status" });
    form.appendChild(el("button", { "type": "submit", "class": "button" }, button));
    var cancel = el("button", { "type": "button", "class": "button button-secondary" }, word("CANCEL"));
    cancel.addEventListener("click", clearPanel);
    form.appendChild(cancel);
    form.appendChild(status);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var values = {};
      fields.forEach(function (f) { values[f.name] = form.elements[f.name].value.trim(); });
      onSubmit(values, status);
    });
    panel.appendChild(form);
    panel.hidden = false;
    form.querySelector("input").focus();
  }

  function askPin() {
    showForm(word("SAVE_HEADING"), [{ name: "pin", label: word("PIN_CHOOSE"), numeric: true }],
      word("SAVE_BUTTON"), function (values, status) {
        call("POST", "/api/assessments/" + encodeURIComponent(window.SteerChat.senderId()) + "/save",
             { pin: values.pin })
          .then(function (res) {
            if (!res.ok) { status.textContent = failed(res); return; }
            clearPanel();
            var note = el("div", { "class": "saved-code", "role": "status" });
            note.appendChild(el("p", {}, word("SAVED_CODE")));
            note.appendChild(el("p", { "class": "code" }, res.data.code));
            note.appendChild(el("p", {}, word("SAVED_WRITE_DOWN") + " " + word("SAVED_KEPT", { days: res.data.days })));
            panel.appendChild(note);
            panel.hidden = false;
            note.setAttribute("tabindex", "-1");
            note.focus();
          });
      });
  }

  function askResume() {
    showForm(word("RESUME_SAVED"), [{ name: "code", label: word("CODE_LABEL_EXAMPLE") },
                                    { name: "pin", label: word("PIN_LABEL"), numeric: true }],
      word("CONTINUE"), function (values, status) { resumeWith(values, status, false); });
  }

  // Answers already given here are only replaced after a yes (the server asks: 409, confirm).
  function resumeWith(values, status, replace) {
    call("POST", "/api/resume", { code: values.code, pin: values.pin, sender_id: window.SteerChat.senderId(),
                                  replace: replace })
      .then(function (res) {
        if (!res.ok && res.data && res.data.confirm === "replace") {
          status.textContent = res.data.error;
          var yes = el("button", { "type": "button", "class": "button" }, word("REPLACE_THEM"));
          yes.addEventListener("click", function () { resumeWith(values, status, true); });
          status.parentNode.insertBefore(yes, status.nextSibling);
          yes.focus();
          return;
        }
        if (!res.ok) { status.textContent = failed(res); return; }
        clearPanel();
        window.SteerChat.render(res.data.messages || []);
      });
  }

  function askDelete() {
    showForm(word("DELETE_SAVED"), [{ name: "code", label: word("CODE_LABEL") },
                                    { name: "pin", label: word("PIN_LABEL"), numeric: true }],
      word("DELETE_NOW"), function (values, status) {
        call("DELETE", "/api/saved/" + encodeURIComponent(values.code), { pin: values.pin })
          .then(function (res) {
            status.textContent = res.ok ? word("SAVED_DELETED") : failed(res);
          });
      });
  }

  // A new tab cannot send the conversation's token, so the links are ones that work for a few
  // minutes (never the bare id, which would stay in a shared PC's history). They are renewed while
  // shown, so a link pressed later still opens.
  var renewTimer = null;

  function fetchLinks() {
    var url = "/api/assessments/" + encodeURIComponent(window.SteerChat.senderId()) + "/links";
    return call("POST", url).then(function (res) { return res.ok ? res.data : null; });
  }

  function showLinks() {
    fetchLinks().then(function (links) {
      if (!links) { return; }
      clearPanel();
      var box = el("div", { "class": "summary-links" });
      box.appendChild(el("h2", {}, word("SUMMARY_HEADING")));
      [[word("SUMMARY_PAGE"), "html"], [word("SUMMARY_PDF"), "pdf"], [word("SUMMARY_DATA"), "json"]]
        .forEach(function (pair) {
          if (links[pair[1]]) {
            var a = el("a", { "href": links[pair[1]], "class": "button", "target": "_blank", "rel": "noopener",
                              "data-document": pair[1] }, pair[0]);
            box.appendChild(a);
          }
        });
      panel.appendChild(box);
      panel.hidden = false;
      window.clearInterval(renewTimer);
      var every = Math.max(30, (Number(links.expires_in) || 600) / 2) * 1000;
      renewTimer = window.setInterval(function () {
        if (!document.body.contains(box)) { window.clearInterval(renewTimer); return; }
        fetchLinks().then(function (fresh) {
          if (!fresh) { return; }
          Array.prototype.forEach.call(box.querySelectorAll("a[data-document]"), function (a) {
            var href = fresh[a.getAttribute("data-document")];
            if (href) { a.setAttribute("href", href); }
          });
        });
      }, every);
    });
  }

  function start() {
    panel = document.getElementById("saved-panel");
    if (!panel || !window.SteerChat) { return; }
    var resume = document.getElementById("resume-saved");
    var remove = document.getElementById("delete-saved");
    if (resume) { resume.addEventListener("click", askResume); }
    if (remove) { remove.addEventListener("click", askDelete); }
    document.addEventListener("steer:messages", function (event) {
      (event.detail || []).forEach(function (m) {
        var custom = m && m.custom;
        if (custom && custom.type === "save_for_later") { askPin(); }
        // The kiosk prints from its own button (kiosk.js): no new windows on a shared screen.
        if (custom && custom.type === "summary" && !document.body.classList.contains("mode-kiosk")) {
          showLinks();
        }
        if (custom && custom.type === "delete_saved") { askDelete(); }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
