// Self-service terminals: warn before an idle sign-in ends, then save, sign out and return to the kiosk page.
//
// The server ends a terminal's sign-in KIOSK_IDLE_SECONDS after its last request (accounts/middleware.py).
// This page counts from its own last request and signs out a few seconds earlier, so nothing it sends
// finds the sign-in gone. Reading or typing sends no request, so while someone is busy the page asks the
// kiosk page whether the sign-in is alive, which renews it. The markup is templates/_kiosk_idle.html.
(function () {
  "use strict";
  var box = document.getElementById("kiosk-idle");
  if (!box) return;
  var idleMs = Number(box.dataset.idleSeconds) * 1000;
  var marginMs = Math.min(10000, idleMs / 6);
  var warnMs = Math.min(30000, idleMs / 3);
  // Someone busy without requests renews the sign-in at most this often.
  var renewEveryMs = Math.min(30000, idleMs / 4);
  var left = document.getElementById("kiosk-idle-left");
  var signOutForm = document.getElementById("kiosk-idle-sign-out");
  var lastRequest = Date.now();  // this page is the answer to one
  var saving = [];  // htmx requests on their way (autosave of the form), with when each was sent
  var asking = false;
  var leaving = false;

  function ask() {
    if (asking || leaving) return;
    asking = true;
    var sent = Date.now();
    var options = { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } };
    if (window.AbortSignal && AbortSignal.timeout) options.signal = AbortSignal.timeout(10000);
    fetch(box.dataset.kioskUrl, options)
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (answer && !answer.signed_in) {
          // Ended already (by the server, or on another page): show the start page, not this one.
          leaving = true;
          window.location.assign(box.dataset.kioskUrl);
          return;
        }
        if (answer) lastRequest = Math.max(lastRequest, sent);
        document.body.style.visibility = "";
      })
      .catch(function () { document.body.style.visibility = ""; })  // network trouble: the next touch asks again
      .then(function () { asking = false; tick(); });
  }

  // A page shown again by Back (from memory or the cache) may belong to a sign-in that has ended:
  // it stays hidden until the server says someone is still signed in.
  function askBeforeShowing() {
    leaving = false;
    document.body.style.visibility = "hidden";
    ask();
  }

  function activity() {
    if (!leaving && Date.now() - lastRequest >= renewEveryMs) ask();
  }

  function signOut() {
    leaving = true;
    // Nothing typed is lost: leaving the field sends its autosave (its change event), and the
    // sign-out waits for the saves on their way (at most half a minute).
    var field = document.activeElement;
    if (field && field !== document.body && typeof field.blur === "function") field.blur();
    var waited = 0;
    (function whenSaved() {
      if (saving.length && waited < 30000) {
        waited += 200;
        window.setTimeout(whenSaved, 200);
        return;
      }
      signOutForm.submit();
    })();
  }

  function tick() {
    if (leaving || asking || saving.length) return;
    var remaining = lastRequest + idleMs - marginMs - Date.now();
    if (remaining <= 0) {
      signOut();
    } else if (remaining <= warnMs) {
      left.textContent = String(Math.ceil(remaining / 1000));
      box.hidden = false;
    } else {
      box.hidden = true;
    }
  }

  ["pointerdown", "keydown", "input", "wheel", "scroll"].forEach(function (name) {
    document.addEventListener(name, activity, { capture: true, passive: true });
  });
  document.getElementById("kiosk-idle-continue").addEventListener("click", ask);

  // A save counts as activity: its request renews the sign-in on the server.
  document.body.addEventListener("htmx:beforeSend", function (event) {
    saving.push({ xhr: event.detail.xhr, sent: Date.now() });
  });
  function saved(event) {
    var xhr = event.detail.xhr;
    saving = saving.filter(function (each) {
      if (each.xhr !== xhr) return true;
      if (xhr.status) lastRequest = Math.max(lastRequest, each.sent);  // 0: the server never answered
      return false;
    });
    tick();
  }
  ["htmx:afterRequest", "htmx:sendError", "htmx:timeout", "htmx:sendAbort"].forEach(function (name) {
    document.body.addEventListener(name, saved);
  });

  window.addEventListener("pageshow", function (event) {
    if (event.persisted) askBeforeShowing();
  });
  var navigation = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
  if (navigation && navigation.type === "back_forward") askBeforeShowing();

  window.setInterval(tick, 1000);
})();
