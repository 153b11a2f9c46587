// Lesson editor, progressive enhancement: the preview follows the slide under the cursor.
// Without this file the editor still works: the slide number field and "Show preview".
(function () {
  "use strict";
  var section = document.querySelector("[data-slide-preview]");
  var source = document.getElementById("source");
  var form = source && source.form;
  if (!section || !source || !form) return;
  var slideField = form.querySelector("input[name=slide]");
  var token = form.querySelector("input[name=csrf_token]");
  var shown = { slide: null, text: null };
  var timer = null;

  // The slide the cursor is in, counted as the server splits slides: '---' lines outside the
  // front matter and outside fenced code; a blank start before the first '---' is no slide.
  function slideAt(text, position) {
    var lines = text.slice(0, position).split("\n");
    var slide = 1, inFrontMatter = lines[0].trim() === "---", inFence = false, started = false;
    for (var i = 1; i < lines.length - 1; i++) { // the cursor's own (last) line does not split
      var trimmed = lines[i].trim();
      if (inFrontMatter) { if (trimmed === "---") inFrontMatter = false; continue; }
      if (/^\s*(```|~~~)/.test(lines[i])) inFence = !inFence;
      if (!inFence && trimmed === "---") { if (started) slide += 1; started = true; continue; }
      if (trimmed) started = true;
    }
    return slide;
  }

  function refresh() {
    var slide = slideAt(source.value, source.selectionStart || 0);
    if (slide === shown.slide && source.value === shown.text) return;
    shown = { slide: slide, text: source.value };
    if (slideField) slideField.value = slide;
    var body = new URLSearchParams();
    body.set("source", source.value);
    body.set("slide", String(slide));
    fetch(section.getAttribute("data-slide-preview"), {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": token ? token.value : "" }
    }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      if (html !== null && shown.slide === slide) section.innerHTML = html;
    }).catch(function () { /* the buttons still work */ });
  }

  function later() { clearTimeout(timer); timer = setTimeout(refresh, 400); }
  source.addEventListener("input", later);
  source.addEventListener("click", later);
  source.addEventListener("keyup", function (e) { if (/^(Arrow|Page|Home|End)/.test(e.key)) later(); });
})();
