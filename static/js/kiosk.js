/* On a kiosk's own browser: after KIOSK_IDLE_SECONDS without input, warn; after
   KIOSK_WARNING_SECONDS more, wipe the journey and bring back the kiosk's screen. */
(function () {
  "use strict";
  var dialog = document.getElementById("kiosk-idle");
  var leave = document.getElementById("kiosk-leave");
  if (!dialog || !leave) return;
  var idleMs = Number(dialog.getAttribute("data-idle-seconds")) * 1000;
  var warningMs = Number(dialog.getAttribute("data-warning-seconds")) * 1000;
  var idleTimer, wipeTimer;

  function wipe() { leave.submit(); }
  function warn() {
    if (!dialog.open) dialog.showModal();
    wipeTimer = setTimeout(wipe, warningMs);
  }
  function restart() {
    clearTimeout(idleTimer);
    clearTimeout(wipeTimer);
    idleTimer = setTimeout(warn, idleMs);
  }
  ["keydown", "pointerdown", "input", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { if (!dialog.open) restart(); }, true);
  });
  dialog.querySelector("[data-still-here]").addEventListener("click", function () {
    dialog.close();
    restart();
    fetch(location.href, {credentials: "same-origin"}); // the server counts idle time too
  });
  dialog.addEventListener("cancel", function () { restart(); });
  restart();
})();
