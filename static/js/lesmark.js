// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // ← / → move between slides, unless the user is typing or choosing an option.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA|BUTTON)$/.test(target.tagName))) return;
    var rel = event.key === "ArrowRight" ? "next" : event.key === "ArrowLeft" ? "prev" : null;
    if (!rel) return;
    var link = document.querySelector('.slide-nav a[rel="' + rel + '"]');
    if (link) { event.preventDefault(); window.location.assign(link.href); }
  });

  document.addEventListener("DOMContentLoaded", function () {
    // The language switcher submits itself when a language is picked.
    document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
    // The handout's print button needs JavaScript, so it is hidden until now.
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () { window.print(); });
    });
    // Move focus to an error summary or to the feedback after answering.
    var summary = document.querySelector("[data-focus-on-load]");
    var feedback = window.location.hash === "#feedback" && document.getElementById("feedback");
    if (summary) summary.focus(); else if (feedback) feedback.focus();
    // A quiz is handed in once: disable the button after the first click.
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[data-once]").forEach(function (b) {
          setTimeout(function () { b.disabled = true; }, 0);
        });
      });
    });
  });
})();
