/*
 * Citizen web chat (vanilla JS, no build step).
 *
 * Delivery contract with the server (channels/webchat.py):
 * - session_id is created once in the browser and kept in localStorage, so a reload continues
 *   the same conversation and GET history can redraw it;
 * - every message carries a client_message_id; a failed send is retried with the SAME id, so
 *   the server runs the turn at most once and answers a resend with the stored replies;
 * - 202 {"status": "processing"} means the first attempt is still running: the page asks again
 *   with the same id (safe: it never runs twice) until the stored replies come back;
 * - GET history returns the transcript (citizen and assistant lines) to redraw after a reload;
 * - messages the city sends later (a caseworker's reply, a case update) come from GET updates,
 *   polled every few seconds while the page is visible, after a cursor (the last outbox id
 *   shown, taken from history first), so each appears once, in order, without a reload.
 */
(function () {
  "use strict";

  var root = document.getElementById("chat");
  var BASE = root.dataset.base || "";
  var MAX_PHOTO_BYTES = parseInt(root.dataset.maxPhotoBytes, 10) || 0;
  var MAX_TEXT_CHARS = parseInt(root.dataset.maxTextChars, 10) || 2000;
  var SESSION_KEY = "civic-webchat.session_id";
  var TITLES_KEY = "civic-webchat.choice_titles"; // payload -> titles clicked, in order (history)
  var TITLES_KEPT = 100;
  var AUTO_RETRIES = 2;
  var POLL_INTERVAL_MS = 1000;
  var POLL_DEADLINE_MS = 30000;
  var UPDATES_INTERVAL_MS = 2500;

  var log = document.getElementById("log");
  var form = document.getElementById("composer");
  var textbox = document.getElementById("message");
  var statusLine = document.getElementById("status");
  var errorBox = document.getElementById("error");
  var errorText = document.getElementById("error-text");
  var retryButton = document.getElementById("retry");
  var locationButton = document.getElementById("share-location");
  var photoInput = document.getElementById("photo");

  var memorySessionId = null;
  var pending = null; // the message not yet answered: {id, text, display, metadata, bubble, fromComposer}
  var busy = false;
  var restoring = null; // the transcript being redrawn after a (re)load
  var updatesCursor = 0; // the last outbox id shown on the page
  var updatesTimer = null;
  var updatesInFlight = false;

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") {
      return window.crypto.randomUUID();
    }
    // crypto.randomUUID needs a secure context; plain-http deployments still get a v4 uuid.
    var b = window.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return x.toString(16).padStart(2, "0"); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function sessionId() {
    if (memorySessionId) { return memorySessionId; }
    try {
      memorySessionId = window.localStorage.getItem(SESSION_KEY);
      if (!memorySessionId) {
        memorySessionId = uuid();
        window.localStorage.setItem(SESSION_KEY, memorySessionId);
      }
    } catch (e) {
      memorySessionId = memorySessionId || uuid(); // storage blocked: the session lasts this page view
    }
    return memorySessionId;
  }

  function languageHint() {
    var tag = (navigator.language || "").toLowerCase();
    return tag.split("-")[0] || null;
  }

  function wait(ms) { return new Promise(function (resolve) { setTimeout(resolve, ms); }); }

  /* ---------- rendering ---------- */

  function scrollToEnd() { log.scrollTop = log.scrollHeight; }

  function addBubble(kind, text) {
    var bubble = document.createElement("div");
    bubble.className = "msg msg--" + kind;
    var body = document.createElement("span");
    body.className = "msg__text";
    body.textContent = text;
    bubble.appendChild(body);
    log.appendChild(bubble);
    scrollToEnd();
    return bubble;
  }

  function setBubbleState(bubble, state, note) {
    bubble.classList.remove("msg--pending", "msg--failed");
    var old = bubble.querySelector(".msg__meta");
    if (old) { old.remove(); }
    if (state === "sent") { return; }
    bubble.classList.add("msg--" + state);
    var meta = document.createElement("span");
    meta.className = "msg__meta";
    meta.textContent = note;
    bubble.appendChild(meta);
  }

  function safeImageUrl(url) {
    return typeof url === "string" && /^(https?:\/\/|\/)/i.test(url) ? url : null;
  }

  function renderReply(reply, enableButtons) {
    if (reply.text) { addBubble("bot", reply.text); }
    var src = safeImageUrl(reply.image);
    if (src) {
      var holder = addBubble("bot", "");
      var img = document.createElement("img");
      img.src = src;
      img.alt = "Image sent by the assistant";
      holder.appendChild(img);
    }
    if (reply.custom && typeof reply.custom.text === "string") { addBubble("bot", reply.custom.text); }
    if (reply.buttons && reply.buttons.length) { renderChoices(reply.buttons, enableButtons); }
  }

  function renderChoices(buttons, enabled) {
    var group = document.createElement("div");
    group.className = "choices";
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", "Choices");
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn--secondary choice";
      button.textContent = b.title;
      button.disabled = !enabled;
      button.addEventListener("click", function () {
        send({ text: b.payload || b.title, display: b.title, metadata: {}, fromComposer: false });
      });
      group.appendChild(button);
    });
    log.appendChild(group);
    scrollToEnd();
  }

  function disableOldChoices() {
    log.querySelectorAll("button.choice").forEach(function (b) { b.disabled = true; });
  }

  function renderReplies(replies) {
    replies.forEach(function (reply) { renderReply(reply, true); });
  }

  /* After an answer, put the keyboard where the citizen acts next: the first choice if the
     assistant offered buttons, otherwise the text box. */
  function focusNext(replies) {
    var last = replies.length ? replies[replies.length - 1] : null;
    if (last && last.buttons && last.buttons.length) {
      var choices = log.querySelectorAll("button.choice:not(:disabled)");
      if (choices.length) {
        choices[choices.length - last.buttons.length].focus();
        return;
      }
    }
    textbox.focus();
  }

  function setStatus(text) { statusLine.textContent = text || ""; }

  function showError(text, canRetry) {
    errorText.textContent = text;
    retryButton.hidden = !canRetry;
    errorBox.hidden = false;
  }

  function hideError() { errorBox.hidden = true; errorText.textContent = ""; }

  /* ---------- talking to the server ---------- */

  function messageBody(msg) {
    var metadata = Object.assign({ language: languageHint() }, msg.metadata || {});
    return JSON.stringify({
      session_id: sessionId(),
      client_message_id: msg.id,
      text: msg.text,
      display_text: msg.display,
      metadata: metadata
    });
  }

  function readJson(response) {
    return response.json().catch(function () { return {}; });
  }

  function fetchHistory() {
    var url = BASE + "/history?session_id=" + encodeURIComponent(sessionId());
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) { throw new Error("history " + r.status); }
      return r.json();
    });
  }

  function postMessage(msg) {
    return fetch(BASE + "/message", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: messageBody(msg)
    });
  }

  /* The first attempt is still running: ask again with the same id until its replies are stored. */
  async function pollForReplies(msg) {
    var deadline = Date.now() + POLL_DEADLINE_MS;
    while (Date.now() < deadline) {
      await wait(POLL_INTERVAL_MS);
      try {
        var response = await postMessage(msg);
        if (response.status === 200) { return (await readJson(response)).replies || []; }
        if (response.status !== 202) { return null; }
      } catch (e) { /* keep asking until the deadline */ }
    }
    return null;
  }

  /* Returns {replies} on success or {error, retry} on failure; resends reuse msg.id. */
  async function deliver(msg) {
    for (var attempt = 0; ; attempt++) {
      var response;
      try {
        response = await postMessage(msg);
      } catch (networkError) {
        if (attempt < AUTO_RETRIES) { await wait(1000 * (attempt + 1)); continue; }
        return { error: "We could not reach the assistant. Check your connection and try again.", retry: true };
      }
      var data = await readJson(response);
      if (response.status === 200) { return { replies: data.replies || [] }; }
      if (response.status === 202) {
        setStatus("The assistant is still working on your message…");
        var replies = await pollForReplies(msg);
        if (replies) { return { replies: replies }; }
        return { error: "The assistant has not answered yet. Please try again in a moment.", retry: true };
      }
      if (response.status >= 500 && response.status !== 503 && attempt < AUTO_RETRIES) {
        await wait(1000 * (attempt + 1));
        continue;
      }
      var fallback = response.status >= 500 ? "Something went wrong. Please try again." : "That message could not be sent.";
      return { error: data.error || fallback, retry: response.status >= 500 };
    }
  }

  async function send(msg) {
    if (restoring) { // sent while the transcript loads: it goes once that is drawn, below it
      setStatus("Loading your conversation…");
      await restoring;
    }
    if (busy) { setStatus("Please wait for the answer to your last message."); return; }
    busy = true;
    hideError();
    if (!msg.id) {
      msg.id = uuid();
      msg.bubble = addBubble("user", msg.display || msg.text);
    }
    pending = msg;
    disableOldChoices();
    setBubbleState(msg.bubble, "pending", "Sending…");
    setStatus("Sending…");
    var result = await deliver(msg);
    busy = false;
    setStatus("");
    if (result.replies) {
      pending = null;
      setBubbleState(msg.bubble, "sent");
      if (msg.display !== msg.text) { rememberTitle(msg.text, msg.display); }
      if (msg.fromComposer && textbox.value.trim() === msg.text) { textbox.value = ""; }
      renderReplies(result.replies);
      focusNext(result.replies);
      return;
    }
    setBubbleState(msg.bubble, "failed", "Not sent");
    if (!result.retry) { pending = null; }
    showError(result.error, result.retry);
    if (msg.fromComposer) { textbox.focus(); } else if (result.retry) { retryButton.focus(); }
  }

  /* ---------- messages the city sends later (outbox), by polling ---------- */

  function showUpdate(line) {
    if (!line.outbox_id || line.outbox_id <= updatesCursor) { return; }
    updatesCursor = line.outbox_id;
    var bubble = addBubble("bot", line.text);
    bubble.classList.add("msg--update");
  }

  async function pollUpdates() {
    if (updatesInFlight || document.hidden) { return; }
    updatesInFlight = true;
    try {
      var url = BASE + "/updates?session_id=" + encodeURIComponent(sessionId()) + "&after=" + updatesCursor;
      var response = await fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" });
      if (response.ok) { ((await response.json()).messages || []).forEach(showUpdate); }
    } catch (e) {
      /* offline for a moment: the next tick asks again from the same cursor */
    } finally {
      updatesInFlight = false;
    }
  }

  function startUpdates() {
    if (updatesTimer === null) { updatesTimer = window.setInterval(pollUpdates, UPDATES_INTERVAL_MS); }
  }

  function stopUpdates() {
    if (updatesTimer !== null) { window.clearInterval(updatesTimer); updatesTimer = null; }
  }

  /* A hidden tab does not poll; coming back asks at once, then every few seconds again. */
  document.addEventListener("visibilitychange", function () {
    if (document.hidden) { stopUpdates(); return; }
    pollUpdates();
    startUpdates();
  });

  /* ---------- composer, location, photo ---------- */

  function submitComposer() {
    var text = textbox.value.trim();
    if (!text) { textbox.focus(); return; }
    if (text.length > MAX_TEXT_CHARS) {
      showError("Your message is too long (" + text.length + " characters). The limit is " + MAX_TEXT_CHARS + ".", false);
      textbox.focus();
      return;
    }
    if (pending && pending.fromComposer && pending.text === text) { send(pending); return; }
    if (pending && pending.bubble) { setBubbleState(pending.bubble, "failed", "Not sent"); pending = null; }
    send({ text: text, display: text, metadata: {}, fromComposer: true });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    submitComposer();
  });

  textbox.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      submitComposer();
    }
  });

  retryButton.addEventListener("click", function () {
    if (pending) { send(pending); }
  });

  function locationDeniedMessage(error) {
    if (error && error.code === 1) {
      return "Location sharing is turned off for this page. Please type the street address or a nearby landmark instead.";
    }
    return "We could not find your location. Please type the street address or a nearby landmark instead.";
  }

  locationButton.addEventListener("click", function () {
    hideError();
    if (!navigator.geolocation) {
      showError("This browser cannot share your location. Please type the street address instead.", false);
      textbox.focus();
      return;
    }
    setStatus("Finding your location…");
    navigator.geolocation.getCurrentPosition(function (position) {
      setStatus("");
      var lat = position.coords.latitude;
      var lon = position.coords.longitude;
      var text = "My location: " + lat.toFixed(5) + ", " + lon.toFixed(5);
      send({ text: text, display: text, metadata: { location: { latitude: lat, longitude: lon } }, fromComposer: false });
    }, function (error) {
      setStatus("");
      showError(locationDeniedMessage(error), false);
      textbox.focus();
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  function megabytes(bytes) { return (bytes / (1024 * 1024)).toFixed(1); }

  async function uploadPhoto(file) {
    var data = new FormData();
    data.append("session_id", sessionId());
    data.append("photo", file, file.name);
    var response;
    try {
      response = await fetch(BASE + "/upload", { method: "POST", body: data });
    } catch (networkError) {
      return { error: "The photo could not be uploaded. Check your connection and try again." };
    }
    var body = await readJson(response);
    if (response.ok && body.attachment_id) { return { id: body.attachment_id }; }
    return { error: body.error || "The photo could not be uploaded." };
  }

  photoInput.addEventListener("change", async function () {
    var file = photoInput.files && photoInput.files[0];
    photoInput.value = "";
    if (!file) { return; }
    hideError();
    if (file.type && file.type.indexOf("image/") !== 0) {
      showError("That file is not a photo. Please choose an image (JPEG, PNG, GIF or WebP).", false);
      return;
    }
    if (MAX_PHOTO_BYTES && file.size > MAX_PHOTO_BYTES) {
      showError("That photo is " + megabytes(file.size) + " MB; the limit is " + megabytes(MAX_PHOTO_BYTES) + " MB. Please choose a smaller photo.", false);
      return;
    }
    if (busy) { setStatus("Please wait for the answer to your last message."); return; }
    setStatus("Uploading photo…");
    var uploaded = await uploadPhoto(file);
    setStatus("");
    if (uploaded.error) { showError(uploaded.error, false); return; }
    // The file name stays out of the conversation: it can hold personal details.
    send({ text: "Photo attached", display: "Photo attached", metadata: { attachments: [uploaded.id] }, fromComposer: false });
  });

  /* ---------- start: redraw the conversation so a reload loses nothing ---------- */

  function loadTitles() {
    try { return JSON.parse(window.localStorage.getItem(TITLES_KEY) || "{}") || {}; } catch (e) { return {}; }
  }

  /* The server keeps what Rasa got (a button's payload, e.g. "/affirm"); the citizen saw the
     button's title ("Yes", or "Submit" for the same payload). Titles are kept per payload in the
     order they were sent, so the n-th "/affirm" in the history gets the n-th title. */
  function rememberTitle(payload, title) {
    var titles = loadTitles();
    var list = Array.isArray(titles[payload]) ? titles[payload] : [];
    list.push(title);
    titles[payload] = list.slice(-TITLES_KEPT);
    try { window.localStorage.setItem(TITLES_KEY, JSON.stringify(titles)); } catch (e) { /* optional */ }
  }

  function titleFor(text, titles, seen) {
    var list = titles[text];
    if (!Array.isArray(list)) { return text; }
    var index = seen[text] || 0;
    seen[text] = index + 1;
    return list[index] || text;
  }

  async function restore() {
    var history;
    try { history = await fetchHistory(); } catch (e) { return; }
    var lines = history.lines || [];
    var titles = loadTitles();
    var seen = {};
    lines.forEach(function (line, index) {
      if (line.role === "citizen") {
        addBubble("user", titleFor(line.text, titles, seen));
        return;
      }
      if (line.outbox_id) { showUpdate(line); return; }
      var isLast = index === lines.length - 1;
      renderReply({ text: line.text, buttons: line.buttons || [], image: line.image }, isLast);
    });
  }

  textbox.setAttribute("maxlength", String(MAX_TEXT_CHARS));
  sessionId();
  // The transcript first, so a new message cannot land above it: one sent meanwhile waits
  // (it used to be refused with "Please wait for the answer to your last message").
  restoring = restore().then(function () {
    restoring = null;
    if (!document.hidden) { startUpdates(); }
  });
})();
