/* Sésame: show/hide buttons for password fields.
   Without JavaScript the buttons stay hidden and the fields are plain password inputs.
   - The button says what it will do ("Afficher" / "Masquer"); its accessible name names the field.
   - The status region says whether the password is visible.
   - Before a form is sent, every password is hidden again, so that the browser never keeps
     it as plain text (autofill, history). */
(function () {
  "use strict";

  function reveal() {
    document.querySelectorAll("[data-password-toggle]").forEach(function (button) { button.hidden = false; });
  }
  document.addEventListener("DOMContentLoaded", reveal);
  document.addEventListener("htmx:afterSettle", reveal); // htmx 2
  document.addEventListener("htmx:after:settle", reveal); // htmx 4

  function show(button, visible) {
    var input = document.getElementById(button.getAttribute("data-password-toggle"));
    if (!input) return;
    input.type = visible ? "text" : "password";
    button.textContent = button.getAttribute(visible ? "data-hide" : "data-show");
    button.setAttribute("aria-label", button.getAttribute(visible ? "data-hide-label" : "data-show-label"));
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-password-toggle]") : null;
    if (!button) return;
    var input = document.getElementById(button.getAttribute("data-password-toggle"));
    if (!input) return;
    var visible = input.type === "password";
    show(button, visible);
    var status = document.getElementById("wizard-status");
    if (status) status.textContent = button.getAttribute(visible ? "data-shown-status" : "data-hidden-status");
  });

  document.addEventListener("submit", function (event) {
    if (!event.target.querySelectorAll) return;
    event.target.querySelectorAll("[data-password-toggle]").forEach(function (button) { show(button, false); });
  }, true);
})();
