/* Steer web chat: sends what the person types or picks to /api/chat and shows the replies.
   Every piece of text goes in with textContent, never parsed as HTML. No framework, no build step.

   The page's small public face for other scripts (voice.js, kiosk.js, saved.js) is window.SteerChat:
     senderId()            this conversation's id (null until the front door has issued one)
     authHeaders()         the headers that show this page started it (Authorization: Bearer <token>)
     send(text, shownAs)   one turn; shownAs is what the transcript shows as said (null: nothing)
     render(messages)      draw replies in Rasa's REST shape
     addMessage(who, text) add one line to the transcript ("bot" or "user")
     request(method, url, body)  a same-origin JSON call with the page's CSRF token (one retry
                           with a fresh token); resolves to {ok, status, data}
     csrfHeaders()         the headers a script's own fetch needs
     begin()               start the conversation (the kiosk's Start button)
     isBusy()              a turn is on its way
     isStarted()           this page has talked to the front door under its id
   and every reply is also dispatched as a `steer:messages` event (detail: the messages). */
(function () {
  "use strict";

  var SENDER_KEY = "steer.sender_id";
  var TOKEN_KEY = "steer.token";
  var DISPLAY_KEY = "steer.display";
  var AREA_IDS = ["looking_after_myself", "relationships", "community", "work_learning_leisure",
    "making_decisions", "staying_safe", "complex_needs_risk", "family_carer_support"];
  var AMOUNTS = ["amount-none", "amount-little", "amount-most", "amount-all"];

  var config = { mode: "chat", words: {}, symbols: {} };
  var transcript, optionsBox, termsBox, form, input, progressBox, progressBar, progressText, waiting;
  var levelButton;
  var busy = false;
  var started = false;
  var messageCount = 0;
  var memorySenderId = null;
  var memoryToken = null;
  var idUsed = false;
  var level = "plain";
  var waitingTimer = null;

  var common = window.SteerCommon;  // steer-common.js
  var has = common.has;

  function word(name, fields) {
    return common.word(config.words, name, fields);
  }

  function isKiosk() {
    return config.mode === "kiosk";
  }

  function isText(value) {
    return typeof value === "string" && value.length > 0;
  }

  // Storage: the chat page keeps its id and display choices for this tab only; the kiosk keeps nothing.
  function stored(key) {
    if (isKiosk()) {
      return null;
    }
    try {
      return window.sessionStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function store(key, value) {
    if (isKiosk()) {
      return;
    }
    try {
      window.sessionStorage.setItem(key, value);
    } catch (e) {
      /* private browsing: carry on without */
    }
  }

  function forget(key) {
    try {
      window.sessionStorage.removeItem(key);
    } catch (e) {
      /* nothing was kept */
    }
  }

  // One conversation per browser tab, issued by the front door with its first reply (its id and a
  // token that proves this page started it). The chat page keeps both in sessionStorage, which is
  // per tab and ends with it; the kiosk keeps them in memory only.
  function senderId() {
    if (!memorySenderId && stored(SENDER_KEY) && stored(TOKEN_KEY)) {
      memorySenderId = stored(SENDER_KEY);
      memoryToken = stored(TOKEN_KEY);
    }
    if (memorySenderId) {
      idUsed = true;  // something may now be stored under it (e.g. saved answers brought back)
    }
    return memorySenderId;
  }

  function authHeaders() {
    senderId();
    return memoryToken ? { "Authorization": "Bearer " + memoryToken } : {};
  }

  function keepConversation(data) {
    if (data && isText(data.sender_id) && isText(data.token)) {
      memorySenderId = data.sender_id;
      memoryToken = data.token;
      store(SENDER_KEY, data.sender_id);
      store(TOKEN_KEY, data.token);
    } else if (data && data.conversation === "unknown") {
      // The front door no longer knows it (cleared, or its key changed): the next message starts anew.
      memorySenderId = memoryToken = null;
      forget(SENDER_KEY);
      forget(TOKEN_KEY);
    }
  }

  /* --- Requests with the page's CSRF token ---------------------------------------------- */

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute("content") : "";
  }

  function csrfHeaders() {
    return { "X-CSRF-Token": csrfToken() };
  }

  function freshToken() {
    return window.fetch("/api/csrf-token", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (meta && data && isText(data.token)) {
          meta.setAttribute("content", data.token);
        }
      });
  }

  function request(method, url, body, options) {
    function once() {
      var headers = { "Accept": "application/json" };
      var token = csrfHeaders();
      Object.keys(token).forEach(function (k) { headers[k] = token[k]; });
      var auth = authHeaders();
      Object.keys(auth).forEach(function (k) { headers[k] = auth[k]; });
      var init = { method: method, headers: headers, credentials: "same-origin",
                   keepalive: Boolean(options && options.keepalive) };
      if (body !== undefined) {
        headers["Content-Type"] = "application/json";
        init.body = JSON.stringify(body);
      }
      return window.fetch(url, init);
    }
    function read(response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        keepConversation(data);  // a chat or resume that started the conversation says its id and token
        return { ok: response.ok, status: response.status, data: data || {} };
      });
    }
    return once().then(function (response) {
      // A page left open past its token's age: fetch a fresh token once, then try again.
      if (response.status === 403 && response.headers.get("X-Steer-Refused") === "csrf") {
        return freshToken().then(once);
      }
      return response;
    }).then(read);
  }

  /* --- Pictures ------------------------------------------------------------------------- */

  function symbolImage(id, className) {
    if (!has(config.symbols, id)) {
      return null;
    }
    var img = document.createElement("img");
    img.className = "symbol " + (className || "");
    img.src = config.symbols[id].src;
    img.alt = config.symbols[id].alt;
    img.width = 64;
    img.height = 64;
    return img;
  }

  function isArea(section) {
    return AREA_IDS.indexOf(section) >= 0;
  }

  // A picture for an option: by what its words say (options go from least to most need, but
  // "all of it" may be the least), else by its place in a list of four.
  function optionSymbol(value, index, count, section) {
    if (!isText(value)) {
      return null;
    }
    if (section === "setup") {
      return { self: "me", other: "someone-else", plain: "plain-words", easy_read: "easy-read" }[value] || null;
    }
    if (section === "review") {
      return value === "confirmed" ? "check" : (isArea(value) ? value : null);
    }
    if (!isArea(section)) {
      return null;
    }
    if (value === "yes" || value === "no") {
      return value;
    }
    if (/^(no|none|not)(_|$)|(^|_)no_help$/.test(value)) {
      return "amount-none";
    }
    if (/(^|_)(little|some|now)(_|$)/.test(value)) {
      return "amount-little";
    }
    if (/(^|_)(most|lot|regular|short)(_|$)/.test(value)) {
      return "amount-most";
    }
    if (/(^|_)(all|every)(_|$)|^someone_|^watching_/.test(value)) {
      return "amount-all";
    }
    return count === 4 ? AMOUNTS[index] : null;
  }

  /* --- The transcript ------------------------------------------------------------------- */

  function addMessage(who, text, symbolId) {
    messageCount += 1;
    var item = document.createElement("div");
    item.className = "msg msg-" + who;
    item.id = "msg-" + messageCount;
    var words = document.createElement("div");
    words.className = "msg-words";
    var name = document.createElement("p");
    name.className = "msg-who";
    name.textContent = who === "user" ? word("YOU_SAID") : word("STEER_SAID");
    var body = document.createElement("p");
    body.className = "msg-text";
    body.textContent = text;
    words.appendChild(name);
    words.appendChild(body);
    item.appendChild(words);
    // After the words, so they are read first; easy read draws it to their left (steer.css).
    var picture = symbolId ? symbolImage(symbolId, "msg-symbol") : null;
    if (picture) {
      item.classList.add("has-symbol");
      item.appendChild(picture);
    }
    transcript.appendChild(item);
    return item;
  }

  function showProgress(progress) {
    var done = Number(progress.done);
    var total = Number(progress.total);
    if (!isFinite(done) || !isFinite(total) || total <= 0) {
      return;
    }
    progressBar.max = total;
    progressBar.value = Math.min(done, total);
    progressText.textContent = done < total
      ? word("PROGRESS", { n: done + 1, total: total })
      : word("PROGRESS_DONE", { total: total });
    progressBox.hidden = false;
  }

  function setLevel(newLevel) {
    level = newLevel === "easy_read" ? "easy_read" : "plain";
    document.body.classList.toggle("level-easy_read", level === "easy_read");
    document.body.classList.toggle("level-plain", level === "plain");
    if (levelButton) {
      levelButton.textContent = level === "easy_read" ? word("USE_PLAIN_WORDS") : word("USE_EASY_READ");
      levelButton.setAttribute("data-level", level);
    }
  }

  function empty(box) {
    while (box.firstChild) {
      box.removeChild(box.firstChild);
    }
    box.hidden = true;
  }

  function clearOptions() {
    empty(optionsBox);
    optionsBox.removeAttribute("aria-labelledby");
    if (termsBox) {
      empty(termsBox);
    }
  }

  function optionButton(choice) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "button button-option";
    var label = document.createElement("span");
    label.className = "option-label";
    label.textContent = choice.title;
    button.appendChild(label);
    // After the words in the page, so a screen reader says the words first; drawn to their left.
    var picture = choice.symbol ? symbolImage(choice.symbol, "option-symbol") : null;
    if (picture) {
      button.classList.add("has-symbol");
      button.appendChild(picture);
    }
    button.addEventListener("click", function () {
      send(choice.payload, choice.title);
    });
    return button;
  }

  // choices: [{title, payload, symbol}]; the group is named by the question it answers.
  function showOptions(choices, questionId) {
    clearOptions();
    choices.forEach(function (choice) {
      optionsBox.appendChild(optionButton(choice));
    });
    if (questionId) {
      optionsBox.setAttribute("aria-labelledby", questionId);
    }
    optionsBox.hidden = choices.length === 0;
    return optionsBox.querySelector("button");
  }

  // Glossary words in the question: "What does <term> mean?", asked through the conversation:
  // with the term's own payload when it has one (/explain{"term": ...}), else in words.
  function showTerms(terms) {
    if (!termsBox) {
      return;
    }
    terms.forEach(function (t) {
      if (!t || !isText(t.term)) {
        return;
      }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-small button-term";
      var label = word("WHAT_DOES_IT_MEAN", { term: t.term });
      button.textContent = label;
      var message = isText(t.payload) && t.payload.charAt(0) === "/" ? t.payload : "what does " + t.term + " mean";
      button.addEventListener("click", function () {
        send(message, label);
      });
      termsBox.appendChild(button);
    });
    termsBox.hidden = !termsBox.firstChild;
  }

  function questionOf(messages) {
    var found = null;
    messages.forEach(function (m) {
      if (m && m.custom && m.custom.type === "question") {
        found = m.custom;
      }
    });
    return found;
  }

  function choicesFrom(messages, question) {
    var fromButtons = [];
    var fromCustom = [];
    var symbolOf = {};
    var options = question && Array.isArray(question.options) ? question.options : [];
    options.forEach(function (o, i) {
      if (o && isText(o.label) && isText(o.payload)) {
        var symbol = optionSymbol(o.value, i, options.length, question.section);
        symbolOf[o.payload] = symbol;
        fromCustom.push({ title: o.label, payload: o.payload, symbol: symbol });
      }
    });
    messages.forEach(function (m) {
      (Array.isArray(m.buttons) ? m.buttons : []).forEach(function (b) {
        if (b && isText(b.title) && isText(b.payload)) {
          fromButtons.push({ title: b.title, payload: b.payload,
                             symbol: has(symbolOf, b.payload) ? symbolOf[b.payload] : null });
        }
      });
    });
    return fromButtons.length ? fromButtons : fromCustom;
  }

  function prefersLessMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  // Space a sticky header takes at the top (the kiosk's); nothing is scrolled or focused under it.
  function topInset() {
    var header = document.getElementById("site-header");
    if (!header || window.getComputedStyle(header).position !== "sticky") {
      return 0;
    }
    return header.getBoundingClientRect().height;
  }

  // Focus the first option (or the text box) and show as much of the new question as fits.
  function focusAfterReply(target, firstNew) {
    target.focus({ preventScroll: true });
    var inset = topInset() + 8;
    var behavior = prefersLessMotion() ? "auto" : "smooth";
    var targetBox = target.getBoundingClientRect();
    var top = firstNew ? firstNew.getBoundingClientRect().top : targetBox.top;
    if (targetBox.bottom - top <= window.innerHeight - inset - 8) {
      window.scrollBy({ top: top - inset, behavior: behavior });
    } else {
      window.scrollBy({ top: targetBox.top - inset, behavior: behavior });
    }
  }

  // The ask key of the last question shown (actions/binding.py), sent with every message.
  var lastAsk = null;

  function render(messages, options) {
    var moveFocus = !(options && options.focus === false);
    messages = Array.isArray(messages) ? messages : [];
    var question = questionOf(messages);
    if (question && isText(question.ask)) {
      lastAsk = question.ask;
    }
    var areaSymbol = question && isArea(question.section) ? question.section : null;
    var lastQuestionId = null;
    var firstNew = null;
    // The area's picture goes beside the question itself: the message with the answer buttons.
    var pictureAt = -1;
    messages.forEach(function (m, i) {
      if (m && isText(m.text) && (pictureAt < 0 || (Array.isArray(m.buttons) && m.buttons.length))) {
        pictureAt = i;
      }
    });
    messages.forEach(function (m, i) {
      if (!m || typeof m !== "object") {
        return;
      }
      if (isText(m.text)) {
        var item = addMessage("bot", m.text, i === pictureAt ? areaSymbol : null);
        firstNew = firstNew || item;
        if (Array.isArray(m.buttons) && m.buttons.length) {
          lastQuestionId = item.id;
        }
      }
      if (m.custom && m.custom.progress) {
        showProgress(m.custom.progress);
      }
      if (m.custom && isText(m.custom.reading_level)) {
        setLevel(m.custom.reading_level);
      }
    });
    if (!lastQuestionId && transcript.lastElementChild) {
      lastQuestionId = transcript.lastElementChild.id;
    }
    var first = showOptions(choicesFrom(messages, question), lastQuestionId);
    if (question && Array.isArray(question.terms)) {
      showTerms(question.terms);
    }
    if (moveFocus) {
      focusAfterReply(first || input, firstNew);
    }
    // Other scripts (voice, kiosk, saved answers) hear every reply without reaching into this file.
    document.dispatchEvent(new CustomEvent("steer:messages", { detail: messages }));
  }

  function setWaiting(on) {
    window.clearTimeout(waitingTimer);
    if (on) {
      transcript.setAttribute("aria-busy", "true");
      // Said only when a reply is slow, so a quick turn is not announced twice.
      waitingTimer = window.setTimeout(function () {
        waiting.textContent = word("WAITING");
      }, 1500);
    } else {
      transcript.removeAttribute("aria-busy");
      waiting.textContent = "";
    }
  }

  function send(text, shownAs, options) {
    if (busy) {
      return false;
    }
    busy = true;
    started = true;
    setWaiting(true);
    if (shownAs !== null && shownAs !== undefined) {
      addMessage("user", shownAs);
    }
    // Kept until the reply comes: if the turn fails (a part of Steer is down), the same
    // answer buttons and typed words come back, so trying again is one press.
    var keptOptions = Array.prototype.slice.call(optionsBox.childNodes);
    var keptLabel = optionsBox.getAttribute("aria-labelledby");
    var failed = false;
    clearOptions();
    var body = { message: text };
    if (senderId()) {
      body.sender_id = senderId();  // none yet: the front door starts the conversation
    }
    if (lastAsk) {
      body.question = lastAsk;  // typed words answer the question on screen, never a later one
    }
    request("POST", "/api/chat", body).then(function (res) {
      failed = !res.ok;
      if (Array.isArray(res.data.messages)) {
        return res.data.messages;
      }
      return [{ text: isText(res.data.error) ? res.data.error : word("NETWORK_ERROR") }];
    }, function () {
      failed = true;
      return [{ text: word("NETWORK_ERROR") }];
    }).then(function (messages) {
      busy = false;
      setWaiting(false);
      render(messages, options);
      if (failed) {
        keptOptions.forEach(function (b) { optionsBox.appendChild(b); });
        optionsBox.hidden = keptOptions.length === 0;
        if (keptLabel) {
          optionsBox.setAttribute("aria-labelledby", keptLabel);
        }
        if (options && isText(options.typed) && !input.value) {
          input.value = options.typed;
        }
      }
    });
    return true;
  }

  function onSubmit(event) {
    event.preventDefault();
    var text = input.value;
    // Empty text still goes to the server, which answers kindly; it is just not shown as said.
    if (send(text, text.trim() ? text : null, { typed: text })) {
      input.value = "";
    }
  }

  function begin(options) {
    if (!started) {
      send("/greet", null, options);
    }
  }

  /* --- Display: text size, contrast, reading level ---------------------------------------- */

  function applyDisplay(display) {
    var root = document.documentElement;
    root.classList.remove("text-large", "text-larger");
    if (display.size === "large" || display.size === "larger") {
      root.classList.add("text-" + display.size);
    }
    root.classList.toggle("contrast-high", Boolean(display.contrast));
    Array.prototype.forEach.call(document.querySelectorAll("[data-text-size]"), function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-text-size") === (display.size || "normal")));
    });
    var contrast = document.getElementById("high-contrast");
    if (contrast) {
      contrast.setAttribute("aria-pressed", String(Boolean(display.contrast)));
    }
  }

  function setUpDisplay() {
    var display = { size: "normal", contrast: false };
    try {
      var saved = JSON.parse(stored(DISPLAY_KEY) || "null");
      if (saved && typeof saved === "object") {
        display.size = ["normal", "large", "larger"].indexOf(saved.size) >= 0 ? saved.size : "normal";
        display.contrast = saved.contrast === true;
      }
    } catch (e) {
      /* keep the defaults */
    }
    applyDisplay(display);
    Array.prototype.forEach.call(document.querySelectorAll("[data-text-size]"), function (b) {
      b.addEventListener("click", function () {
        display.size = b.getAttribute("data-text-size");
        applyDisplay(display);
        store(DISPLAY_KEY, JSON.stringify(display));
      });
    });
    var contrast = document.getElementById("high-contrast");
    if (contrast) {
      contrast.addEventListener("click", function () {
        display.contrast = !display.contrast;
        applyDisplay(display);
        store(DISPLAY_KEY, JSON.stringify(display));
      });
    }
    levelButton = document.getElementById("reading-level");
    if (levelButton) {
      // The bot keeps the reading level: the button asks it, in the conversation's own words.
      levelButton.addEventListener("click", function () {
        send(level === "easy_read" ? "/plainer" : "/easier", levelButton.textContent);
      });
    }
    setLevel("plain");
  }

  function readConfig() {
    var parsed = common.readConfig();
    if (parsed) {  // else the defaults above
      config = parsed;
      config.words = config.words || {};
      config.symbols = config.symbols || {};
    }
  }

  function start() {
    readConfig();
    transcript = document.getElementById("transcript");
    optionsBox = document.getElementById("options");
    termsBox = document.getElementById("terms");
    form = document.getElementById("chat-form");
    input = document.getElementById("message");
    progressBox = document.getElementById("progress-box");
    progressBar = document.getElementById("progress");
    progressText = document.getElementById("progress-text");
    waiting = document.getElementById("waiting");
    if (!transcript || !form || !input) {
      return;
    }
    setUpDisplay();
    form.addEventListener("submit", onSubmit);
    Array.prototype.forEach.call(document.querySelectorAll("[data-command]"), function (b) {
      b.addEventListener("click", function () {
        send(b.getAttribute("data-command"), b.textContent.trim());
      });
    });
    if (!isKiosk()) {
      // On page load the greeting appears without taking focus from where the person is.
      begin({ focus: false });
    }
  }

  window.SteerChat = {
    senderId: senderId,
    authHeaders: authHeaders,
    send: send,
    render: render,
    addMessage: addMessage,
    request: request,
    word: word,
    csrfHeaders: csrfHeaders,
    begin: begin,
    isBusy: function () { return busy; },
    isStarted: function () { return started || idUsed; }
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
