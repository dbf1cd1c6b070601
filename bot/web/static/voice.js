/* Steer voice: a big push-to-talk button (and the space bar) records an answer in the browser,
   sends it to /api/voice/turn as a 16 kHz 16-bit mono WAV, shows the captions through
   window.SteerChat and plays the replies. Typed turns are read out too while voice is on.
   No inline code (strict CSP); audio is played from the front door's own URLs. */
(function () {
  "use strict";

  var RATE = 16000;
  var MAX_SECONDS = 25;
  var END_SILENCE_SECONDS = 0.8; // stop by itself after this much quiet following speech
  var SPEECH_LEVEL = 0.02; // RMS that counts as speech

  var button, statusBox, voiceOn = false;
  var context = null, stream = null, source = null, processor = null;
  var chunks = [], inputRate = 48000, recording = false, heardSpeech = false, quietFor = 0, seconds = 0;
  var queue = [], player = null, ownRender = false, busy = false;

  function setStatus(text) {
    if (statusBox) {
      statusBox.textContent = text;
    }
  }

  function chat() {
    return window.SteerChat;
  }

  // The page's words (bot/web/wording.py), handed to the page and read by chat.js.
  function word(name) {
    return chat() && chat().word ? chat().word(name) : "";
  }

  // --- playing replies, one after another
  function stopPlaying() {
    queue = [];
    if (player) {
      player.pause();
      player = null;
    }
  }

  function playNext() {
    if (player || !queue.length) {
      return;
    }
    player = new Audio(queue.shift());
    player.addEventListener("ended", function () {
      player = null;
      playNext();
    });
    player.addEventListener("error", function () {
      player = null;
      playNext();
    });
    player.play().catch(function () {
      player = null; // autoplay refused: the captions are on screen
    });
  }

  function play(urls) {
    stopPlaying();
    queue = (urls || []).slice();
    playNext();
  }

  // Replies to typed turns (or button presses) are read out while voice is on.
  document.addEventListener("steer:messages", function (event) {
    if (!voiceOn || ownRender || !chat()) {
      return;
    }
    // SteerChat.request carries the page's CSRF token (bot/web/csrf.py).
    chat().request("POST", "/api/voice/reply", { sender_id: chat().senderId(), messages: event.detail || [] })
      .then(function (result) {
        play(result.data.audio);
      }).catch(function () {});
  });

  // --- recording
  function wavFrom(samples) {
    var buffer = new ArrayBuffer(44 + samples.length * 2);
    var view = new DataView(buffer);
    function text(offset, s) {
      for (var i = 0; i < s.length; i += 1) {
        view.setUint8(offset + i, s.charCodeAt(i));
      }
    }
    text(0, "RIFF");
    view.setUint32(4, 36 + samples.length * 2, true);
    text(8, "WAVE");
    text(12, "fmt ");
    view.setUint32(16, 16, true);
    view.setUint16(20, 1, true);
    view.setUint16(22, 1, true);
    view.setUint32(24, RATE, true);
    view.setUint32(28, RATE * 2, true);
    view.setUint16(32, 2, true);
    view.setUint16(34, 16, true);
    text(36, "data");
    view.setUint32(40, samples.length * 2, true);
    for (var i = 0; i < samples.length; i += 1) {
      var s = Math.max(-1, Math.min(1, samples[i]));
      view.setInt16(44 + i * 2, s < 0 ? s * 0x8000 : s * 0x7fff, true);
    }
    return new Blob([buffer], { type: "audio/wav" });
  }

  function downsample(parts) {
    var length = parts.reduce(function (n, p) { return n + p.length; }, 0);
    var all = new Float32Array(length);
    var offset = 0;
    parts.forEach(function (p) { all.set(p, offset); offset += p.length; });
    var ratio = inputRate / RATE;
    var out = new Float32Array(Math.floor(length / ratio));
    for (var i = 0; i < out.length; i += 1) {
      var start = Math.floor(i * ratio), end = Math.min(length, Math.floor((i + 1) * ratio));
      var sum = 0;
      for (var j = start; j < end; j += 1) {
        sum += all[j];
      }
      out[i] = end > start ? sum / (end - start) : 0;
    }
    return out;
  }

  function onAudio(event) {
    if (!recording) {
      return;
    }
    var data = event.inputBuffer.getChannelData(0);
    chunks.push(new Float32Array(data));
    var sum = 0;
    for (var i = 0; i < data.length; i += 1) {
      sum += data[i] * data[i];
    }
    var level = Math.sqrt(sum / data.length);
    var step = data.length / inputRate;
    seconds += step;
    if (level > SPEECH_LEVEL) {
      heardSpeech = true;
      quietFor = 0;
    } else if (heardSpeech) {
      quietFor += step;
    }
    if ((heardSpeech && quietFor >= END_SILENCE_SECONDS) || seconds >= MAX_SECONDS) {
      finish();
    }
  }

  function start() {
    if (recording || busy || !chat()) {
      return;
    }
    stopPlaying();
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      setStatus(word("NO_MICROPHONE"));
      return;
    }
    voiceOn = true;
    navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } })
      .then(function (s) {
        stream = s;
        context = context || new (window.AudioContext || window.webkitAudioContext)();
        inputRate = context.sampleRate;
        source = context.createMediaStreamSource(stream);
        processor = context.createScriptProcessor(4096, 1, 1);
        processor.onaudioprocess = onAudio;
        source.connect(processor);
        processor.connect(context.destination);
        chunks = [];
        seconds = 0;
        quietFor = 0;
        heardSpeech = false;
        recording = true;
        button.setAttribute("aria-pressed", "true");
        button.textContent = word("LISTENING_BUTTON");
        setStatus(word("LISTENING"));
      })
      .catch(function () {
        setStatus(word("MICROPHONE_BLOCKED"));
      });
  }

  function release() {
    if (processor) {
      processor.disconnect();
      processor.onaudioprocess = null;
    }
    if (source) {
      source.disconnect();
    }
    if (stream) {
      stream.getTracks().forEach(function (t) { t.stop(); });
    }
    processor = source = stream = null;
  }

  function finish() {
    if (!recording) {
      return;
    }
    recording = false;
    release();
    button.setAttribute("aria-pressed", "false");
    button.textContent = word("PRESS_TO_SPEAK");
    send(wavFrom(downsample(chunks)));
    chunks = [];
  }

  // The WAV goes as it is, with the page's CSRF token; a stale token is renewed once.
  function post(wav) {
    var headers = { "Content-Type": "audio/wav", "Accept": "application/json" };
    var token = chat().csrfHeaders ? chat().csrfHeaders() : {};
    Object.keys(token).forEach(function (k) { headers[k] = token[k]; });
    var auth = chat().authHeaders ? chat().authHeaders() : {};  // this page's conversation, and only it
    Object.keys(auth).forEach(function (k) { headers[k] = auth[k]; });
    return window.fetch("/api/voice/turn?sender_id=" + encodeURIComponent(chat().senderId()), {
      method: "POST", headers: headers, body: wav, credentials: "same-origin"
    });
  }

  function renewToken() {
    return window.fetch("/api/csrf-token", { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        var meta = document.querySelector('meta[name="csrf-token"]');
        if (meta && data && typeof data.token === "string") {
          meta.setAttribute("content", data.token);
        }
      });
  }

  function send(wav) {
    busy = true;
    setStatus(word("THINKING"));
    post(wav).then(function (response) {
      if (response.status === 403 && response.headers.get("X-Steer-Refused") === "csrf") {
        return renewToken().then(function () { return post(wav); });
      }
      return response;
    }).then(function (r) {
      return r.json();
    }).then(function (data) {
      if (data.heard) {
        chat().addMessage("user", data.heard);
      }
      if (Array.isArray(data.messages) && data.messages.length) {
        ownRender = true;
        try {
          chat().render(data.messages);
        } finally {
          ownRender = false;
        }
      }
      play(data.audio);
      setStatus(data.audio_error || "");
    }).catch(function () {
      setStatus(word("NETWORK_ERROR"));
    }).then(function () {
      busy = false;
      button.focus();
    });
  }

  function toggle() {
    if (recording) {
      finish();
    } else {
      start();
    }
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  function setup() {
    button = document.getElementById("voice-talk");
    statusBox = document.getElementById("voice-status");
    if (!button) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", toggle);
    document.addEventListener("keydown", function (event) {
      // The space bar talks, unless the person is typing or on another button.
      if (event.code === "Space" && !event.repeat && !typing(event.target) &&
          (event.target === document.body || event.target === button || event.target === document.documentElement)) {
        event.preventDefault();
        toggle();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setup);
  } else {
    setup();
  }
}());
