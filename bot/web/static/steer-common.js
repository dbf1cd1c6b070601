/* Helpers every page script shares (chat.js, kiosk.js), written once. Loaded before them in the page.

   window.SteerCommon:
     has(object, key)          object is an object and holds key itself
     readConfig()              the page's settings, from <div id="steer-config" data-config='{...}'>
                               (bot/web/pages.py); null when the page has none or it cannot be read
     word(words, name, fields) the words called `name` (from the settings' `words`), with each {field}
                               filled in; "" when the page was not given them */
(function () {
  "use strict";

  function has(object, key) {
    return object !== null && typeof object === "object" && Object.prototype.hasOwnProperty.call(object, key);
  }

  function readConfig() {
    var holder = document.getElementById("steer-config");
    if (!holder) {
      return null;
    }
    try {
      var parsed = JSON.parse(holder.getAttribute("data-config") || "{}");
      return parsed && typeof parsed === "object" ? parsed : null;
    } catch (e) {
      return null;
    }
  }

  function word(words, name, fields) {
    var text = has(words, name) ? String(words[name]) : "";
    Object.keys(fields || {}).forEach(function (key) {
      text = text.split("{" + key + "}").join(String(fields[key]));
    });
    return text;
  }

  window.SteerCommon = { has: has, readConfig: readConfig, word: word };
}());
