// The door's service worker: the door screen and its assets from the
// network when it answers, else from the copy the screen kept (the screen
// puts itself in the "escale-door" cache each time it opens online). Nothing
// else of the console is touched, and no list of people is kept here: the
// day's list lives in the screen's storage, wiped at sign-out
// (Clear-Site-Data) and after the stop's day.
"use strict";
var CACHE = "escale-door";
var DOOR = /^\/console\/stops\/[0-9a-fA-F-]{32,36}\/door$/;
self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
function timeout(ms) {
  return new Promise(function (_, reject) { setTimeout(function () { reject(new Error("timeout")); }, ms); });
}
self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  var door = request.mode === "navigate" && DOOR.test(url.pathname);
  if (!door && !url.pathname.startsWith("/assets/")) return;
  event.respondWith(
    // A venue's network that hangs is no network: the copy after 4 s.
    Promise.race([fetch(request), timeout(4000)]).then(function (response) {
      if (response.ok && !response.redirected) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    }).catch(function () {
      return caches.match(request).then(function (hit) {
        return hit || caches.match(request, { ignoreSearch: true }).then(function (any) {
          return any || Response.error();
        });
      });
    })
  );
});
