// FAQ editor: a live SMS counter under each answer (characters, GSM-7 or UCS-2, segments),
// counted by the server with the same code the SMS channel sends with. Progressive
// enhancement: without JavaScript the editor's saved-version preview still shows it all.
(function () {
  "use strict";
  var form = document.getElementById("faq-form");
  if (!form || !window.fetch) { return; }
  var csrf = form.querySelector("input[name=csrf_token]");
  var links = document.getElementById("links");
  var timers = {};

  function describe(result) {
    var text = result.characters + " characters, " + result.encoding + ", " +
      result.segments + " SMS segment" + (result.segments === 1 ? "" : "s") +
      " (with links)";
    if (result.non_gsm_characters.length) {
      text += ". UCS-2 because of: " + result.non_gsm_characters.join(" ");
    }
    if (!result.telegram_fits) { text += ". Too long for one Telegram message."; }
    return text;
  }

  function update(answer) {
    var counter = document.getElementById(answer.getAttribute("data-counter"));
    if (!counter) { return; }
    if (!answer.value.trim()) { counter.textContent = ""; return; }
    fetch("/faq/preview.json", {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": csrf ? csrf.value : ""},
      body: JSON.stringify({text: answer.value, links: links ? links.value : ""})
    }).then(function (response) {
      if (!response.ok) { throw new Error("preview " + response.status); }
      return response.json();
    }).then(function (result) {
      counter.textContent = describe(result);
    }).catch(function () {
      counter.textContent = "";
    });
  }

  function schedule(answer) {
    var key = answer.id;
    window.clearTimeout(timers[key]);
    timers[key] = window.setTimeout(function () { update(answer); }, 300);
  }

  var answers = form.querySelectorAll("textarea.faq-answer");
  Array.prototype.forEach.call(answers, function (answer) {
    answer.addEventListener("input", function () { schedule(answer); });
    update(answer);
  });
  if (links) {
    links.addEventListener("input", function () {
      Array.prototype.forEach.call(answers, schedule);
    });
  }
}());
