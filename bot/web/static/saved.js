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
    var cancel = el("button", { "type": "button", "class": "button button-secondary" }, "Cancel");
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
    showForm("Save for later", [{ name: "pin", label: "Choose a PIN of 4 to 8 numbers", numeric: true }],
      "Save my answers", function (values, status) {
        call("POST", "/api/assessments/" + window.SteerChat.senderId() + "/save", { pin: values.pin })
          .then(function (res) {
            if (!res.ok) { status.textContent = res.data.error || "Sorry, that did not work."; return; }
            clearPanel();
            var note = el("div", { "class": "saved-code", "role": "status" });
            note.appendChild(el("p", {}, "Your answers are saved. Your code is:"));
            note.appendChild(el("p", { "class": "code" }, res.data.code));
            note.appendChild(el("p", {}, "Write it down. You need the code and your PIN to come back. " +
              "Your answers are kept for " + res.data.days + " days."));
            panel.appendChild(note);
            panel.hidden = false;
            note.setAttribute("tabindex", "-1");
            note.focus();
          });
      });
  }

  function askResume() {
    showForm("Continue saved answers", [{ name: "code", label: "Your code, like KX7M-4PQR" },
                                       { name: "pin", label: "Your PIN", numeric: true }],
      "Continue", function (values, status) {
        call("POST", "/api/resume", { code: values.code, pin: values.pin, sender_id: window.SteerChat.senderId() })
          .then(function (res) {
            if (!res.ok) { status.textContent = res.data.error || "Sorry, that did not work."; return; }
            clearPanel();
            window.SteerChat.render(res.data.messages || []);
          });
      });
  }

  function askDelete() {
    showForm("Delete saved answers", [{ name: "code", label: "Your code" },
                                     { name: "pin", label: "Your PIN", numeric: true }],
      "Delete them now", function (values, status) {
        call("DELETE", "/api/saved/" + encodeURIComponent(values.code), { pin: values.pin })
          .then(function (res) {
            status.textContent = res.ok ? "Your saved answers are deleted." : (res.data.error || "Sorry, that did not work.");
          });
      });
  }

  function showLinks(links) {
    clearPanel();
    var box = el("div", { "class": "summary-links" });
    box.appendChild(el("h2", {}, "Your summary"));
    [["See and print your summary", links.html], ["Download it as a PDF", links.pdf],
     ["Download the data for the council", links.json]].forEach(function (pair) {
      if (pair[1]) {
        var a = el("a", { "href": pair[1], "class": "button", "target": "_blank", "rel": "noopener" }, pair[0]);
        box.appendChild(a);
      }
    });
    panel.appendChild(box);
    panel.hidden = false;
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
          showLinks(custom);
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
