// The visitor's phone page works without signal: this worker keeps the page and its
// assets, and answers from them when the network is gone. Records are not its business:
// the page keeps them in IndexedDB and syncs them itself (POSTs never pass through here).
"use strict";

var CACHE = "gongzhi-surveys-v1";

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(
        keys.filter(function (k) { return k.indexOf("gongzhi-surveys-") === 0 && k !== CACHE; })
          .map(function (k) { return caches.delete(k); })
      );
    }).then(function () { return self.clients.claim(); })
  );
});

function keep(request, response) {
  if (response && response.ok && response.type === "basic") {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate") {
    // The page first from the network (fresh assignment), from the cache without signal.
    event.respondWith(
      fetch(request).then(function (response) { return keep(request, response); }).catch(function () {
        // Django varies pages on Cookie and Accept-Language; the phone has one user and one language.
        return caches.match(request, { ignoreSearch: true, ignoreVary: true }).then(function (hit) {
          return hit || new Response("", { status: 503, statusText: "offline" });
        });
      })
    );
    return;
  }
  if (url.pathname.indexOf("/static/") === 0) {
    // Static files are named by their content in production: the cached copy is right.
    event.respondWith(
      caches.match(request, { ignoreVary: true }).then(function (hit) {
        return hit || fetch(request).then(function (response) { return keep(request, response); });
      })
    );
  }
});
