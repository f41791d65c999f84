/* Sésame: what JavaScript adds on top of plain HTML forms, where HTMX does not do it.
   HTMX itself swaps the screens in (data-hx-boost on the frame, templates/wizard/_page.html)
   and moves focus to what the server marked with autofocus (the error summary, or else the
   new heading); the live region is updated out of band by the server.
   - The language switch returns to the address the person is on now (HTMX changes it).
   - A network failure during a swap is said in the status region.
   - Waits shown in words become countdowns; the CAPTCHA's widget is shown. */
(function () {
  "use strict";

  function networkError() {
    var status = document.getElementById("wizard-status");
    if (status) status.textContent = document.body.getAttribute("data-network-error");
  }
  document.addEventListener("htmx:sendError", networkError);
  document.addEventListener("htmx:timeout", networkError);

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("language-switch")) return;
    form.querySelector("input[name=next]").value = location.pathname + location.search;
  });

  // A wait shown in words is turned into a countdown (m:ss); not a live region, so that
  // it is read when the person reaches it, not every second.
  function countdowns(root) {
    root.querySelectorAll("[data-countdown]").forEach(function (el) {
      if (el.__counting) return;
      el.__counting = true;
      var left = Number(el.getAttribute("data-countdown"));
      var template = el.getAttribute("data-countdown-template");
      var tick = setInterval(function () {
        left -= 1;
        if (left <= 0 || !document.body.contains(el)) {
          clearInterval(tick);
          el.textContent = el.getAttribute("data-countdown-done");
          return;
        }
        var seconds = String(left % 60).padStart(2, "0");
        el.textContent = template.replace("{}", Math.floor(left / 60) + ":" + seconds);
      }, 1000);
    });
  }

  // On the page, and on each screen swapped in.
  function enhance() {
    document.querySelectorAll("[data-captcha-widget]").forEach(function (el) { el.hidden = false; });
    countdowns(document);
  }
  document.addEventListener("DOMContentLoaded", enhance);
  document.addEventListener("htmx:afterSettle", enhance);
})();
