/*
 * Escalation pages, kept live (vanilla JS, no build step, no inline script: the console's CSP).
 *
 * Progressive enhancement: every action is a plain form that works without this file. With it:
 * - the queue (/escalations) re-reads /escalations/queue.json every 2 s and redraws its tables;
 * - a conversation (/escalations/<id>) asks messages.json?after=<cursor> every 2 s for lines
 *   newer than the cursor only, and updates "pending" to "sent" as the outbox delivers;
 * - the reply form posts in the background; a failed send keeps its client_message_id, so
 *   sending again can never reach the citizen twice (the server deduplicates on it).
 * Everything the server sends is inserted with textContent, never as HTML.
 */
(function () {
  "use strict";

  var POLL_MS = 2000;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); } // signed out: the server redirects to login
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      });
  }

  function every(ms, task) {
    function tick() {
      task().catch(function () { /* a missed poll is retried on the next tick */ })
        .then(function () { window.setTimeout(tick, ms); });
    }
    window.setTimeout(tick, ms);
  }

  function waited(seconds) {
    if (seconds < 60) { return "under a minute"; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + " min"; }
    return Math.floor(seconds / 3600) + " h " + Math.floor((seconds % 3600) / 60) + " min";
  }

  function caseCell(item) {
    if (!item.case_reference) { return el("span", "muted", "none"); }
    var link = el("a", null, item.case_reference);
    link.href = "/cases/" + encodeURIComponent(item.case_reference);
    return link;
  }

  function cell(row, content) {
    var td = el("td");
    if (typeof content === "string") { td.textContent = content; } else { td.appendChild(content); }
    row.appendChild(td);
    return td;
  }

  /* ---------- the queue ---------- */

  function waitingRow(item, csrf) {
    var row = el("tr");
    row.dataset.id = item.id;
    var age = cell(row, waited(item.waiting_seconds));
    if (item.flagged) { age.appendChild(document.createTextNode(" ")); age.appendChild(el("span", "tag flagged", "Overdue")); }
    cell(row, item.channel); cell(row, item.language_name); cell(row, item.reason_label);
    cell(row, caseCell(item));
    var actions = cell(row, "");
    var view = el("a", null, "View");
    view.href = "/escalations/" + item.id;
    var form = el("form", "inline-form");
    form.method = "post";
    form.action = "/escalations/" + item.id + "/claim";
    var token = el("input");
    token.type = "hidden"; token.name = "csrf_token"; token.value = csrf;
    var button = el("button", null, "Claim");
    button.type = "submit";
    form.appendChild(token); form.appendChild(button);
    actions.appendChild(view); actions.appendChild(document.createTextNode(" ")); actions.appendChild(form);
    return row;
  }

  function claimedRow(item) {
    var row = el("tr");
    row.dataset.id = item.id;
    cell(row, item.claimed_by_name + (item.mine ? " (you)" : ""));
    cell(row, item.channel); cell(row, item.language_name); cell(row, item.reason_label);
    cell(row, caseCell(item));
    var open = el("a", null, "Open");
    open.href = "/escalations/" + item.id;
    cell(row, open);
    return row;
  }

  function fill(body, items, build, emptyText) {
    var focused = document.activeElement && body.contains(document.activeElement);
    if (focused) { return; } // never pull a button from under the keyboard; redraw next time
    while (body.firstChild) { body.removeChild(body.firstChild); }
    if (!items.length) {
      var row = el("tr", "empty");
      var td = el("td", null, emptyText);
      td.colSpan = 6;
      row.appendChild(td);
      body.appendChild(row);
    }
    items.forEach(function (item) { body.appendChild(build(item)); });
  }

  function startQueue(section) {
    var csrf = section.dataset.csrf || "";
    var summary = document.getElementById("queue-summary");
    every(POLL_MS, function () {
      return getJSON(section.dataset.queueUrl).then(function (queue) {
        fill(document.getElementById("queue-waiting"), queue.waiting,
          function (item) { return waitingRow(item, csrf); }, "Nobody is waiting for a person.");
        fill(document.getElementById("queue-claimed"), queue.claimed, claimedRow,
          "No conversation is with a caseworker.");
        var flagged = queue.waiting.filter(function (item) { return item.flagged; }).length;
        summary.textContent = queue.waiting.length + " waiting" +
          (flagged ? ", " + flagged + " flagged as overdue" : "") + ".";
      });
    });
  }

  /* ---------- one conversation ---------- */

  var WHO = { citizen: "Citizen", staff: "Caseworker", city: "City notice" };

  function lineItem(line) {
    var item = el("li", "line line--" + line.role);
    item.dataset.id = line.id;
    item.appendChild(el("span", "line-who", WHO[line.role] || line.role));
    var time = el("time", null, (line.at || "").slice(11, 16) + " UTC");
    time.dateTime = line.at || "";
    item.appendChild(time);
    item.appendChild(el("p", "line-text", line.text));
    if (line.delivery) {
      var delivery = el("span", "line-delivery", line.delivery);
      delivery.dataset.delivery = line.delivery;
      item.appendChild(delivery);
    }
    return item;
  }

  function addLines(list, lines) {
    lines.forEach(function (line) {
      if (!list.querySelector('[data-id="' + line.id + '"]')) { list.appendChild(lineItem(line)); }
    });
    document.getElementById("conversation-empty").hidden = list.children.length > 0;
  }

  function updateDelivery(list, states) {
    Object.keys(states || {}).forEach(function (id) {
      var label = list.querySelector('[data-id="' + id + '"] .line-delivery');
      if (label && label.dataset.delivery !== states[id]) {
        label.dataset.delivery = states[id];
        label.textContent = states[id];
      }
    });
  }

  function noticeChange(section, escalation) {
    if (escalation.status === section.dataset.status &&
        (escalation.claimed_by || "") === section.dataset.claimedBy) { return; }
    var draft = document.getElementById("reply-text");
    if (!draft || !draft.value.trim()) { window.location.reload(); return; }
    document.getElementById("escalation-changed").hidden = false; // keep the caseworker's draft
  }

  function startConversation(section) {
    var list = document.getElementById("conversation-lines");
    every(POLL_MS, function () {
      var url = section.dataset.messagesUrl + "?after=" + encodeURIComponent(section.dataset.cursor);
      return getJSON(url).then(function (page) {
        addLines(list, page.lines);
        section.dataset.cursor = page.cursor;
        updateDelivery(list, page.delivery);
        noticeChange(section, page.escalation);
      });
    });
    var form = document.getElementById("reply-form");
    if (form) { enhanceReply(form, list); }
  }

  function newClientId() {
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.prototype.map.call(bytes, function (b) { return b.toString(16).padStart(2, "0"); }).join("");
  }

  function enhanceReply(form, list) {
    var text = document.getElementById("reply-text");
    var error = document.getElementById("reply-error");
    var button = form.querySelector("button[type=submit]");
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (!text.value.trim()) { text.focus(); return; }
      var data = new FormData(form);
      button.disabled = true;
      error.hidden = true;
      fetch(form.action, {
        method: "POST", credentials: "same-origin", body: new URLSearchParams(data),
        headers: { Accept: "application/json", "X-CSRF-Token": data.get("csrf_token") }
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        if (!result.ok) { throw new Error(result.body.error || "The reply was not sent."); }
        addLines(list, [result.body.line]);
        text.value = "";
        form.elements.client_message_id.value = newClientId(); // the next message is a new one
      }).catch(function (problem) {
        error.textContent = (problem && problem.message ? problem.message : "The reply was not sent.") +
          " Press Send again: it will not reach the citizen twice.";
        error.hidden = false;
      }).then(function () { button.disabled = false; });
    });
  }

  var queue = document.getElementById("escalation-queue");
  if (queue) { startQueue(queue); }
  var conversation = document.getElementById("escalation");
  if (conversation) { startConversation(conversation); }
})();
