/* Sésame: what JavaScript adds on top of plain HTML forms.
   - After HTMX swaps a step in: focus the error summary, or else the new heading.
   - The language switch returns to the address the person is on now (HTMX changes it).
   - A network failure during a swap is said in the status region. */
(function () {
  "use strict";

  function focusStep(event) {
    // A poll (an element with its own trigger) updates in place: focus stays where it is.
    var detail = event.detail || {};
    var source = (detail.requestConfig && detail.requestConfig.elt) || detail.elt;
    if (source && source.getAttribute && source.getAttribute("data-hx-trigger")) return;
    var step = document.getElementById("wizard-step");
    if (!step || !(event.target === step || event.target.contains(step) || step.contains(event.target))) return;
    var target = document.getElementById("error-summary") || document.getElementById("step-heading");
    if (target) target.focus();
  }
  document.addEventListener("htmx:afterSettle", focusStep); // htmx 2
  document.addEventListener("htmx:after:settle", focusStep); // htmx 4

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

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-captcha-widget]").forEach(function (el) { el.hidden = false; });
    countdowns(document);
  });
  document.addEventListener("htmx:afterSettle", function () { countdowns(document); });
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-captcha-widget]").forEach(function (el) { el.hidden = false; });
  });
})();
