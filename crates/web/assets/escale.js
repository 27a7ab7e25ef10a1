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
// short for a welcome, long for a refusal; the counts kept live while the
// screen is shown and online; and, with the day's list kept on the device,
// answers and queued entries when the network is gone.
function escaleBuzz(ok) {
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
(function () {
  var answer = document.querySelector("[data-door]");
  if (answer) escaleBuzz(answer.getAttribute("data-door") === "ok");
  // Lists of past days are wiped wherever the console is opened (the queue
  // stays until it is sent: those people are inside).
  try {
    Object.keys(localStorage).forEach(function (k) {
      if (!/^escale\.door\.list\./.test(k)) return;
      var kept = JSON.parse(localStorage.getItem(k) || "null");
      if (!kept || kept.until < Date.now()) localStorage.removeItem(k);
    });
  } catch (e) { /* storage refused: nothing kept, nothing to wipe */ }
  var app = document.querySelector("[data-door-app]");
  if (!app) {
    // The dashboard: the checked-in count of each stop held today follows
    // the doors.
    document.querySelectorAll("[data-live-cell]").forEach(function (el) {
      setInterval(function () {
        if (document.hidden || !navigator.onLine) return;
        fetch(el.getAttribute("data-live-cell"), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (c) { if (c && c.cell) el.textContent = c.cell; })
          .catch(function () {});
      }, 10000);
    });
    return;
  }
  escaleDoor(app, app.querySelector("[data-counts]"));
})();
function escaleDoor(app, counts) {
  var stop = app.getAttribute("data-stop");
  // A workshop's door keeps its own list (who is in that room) and queue.
  var session = app.getAttribute("data-session");
  var zone = app.getAttribute("data-zone");
  var lang = app.getAttribute("data-lang");
  var csrf = app.getAttribute("data-csrf");
  var listKey = "escale.door.list." + stop + (session ? "." + session : "");
  var queueKey = "escale.door.queue." + stop + (session ? "." + session : "");
  var form = app.querySelector(".door-form");
  var input = document.getElementById("code");
  var doorName = document.getElementById("door-name");
  var net = app.querySelector("[data-door-net]");
  var slot = app.querySelector("[data-door-answer]");
  var doorsList = app.querySelector("[data-door-doors]");
  var reports = app.querySelector("[data-door-reports]");
  var online = navigator.onLine;
  var syncing = false;
  function word(name, values) {
    var text = app.getAttribute("data-w-" + name) || "";
    Object.keys(values || {}).forEach(function (k) { text = text.split("{" + k + "}").join(values[k]); });
    return text;
  }
  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key) || "null") || fallback; } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* full: the answer still shows */ }
  }
  function clock(ms) {
    return new Intl.DateTimeFormat(lang, { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(ms));
  }
  function day(ms) {
    return new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date(ms));
  }
  // As the server reads a code: case, spaces and dashes forgiven, O read as
  // 0 and I, L as 1.
  function canonical(raw) {
    return raw.toUpperCase().replace(/[\s-]/g, "").replace(/O/g, "0").replace(/[IL]/g, "1");
  }
  function key() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    return Date.now().toString(36) + "-" + Math.random().toString(36).slice(2, 12);
  }
  doorName.value = localStorage.getItem("escale.door.name") || "";
  doorName.addEventListener("change", function () {
    try { localStorage.setItem("escale.door.name", doorName.value.trim()); } catch (e) {}
  });
  function show(ok, headline, detail, workshops) {
    var box = document.createElement("div");
    box.className = "door-answer " + (ok ? "ok" : "no");
    box.setAttribute("role", "alert");
    box.setAttribute("data-door", ok ? "ok" : "no");
    var mark = document.createElement("p");
    mark.className = "door-mark";
    mark.setAttribute("aria-hidden", "true");
    mark.textContent = ok ? "✓" : "✗";
    var head = document.createElement("p");
    head.className = "door-headline";
    var bdi = document.createElement("bdi");
    bdi.textContent = headline;
    head.appendChild(bdi);
    box.appendChild(mark);
    box.appendChild(head);
    if (detail) {
      var p = document.createElement("p");
      p.textContent = detail;
      box.appendChild(p);
    }
    if (workshops && workshops.length) {
      var ul = document.createElement("ul");
      ul.className = "door-workshops";
      workshops.forEach(function (w) {
        var li = document.createElement("li");
        li.textContent = w;
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    slot.replaceChildren(box);
    escaleBuzz(ok);
  }
  function report(text) {
    var li = document.createElement("li");
    li.textContent = text;
    reports.querySelector("ul").appendChild(li);
    reports.hidden = false;
  }
  function status() {
    var list = load(listKey, null);
    var queue = load(queueKey, []);
    var parts = [online ? word("online") : word("offline"), word("queued", { count: queue.length })];
    parts.push(list ? word("list", { count: list.count, time: clock(list.fetched) }) : word("no-list"));
    net.textContent = parts.join(" · ");
    if (!online && list) {
      // Offline, the count is this device's: its list and its entries.
      var confirmed = 0, inside = 0;
      Object.keys(list.byCode).forEach(function (c) {
        var p = list.byCode[c];
        if (p[2] === "c") { confirmed += 1; if (p[5]) inside += 1; }
      });
      counts.textContent = word("counts", { in: inside, confirmed: confirmed });
    }
    net.className = "door-net " + (online ? "on" : "off");
    net.setAttribute("data-queue", String(queue.length));
    net.setAttribute("data-online", online ? "1" : "0");
    net.hidden = false;
  }
  function setOnline(value) {
    if (online !== value) {
      online = value;
      if (online) { refresh(); send(); }
    }
    status();
  }
  function liveCounts(c) {
    if (!c) return;
    if (c.text) counts.textContent = c.text;
    if (c.doors) {
      doorsList.replaceChildren.apply(doorsList, c.doors.map(function (d) {
        var li = document.createElement("li");
        li.textContent = d;
        return li;
      }));
    }
  }
  function request(url, options) {
    // A venue's network that hangs is no network: give up after 5 s.
    var control = window.AbortController ? new AbortController() : null;
    var timer = control && setTimeout(function () { control.abort(); }, 5000);
    options.credentials = "same-origin";
    if (control) options.signal = control.signal;
    return fetch(url, options).then(function (r) {
      clearTimeout(timer);
      setOnline(true);
      return r;
    }, function (e) {
      clearTimeout(timer);
      setOnline(false);
      throw e;
    });
  }
  function refresh() {
    return request(app.getAttribute("data-list"), {}).then(function (r) {
      if (r.status === 401) { net.textContent = word("signed-out"); return; }
      return r.json().then(function (body) {
        if (!r.ok) {
          // Not the stop's day, or not hers to see: nothing kept.
          localStorage.removeItem(listKey);
          status();
          return;
        }
        var people = {};
        body.people.forEach(function (p) { people[p[0]] = p; });
        // Entries made here and not sent yet stay entries.
        load(queueKey, []).forEach(function (s) {
          var p = people[canonical(s.code)];
          if (p && !p[5]) p[5] = s.at;
        });
        save(listKey, { until: body.until, fetched: body.fetched, count: body.people.length, byCode: people });
        status();
      });
    }).catch(function () { status(); });
  }
  function post(batch) {
    return request(app.getAttribute("data-sync"), {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": csrf },
      body: JSON.stringify({ door: doorName.value.trim(), scans: batch }),
    });
  }
  function send() {
    var queue = load(queueKey, []);
    if (syncing || !queue.length || !online) return;
    syncing = true;
    var batch = queue.slice(0, 200);
    post(batch).then(function (r) {
      if (r.status === 401) { net.textContent = word("signed-out"); return null; }
      return r.ok ? r.json() : null;
    }).then(function (reply) {
      if (!reply) return;
      var done = {};
      reply.answers.forEach(function (a) {
        done[a.key] = true;
        if (a.outcome === "conflict" || a.outcome === "refused" || a.outcome === "unknown") {
          report(word("conflict") + " — " + a.message);
        }
      });
      save(queueKey, load(queueKey, []).filter(function (s) { return !done[s.key]; }));
      liveCounts(reply.counts);
    }).catch(function () {}).then(function () {
      syncing = false;
      status();
      if (online && load(queueKey, []).length) setTimeout(send, 500);
    });
  }
  function local(code) {
    var list = load(listKey, null);
    var canon = canonical(code);
    var p = list && list.byCode && list.byCode[canon];
    if (!p) return show(false, word("unknown"), "", []);
    if (p[2] === "x") return show(false, word("cancelled", { date: day(p[4] || Date.now()), time: clock(p[4] || Date.now()) }), "", []);
    if (p[2] === "w") return show(false, word("waitlisted", { position: p[3] || "" }), "", []);
    if (session && (p[7] || []).indexOf(session) < 0) return show(false, word("no-seat"), "", []);
    if (p[5]) return show(false, word("already", { name: p[1], time: clock(p[5]) }), "", []);
    var at = Date.now();
    p[5] = at;
    save(listKey, list);
    var queue = load(queueKey, []);
    queue.push({ key: key(), code: canon, at: at, offline: true });
    save(queueKey, queue);
    show(true, p[1], word("saved"), p[6]);
    status();
  }
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var code = input.value.trim();
    if (!code) return;
    input.value = "";
    input.focus();
    if (!online) { local(code); return; }
    post([{ key: key(), code: code, at: Date.now(), offline: false }]).then(function (r) {
      if (r.status === 401) { net.textContent = word("signed-out"); local(code); return; }
      // The server is there but cannot answer (its database is away): the
      // door keeps going on its list, as with no network.
      if (r.status >= 500) { local(code); return; }
      return r.json().then(function (reply) {
        if (!r.ok || !reply.answers) { show(false, reply.error || "", code, []); return; }
        var a = reply.answers[0];
        if (a.outcome === "admitted") show(true, a.name, a.message, a.workshops);
        else show(false, a.message, a.outcome === "unknown" ? code : "", []);
        liveCounts(reply.counts);
        // The list on the device learns what the server said.
        var list = load(listKey, null);
        var p = list && list.byCode && list.byCode[canonical(code)];
        if (p && (a.outcome === "admitted" || a.outcome === "already")) {
          p[5] = a.first || Date.now();
          save(listKey, list);
        }
      });
    }).catch(function () { local(code); });
  });
  // Signing out wipes this device (the server says so: Clear-Site-Data);
  // entries not sent yet are said first.
  document.querySelectorAll("form[action^='/console/logout']").forEach(function (f) {
    f.addEventListener("submit", function (event) {
      if (load(queueKey, []).length && !window.confirm(word("leave"))) event.preventDefault();
    });
  });
  // The camera, where the browser reads QR codes itself.
  var cameraButton = app.querySelector("[data-door-camera]");
  var video = app.querySelector("[data-door-video]");
  var inputs = app.querySelector("[data-door-inputs]");
  var camera = "BarcodeDetector" in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia;
  inputs.textContent = camera ? word("inputs-camera") : word("inputs-plain");
  if (camera) {
    var stream = null;
    var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
    var stopCamera = function () {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
      cameraButton.textContent = word("camera");
    };
    var look = function () {
      if (!stream) return;
      detector.detect(video).then(function (found) {
        if (found.length) {
          input.value = found[0].rawValue;
          stopCamera();
          form.requestSubmit();
        } else {
          setTimeout(look, 250);
        }
      }, function () { setTimeout(look, 500); });
    };
    cameraButton.hidden = false;
    cameraButton.addEventListener("click", function () {
      if (stream) { stopCamera(); return; }
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        cameraButton.textContent = word("camera-stop");
        return video.play().then(look);
      }).catch(function () {
        inputs.textContent = word("inputs-plain");
        cameraButton.hidden = true;
      });
    });
  }
  window.addEventListener("online", function () { setOnline(true); });
  window.addEventListener("offline", function () { setOnline(false); });
  setInterval(function () {
    if (document.hidden) return;
    request(counts.getAttribute("data-counts"), {})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(liveCounts)
      .catch(function () {});
    send();
  }, 5000);
  setInterval(function () { if (online) refresh(); }, 60000);
  // The app: installable, and the screen opens with no network once it has
  // been opened with one (the worker serves it and its assets from a cache).
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register("/console/door-sw.js", { scope: "/console/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      if (!online || !window.caches) return;
      var assets = Array.prototype.map.call(document.querySelectorAll("link[rel=stylesheet], script[src]"), function (el) {
        return el.href || el.src;
      });
      return caches.open("escale-door").then(function (cache) {
        return cache.addAll([location.href].concat(assets));
      });
    }).catch(function () { /* no worker here: the screen works while online */ });
  }
  status();
  refresh().then(send);
}
