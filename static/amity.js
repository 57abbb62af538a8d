/* Amity's page behaviour. It lives in this one file because the Content-Security-Policy
   forbids inline scripts and event-handler attributes: templates mark elements with
   data-* attributes instead. */
(function () {
  "use strict";

  // <select data-submit-on-change>: choosing a value reloads the page with it.
  document.querySelectorAll("[data-submit-on-change]").forEach(function (field) {
    field.addEventListener("change", function () { field.form.submit(); });
  });

  // <button data-print>: prints the page.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // <form data-confirm="Question?">: asks before sending.
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.dataset.confirm)) { event.preventDefault(); }
    });
  });

  // <button data-copy="#field" data-copy-status="#status">: copies a read-only field.
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var input = document.querySelector(button.dataset.copy);
    var status = document.querySelector(button.dataset.copyStatus);
    if (!input) { return; }
    var say = function (text) { if (status) { status.textContent = text; } };
    input.addEventListener("focus", function () { input.select(); });
    button.addEventListener("click", function () {
      input.select();
      var done = function () { say("Copied."); };
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () { say("Press Ctrl+C to copy."); });
      } else {
        say(document.execCommand("copy") ? "Copied." : "Press Ctrl+C to copy.");
      }
    });
  });
})();
