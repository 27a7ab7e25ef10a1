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
