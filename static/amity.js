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

  // <select data-lookup="/lookup/people/">: a search box in its place that offers the
  // first matches as one types (a list of every person would weigh megabytes). The
  // select stays in the form, hidden, holding the id of the record chosen.
  document.querySelectorAll("select[data-lookup]").forEach(function (select) {
    var box = document.createElement("input");
    var list = document.createElement("datalist");
    box.type = "search";
    box.id = select.id + "-search";
    box.className = select.className.replace("form-select", "form-control");
    box.autocomplete = "off";
    box.placeholder = select.dataset.placeholder || "";
    list.id = select.id + "-matches";
    box.setAttribute("list", list.id);
    Array.prototype.forEach.call(select.labels || [], function (label) { label.htmlFor = box.id; });
    var chosen = select.options[select.selectedIndex];
    box.value = chosen && chosen.value ? chosen.text : "";
    select.hidden = true;
    select.after(box, list);

    var offered = {};  // the text of each match offered -> its id
    var asked = "";
    var timer = null;
    var choose = function (id, text) {
      var option = Array.prototype.find.call(select.options, function (o) { return o.value === id; });
      if (!option) { option = new Option(text, id); select.add(option); }
      if (select.value !== id) {
        select.value = id;
        select.dispatchEvent(new Event("change", { bubbles: true }));
      }
      box.setCustomValidity("");
    };
    var ask = function (text) {
      asked = text;
      fetch(select.dataset.lookup + "?q=" + encodeURIComponent(text), {
        credentials: "same-origin", headers: { Accept: "application/json" }
      }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      }).then(function (data) {
        if (text !== asked) { return; }  // an answer to an earlier question
        offered = {};
        list.replaceChildren();
        data.results.forEach(function (match) {
          // Two records may read alike (two Kim Min-juns of one city): the id tells them apart.
          var text = Object.prototype.hasOwnProperty.call(offered, match.text)
            ? match.text + " · #" + match.id : match.text;
          offered[text] = String(match.id);
          var option = document.createElement("option");
          option.value = text;
          list.appendChild(option);
        });
        if (Object.prototype.hasOwnProperty.call(offered, box.value)) {
          choose(offered[box.value], box.value);
        }
      });
    };
    box.addEventListener("input", function () {
      var text = box.value;
      if (Object.prototype.hasOwnProperty.call(offered, text)) { choose(offered[text], text); return; }
      if (!text.trim()) { choose("", ""); return; }
      clearTimeout(timer);
      timer = setTimeout(function () { ask(text); }, 200);
    });
    // Text that is not one of the matches is not a choice: say so rather than keep the
    // record chosen before.
    var check = function () {
      var current = select.options[select.selectedIndex];
      var stands = !box.value.trim() || (current && current.value && current.text === box.value);
      box.setCustomValidity(stands ? "" : select.dataset.noMatch || "");
      return stands;
    };
    box.addEventListener("change", function () { if (!check()) { box.reportValidity(); } });
    // Our forms are novalidate (the server's messages are clearer), so the browser would
    // send the form with the record chosen before: stop the save and say why.
    if (select.form) {
      select.form.addEventListener("submit", function (event) {
        if (!check()) { event.preventDefault(); box.focus(); box.reportValidity(); }
      });
    }
  });
})();
