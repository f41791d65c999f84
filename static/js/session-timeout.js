/* Signed in: warn before the session ends for lack of activity (WCAG 2.2.1, Timing
   Adjustable), with the time left and a button to stay signed in.

   The server decides. Before warning, and again when the time is up, the script asks it
   how long is left (another tab may have kept the session alive); every HTMX request
   counts as activity too. Every 30 seconds of the warning, and when it opens, the time
   left is said in words in an assertive live region; the visible countdown is not live.
   Without JavaScript the dialog never opens and the server ends the session the same. */
(function () {
  "use strict";
  var dialog = document.getElementById("session-timeout");
  if (!dialog || typeof dialog.showModal !== "function" || !window.fetch) return;
  var data = dialog.dataset;
  var warningSeconds = Number(data.warningSeconds);
  var idleSeconds = Number(data.idleSeconds);
  var countdown = dialog.querySelector("[data-timeout-countdown]");
  var announcer = dialog.querySelector("[data-timeout-announce]");
  var stayForm = document.getElementById("session-timeout-stay");
  var announcements = JSON.parse(data.announcements || "{}");
  var checkTimer, tickTimer, deadline;

  function schedule(secondsLeft) {
    clearTimeout(checkTimer);
    checkTimer = setTimeout(check, Math.max(0, secondsLeft - warningSeconds) * 1000);
  }

  function secondsLeftOnServer() {
    return fetch(data.statusUrl, {credentials: "same-origin", cache: "no-store",
                                  headers: {Accept: "application/json"}})
      .then(function (response) { return response.ok ? response.json() : {seconds_left: 0}; })
      .then(function (body) { return Number(body.seconds_left) || 0; });
  }

  function check() {
    secondsLeftOnServer().then(function (left) {
      if (left > warningSeconds + 1) schedule(left); // kept alive elsewhere
      else warn(left);
    }, function () { warn(warningSeconds); });
  }

  function clock(seconds) {
    return Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
  }

  function warn(left) {
    deadline = Date.now() + left * 1000;
    if (!dialog.open) dialog.showModal();
    clearInterval(tickTimer);
    tick(true);
    tickTimer = setInterval(tick, 1000);
  }

  function tick(first) {
    var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    countdown.textContent = data.timeTemplate.replace("{}", clock(left));
    var words = announcements[String(left)];
    if (first === true && !words) {
      // The first announcement: the nearest moment in words at or above the time left.
      var moments = Object.keys(announcements).map(Number).filter(function (s) { return s >= left; });
      words = moments.length ? announcements[String(Math.min.apply(null, moments))] : countdown.textContent;
    }
    if (words) announcer.textContent = words;
    if (left <= 0) {
      clearInterval(tickTimer);
      timeIsUp();
    }
  }

  function timeIsUp() {
    secondsLeftOnServer().then(function (left) {
      if (left > warningSeconds) { close(); schedule(left); } // kept alive elsewhere
      else if (left > 0) warn(left); // a moment more: the server has the last word
      else location.assign(data.expiredUrl);
    }, function () { location.assign(data.expiredUrl); });
  }

  function close() {
    clearInterval(tickTimer);
    announcer.textContent = "";
    if (dialog.open) dialog.close();
  }

  function stay() {
    fetch(stayForm.action, {method: "POST", body: new FormData(stayForm), credentials: "same-origin",
                            headers: {Accept: "application/json"}})
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (body) {
        close();
        var status = document.getElementById("wizard-status");
        if (status) status.textContent = data.stayed;
        schedule(Number(body.seconds_left) || idleSeconds);
      }, function () { stayForm.submit(); });
  }

  stayForm.addEventListener("submit", function (event) {
    event.preventDefault();
    stay();
  });
  // Escape is an action of the person too: it keeps them signed in.
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    stay();
  });
  ["htmx:afterRequest", "htmx:after:request"].forEach(function (name) {
    document.addEventListener(name, function () { if (!dialog.open) schedule(idleSeconds); });
  });
  schedule(Number(data.secondsLeft));
})();
