/* Steer web chat: sends what the person types or picks to /api/chat and shows the replies.
   Every piece of text goes in with textContent, never parsed as HTML. No framework, no build step. */
(function () {
  "use strict";

  var SENDER_KEY = "steer.sender_id";
  var NETWORK_ERROR = "Sorry, I cannot reach Steer just now. Your answers so far are safe. " +
    "Please try again in a minute.";

  var transcript, optionsBox, form, input, progressBox, progressBar, progressText;
  var busy = false;
  var messageCount = 0;

  function newSenderId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  // One conversation per browser tab: sessionStorage is per tab and ends with it.
  function senderId() {
    var id = null;
    try {
      id = window.sessionStorage.getItem(SENDER_KEY);
      if (!id) {
        id = newSenderId();
        window.sessionStorage.setItem(SENDER_KEY, id);
      }
    } catch (e) {
      id = id || newSenderId();
    }
    return id;
  }

  function addMessage(who, text) {
    messageCount += 1;
    var item = document.createElement("div");
    item.className = "msg msg-" + who;
    item.id = "msg-" + messageCount;
    var name = document.createElement("p");
    name.className = "msg-who";
    name.textContent = who === "user" ? "You:" : "Steer:";
    var body = document.createElement("p");
    body.className = "msg-text";
    body.textContent = text;
    item.appendChild(name);
    item.appendChild(body);
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
      ? "Question " + (done + 1) + " of " + total
      : "All " + total + " questions answered";
    progressBox.hidden = false;
  }

  function clearOptions() {
    while (optionsBox.firstChild) {
      optionsBox.removeChild(optionsBox.firstChild);
    }
    optionsBox.hidden = true;
    optionsBox.removeAttribute("aria-labelledby");
  }

  // choices: [{title, payload}]; the group is named by the question it answers.
  function showOptions(choices, questionId) {
    clearOptions();
    choices.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button button-option";
      button.textContent = choice.title;
      button.addEventListener("click", function () {
        send(choice.payload, choice.title);
      });
      optionsBox.appendChild(button);
    });
    if (questionId) {
      optionsBox.setAttribute("aria-labelledby", questionId);
    }
    optionsBox.hidden = choices.length === 0;
    return optionsBox.querySelector("button");
  }

  function isText(value) {
    return typeof value === "string" && value.length > 0;
  }

  function choicesFrom(messages) {
    var fromButtons = [];
    var fromCustom = [];
    messages.forEach(function (m) {
      (Array.isArray(m.buttons) ? m.buttons : []).forEach(function (b) {
        if (b && isText(b.title) && isText(b.payload)) {
          fromButtons.push({ title: b.title, payload: b.payload });
        }
      });
      var options = m.custom && Array.isArray(m.custom.options) ? m.custom.options : [];
      options.forEach(function (o) {
        if (o && isText(o.label) && isText(o.payload)) {
          fromCustom.push({ title: o.label, payload: o.payload });
        }
      });
    });
    return fromButtons.length ? fromButtons : fromCustom;
  }

  function render(messages) {
    var lastQuestionId = null;
    messages.forEach(function (m) {
      if (isText(m.text)) {
        var item = addMessage("bot", m.text);
        if (Array.isArray(m.buttons) && m.buttons.length) {
          lastQuestionId = item.id;
        }
      }
      if (m.custom && m.custom.progress) {
        showProgress(m.custom.progress);
      }
    });
    if (!lastQuestionId && transcript.lastElementChild) {
      lastQuestionId = transcript.lastElementChild.id;
    }
    var first = showOptions(choicesFrom(messages), lastQuestionId);
    (first || input).focus();
    // Other scripts (voice, kiosk) hear every reply without reaching into this file.
    document.dispatchEvent(new CustomEvent("steer:messages", { detail: messages }));
  }

  function send(text, shownAs) {
    if (busy) {
      return false;
    }
    busy = true;
    transcript.setAttribute("aria-busy", "true");
    if (shownAs !== null) {
      addMessage("user", shownAs);
    }
    clearOptions();
    window.fetch("/api/chat", {
      method: "POST",
      headers: { "Content-Type": "application/json", "Accept": "application/json" },
      body: JSON.stringify({ sender_id: senderId(), message: text }),
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () {
        return {};
      });
    }).then(function (data) {
      if (data && Array.isArray(data.messages)) {
        render(data.messages);
      } else {
        render([{ text: data && isText(data.error) ? data.error : NETWORK_ERROR }]);
      }
    }).catch(function () {
      render([{ text: NETWORK_ERROR }]);
    }).then(function () {
      busy = false;
      transcript.removeAttribute("aria-busy");
    });
    return true;
  }

  function onSubmit(event) {
    event.preventDefault();
    var text = input.value;
    // Empty text still goes to the server, which answers kindly; it is just not shown as said.
    if (send(text, text.trim() ? text : null)) {
      input.value = "";
    }
  }

  function start() {
    transcript = document.getElementById("transcript");
    optionsBox = document.getElementById("options");
    form = document.getElementById("chat-form");
    input = document.getElementById("message");
    progressBox = document.getElementById("progress-box");
    progressBar = document.getElementById("progress");
    progressText = document.getElementById("progress-text");
    if (!transcript || !form || !input) {
      return;
    }
    form.addEventListener("submit", onSubmit);
    send("/greet", null);
  }

  // The page's small public face for other scripts on it (e.g. voice.js): one way in for each job.
  window.SteerChat = {
    senderId: senderId,
    send: send,
    render: render,
    addMessage: addMessage
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
