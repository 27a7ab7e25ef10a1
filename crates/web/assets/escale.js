// Small progressive enhancement; every page works without it.
"use strict";
document.documentElement.classList.add("js");
document.addEventListener("submit", function (event) {
  // One tap, one post: a second tap while the first is on its way is ignored
  // (the server also answers a repeated form with the first answer).
  var form = event.target;
  if (!form.hasAttribute("data-once")) return;
  if (form.getAttribute("data-sent")) { event.preventDefault(); return; }
  form.setAttribute("data-sent", "1");
  var button = form.querySelector("button[type=submit]");
  if (button) button.setAttribute("aria-busy", "true");
});
document.addEventListener("click", function (event) {
  var link = event.target.closest && event.target.closest("[data-print]");
  if (!link) return;
  event.preventDefault();
  window.print();
});
// The door: a buzz (and a tone, where sound is allowed) after each scan,
// short for a welcome, long for a refusal; the count kept live while the
// screen is shown and online.
(function () {
  var answer = document.querySelector("[data-door]");
  if (answer) {
    var ok = answer.getAttribute("data-door") === "ok";
    if (navigator.vibrate) navigator.vibrate(ok ? 80 : [200, 100, 200]);
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      var audio = new Ctx();
      var tone = audio.createOscillator();
      tone.frequency.value = ok ? 880 : 220;
      tone.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + (ok ? 0.12 : 0.4));
    } catch (e) { /* no sound here: the screen says it */ }
  }
  var counts = document.querySelector("[data-counts]");
  if (!counts) return;
  setInterval(function () {
    if (document.hidden || !navigator.onLine) return;
    fetch(counts.getAttribute("data-counts"), { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (c) { if (c && c.text) counts.textContent = c.text; })
      .catch(function () { /* offline: the last count stays */ });
  }, 5000);
})();
