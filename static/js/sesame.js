/* Sésame: what JavaScript adds on top of plain HTML forms.
   - After HTMX swaps a step in: focus the error summary, or else the new heading.
   - The language switch returns to the address the person is on now (HTMX changes it).
   - A network failure during a swap is said in the status region. */
(function () {
  "use strict";

  function focusStep(event) {
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

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-captcha-widget]").forEach(function (el) { el.hidden = false; });
  });
  document.addEventListener("htmx:afterSettle", function () {
    document.querySelectorAll("[data-captcha-widget]").forEach(function (el) { el.hidden = false; });
  });
})();
