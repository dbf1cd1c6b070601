/* Steer's kiosk: one shared screen at a drop-in session. Nothing of a person is kept in the browser.

   - Start: the welcome screen gives way to the conversation.
   - After idleSeconds with no touch, click or key, a warning: "I need more time" (one tap) or, after
     warningSeconds (20 at least), the wipe.
   - The wipe (also "Finish and clear"): first every request on its way (a chat turn, a spoken answer,
     save, resume) lands, then DELETE /api/assessments/<sender_id> removes the conversation from Rasa's
     tracker store, the page's storage is emptied, and the page starts again at the welcome. Leaving the
     page (pagehide) sends the delete at once with fetch keepalive: it cannot wait, and the server makes
     sure a turn still on its way writes nothing back.
   - "Print my answers" once a budget or summary is ready: the summary page prints from a hidden frame.
   Text goes in with textContent only. Uses window.SteerChat (chat.js) and window.SteerCommon (steer-common.js). */
(function () {
  "use strict";

  var config = { idleSeconds: 120, warningSeconds: 30, words: {} };
  var welcome, chatArea, startButton, finishButton, printButton, dialog, countdown, announce, moreTime, clearNow;
  var clearing;
  var idleTimer = null;
  var tickTimer = null;
  var secondsLeft = 0;
  var wiping = false;
  var deleteSent = false;  // from then on nothing else of this conversation may start
  var deleted = false;
  var started = false;
  var focusBeforeWarning = null;

  /* --- Requests on their way: chat.js, voice.js and saved.js all go through window.fetch -------- */

  var pending = [];

  // The wipe's own requests: the delete, and a fresh CSRF token should the page's have run out.
  function isTheWipe(input, init) {
    var url = String(typeof input === "string" ? input : (input && input.url) || "");
    var method = String((init && init.method) || "GET").toUpperCase();
    return (method === "DELETE" && url.indexOf("/api/assessments/") !== -1) || url.indexOf("/api/csrf-token") !== -1;
  }

  (function countRequests() {
    var realFetch = window.fetch;
    if (typeof realFetch !== "function") {
      return;
    }
    window.fetch = function (input, init) {
      if (isTheWipe(input, init)) {
        return realFetch.apply(window, arguments);  // the wipe does not wait for itself
      }
      if (deleteSent) {
        // The conversation is being deleted: a new turn would only be refused by the front door.
        return Promise.reject(new Error("cleared"));
      }
      var request = realFetch.apply(window, arguments);
      var landed = request.then(function () {}, function () {});
      pending.push(landed);
      landed.then(function () {
        pending.splice(pending.indexOf(landed), 1);
      });
      return request;
    };
  }());

  function word(name, fields) {
    return window.SteerCommon.word(config.words, name, fields);  // steer-common.js
  }

  function readConfig() {
    config = window.SteerCommon.readConfig() || config;  // else the defaults above
    config.idleSeconds = Math.max(Number(config.idleSeconds) || 120, 10);
    config.warningSeconds = Math.max(Number(config.warningSeconds) || 30, 20);
  }

  /* --- Idle: warning, more time, wipe -------------------------------------------------- */

  function stopTimers() {
    window.clearTimeout(idleTimer);
    window.clearInterval(tickTimer);
    idleTimer = null;
    tickTimer = null;
  }

  function restartIdle() {
    if (!started || wiping || (dialog && dialog.open)) {
      return;
    }
    window.clearTimeout(idleTimer);
    idleTimer = window.setTimeout(warn, config.idleSeconds * 1000);
  }

  function showCountdown() {
    countdown.textContent = word("IDLE_COUNTDOWN", { n: secondsLeft });
  }

  function warn() {
    if (wiping) {
      return;
    }
    focusBeforeWarning = document.activeElement;
    // From the clock, not by counting ticks: a sleeping screen may slow timers down.
    var deadline = Date.now() + config.warningSeconds * 1000;
    secondsLeft = Math.round(config.warningSeconds);
    showCountdown();
    announce.textContent = "";
    if (typeof dialog.showModal === "function") {
      dialog.showModal();
    } else {
      dialog.setAttribute("open", "");
    }
    moreTime.focus();
    tickTimer = window.setInterval(function () {
      var before = secondsLeft;
      secondsLeft = Math.ceil((deadline - Date.now()) / 1000);
      if (secondsLeft <= 0) {
        wipe();
        return;
      }
      showCountdown();
      if (before > 10 && secondsLeft <= 10) {
        announce.textContent = countdown.textContent;  // said once, not every second
      }
    }, 1000);
  }

  function closeWarning() {
    window.clearInterval(tickTimer);
    tickTimer = null;
    if (dialog.open) {
      if (typeof dialog.close === "function") {
        dialog.close();
      } else {
        dialog.removeAttribute("open");
      }
    }
  }

  function giveMoreTime() {
    closeWarning();
    restartIdle();
    var back = focusBeforeWarning;
    if (back && document.body.contains(back) && typeof back.focus === "function") {
      back.focus();
    }
  }

  function untilQuiet(timeoutMs) {
    // Every request on its way lands first (the server refuses to write a deleted conversation back
    // anyway). The limit is past the front door's 30 s for a call to Rasa, so it only stops a hang.
    return new Promise(function (resolve) {
      var timer = window.setTimeout(resolve, timeoutMs);
      function check() {
        if (pending.length) {
          Promise.all(pending).then(check);  // and any that started meanwhile
        } else if (window.SteerChat && window.SteerChat.isBusy()) {
          window.setTimeout(check, 100);  // between a stale token's refusal and the retry
        } else {
          window.clearTimeout(timer);
          resolve();
        }
      }
      check();
    });
  }

  function deleteOnServer() {
    var chat = window.SteerChat;
    if (!chat || !chat.isStarted() || !chat.senderId()) {
      return Promise.resolve(true);  // the front door never issued a conversation: nothing to clear
    }
    var url = "/api/assessments/" + encodeURIComponent(chat.senderId());
    function attempt(triesLeft) {
      return chat.request("DELETE", url).then(function (res) {
        return res.ok;
      }, function () {
        return false;
      }).then(function (ok) {
        return ok || triesLeft <= 1 ? ok : attempt(triesLeft - 1);
      });
    }
    return attempt(3);
  }

  function clearBrowser() {
    [window.sessionStorage, window.localStorage].forEach(function (storage) {
      try {
        storage.clear();
      } catch (e) {
        /* not available: nothing is in it */
      }
    });
    document.cookie.split(";").forEach(function (cookie) {
      var name = cookie.split("=")[0].trim();
      if (name) {
        document.cookie = name + "=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/";
      }
    });
    var waits = [];
    if (window.indexedDB && typeof window.indexedDB.databases === "function") {
      waits.push(window.indexedDB.databases().then(function (list) {
        list.forEach(function (db) {
          if (db && db.name) {
            window.indexedDB.deleteDatabase(db.name);
          }
        });
      }).catch(function () {}));
    }
    if (window.caches && typeof window.caches.keys === "function") {
      waits.push(window.caches.keys().then(function (keys) {
        return Promise.all(keys.map(function (k) { return window.caches.delete(k); }));
      }).catch(function () {}));
    }
    return Promise.all(waits);
  }

  function wipe() {
    if (wiping) {
      return;
    }
    wiping = true;
    stopTimers();
    closeWarning();
    clearing.textContent = word("CLEARING");
    document.body.classList.add("is-clearing");
    untilQuiet(45000).then(function () {
      deleteSent = true;
      return deleteOnServer();
    }).then(function (ok) {
      deleted = ok;
    }).then(clearBrowser).then(function () {
      // A new page: the transcript, the options and the conversation's id go with the old one.
      window.location.replace("/kiosk?" + (deleted ? "cleared=1" : "cleared=failed"));
    });
  }

  /* --- Start, print, welcome ---------------------------------------------------------- */

  function begin() {
    if (started) {
      return;
    }
    started = true;
    welcome.hidden = true;
    chatArea.hidden = false;
    finishButton.hidden = false;
    window.SteerChat.begin();
    restartIdle();
  }

  function summaryReady(messages) {
    return messages.some(function (m) {
      var type = m && m.custom && m.custom.type;
      return type === "budget" || type === "summary";
    });
  }

  function printSummary() {
    var old = document.getElementById("print-frame");
    if (old) {
      old.parentNode.removeChild(old);
    }
    var frame = document.createElement("iframe");
    frame.id = "print-frame";
    frame.className = "print-frame";
    frame.title = word("PRINT_SUMMARY");
    frame.setAttribute("aria-hidden", "true");
    frame.setAttribute("tabindex", "-1");
    // The summary page prints itself when it is loaded with ?print=1 (summary/static/print.js).
    // A frame cannot send the conversation's token: it loads a link that works for a few minutes.
    var url = "/api/assessments/" + encodeURIComponent(window.SteerChat.senderId()) + "/links";
    window.SteerChat.request("POST", url).then(function (res) {
      if (res.ok && res.data && typeof res.data.print === "string") {
        frame.src = res.data.print;
        document.body.appendChild(frame);
      }
    });
  }

  function showWelcomeNote() {
    var params = new URLSearchParams(window.location.search);
    var cleared = params.get("cleared");
    if (cleared === "1") {
      document.getElementById("cleared-note").hidden = false;
    } else if (cleared === "failed") {
      document.getElementById("clear-failed-note").hidden = false;
    }
    if (cleared !== null && window.history && window.history.replaceState) {
      window.history.replaceState(null, "", window.location.pathname);
    }
  }

  // The kiosk's header stays at the top of a tall screen: focus and scrolling keep clear of it.
  function keepClearOfHeader() {
    var header = document.getElementById("site-header");
    if (!header) {
      return;
    }
    function update() {
      var sticky = window.getComputedStyle(header).position === "sticky";
      document.documentElement.style.scrollPaddingTop = sticky
        ? Math.ceil(header.getBoundingClientRect().height + 8) + "px" : "";
    }
    update();
    if (window.ResizeObserver) {
      new window.ResizeObserver(update).observe(header);
    }
    window.addEventListener("resize", update);
  }

  function start() {
    readConfig();
    welcome = document.getElementById("welcome");
    chatArea = document.getElementById("chat-area");
    startButton = document.getElementById("start");
    finishButton = document.getElementById("finish-and-clear");
    printButton = document.getElementById("print-summary");
    dialog = document.getElementById("idle-warning");
    countdown = document.getElementById("idle-countdown");
    announce = document.getElementById("idle-announce");
    moreTime = document.getElementById("more-time");
    clearNow = document.getElementById("clear-now");
    clearing = document.getElementById("clearing");
    if (!welcome || !chatArea || !dialog || !window.SteerChat) {
      return;
    }
    showWelcomeNote();
    keepClearOfHeader();
    startButton.addEventListener("click", begin);
    finishButton.addEventListener("click", wipe);
    clearNow.addEventListener("click", wipe);
    moreTime.addEventListener("click", giveMoreTime);
    printButton.addEventListener("click", printSummary);
    dialog.addEventListener("cancel", function (event) {
      event.preventDefault();  // Escape means "I am here": more time, never a wipe
      giveMoreTime();
    });
    ["pointerdown", "keydown", "input", "wheel", "touchstart"].forEach(function (type) {
      document.addEventListener(type, restartIdle, { passive: true, capture: true });
    });
    document.addEventListener("steer:messages", function (event) {
      var messages = Array.isArray(event.detail) ? event.detail : [];
      if (!started) {
        // Saved answers brought back from the welcome screen: carry on in the conversation.
        started = true;
        welcome.hidden = true;
        chatArea.hidden = false;
        finishButton.hidden = false;
      }
      if (summaryReady(messages)) {
        printButton.hidden = false;
      }
      restartIdle();
    });
    // Leaving the page any other way (reload, closing the tab, or during a wipe that has not finished):
    // delete the conversation too. keepalive carries the CSRF header and outlives the page.
    window.addEventListener("pagehide", function () {
      if (!deleted && window.SteerChat.isStarted()) {
        deleteSent = true;
        window.SteerChat.request("DELETE", "/api/assessments/" + encodeURIComponent(window.SteerChat.senderId()),
          undefined, { keepalive: true });
      }
      clearBrowser();
    });
    startButton.focus();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
