// Progressive enhancement only: every page works without this file (slides are plain linked pages).
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");

  // Keyboard or pointer? Focus moved by the script shows its ring to keyboard users only; the
  // answer is kept for the next page, since answering a question loads one.
  var INPUT_KEY = "lesmark-input";
  function lastInput() { try { return sessionStorage.getItem(INPUT_KEY); } catch (e) { return null; } }
  function remember(kind) { try { sessionStorage.setItem(INPUT_KEY, kind); } catch (e) { /* private mode */ } }
  document.addEventListener("keydown", function (e) { if (e.key === "Tab" || e.key === "Enter" || e.key.indexOf("Arrow") === 0) remember("keyboard"); }, true);
  document.addEventListener("pointerdown", function () { remember("pointer"); }, true);

  function focusQuietly(element) {
    if (!element) return;
    if (!element.hasAttribute("tabindex")) element.setAttribute("tabindex", "-1");
    element.classList.toggle("focus-ring", lastInput() === "keyboard");
    element.focus({ preventScroll: element.closest(".slide-stage") !== null });
  }

  function deck() { return document.querySelector("[data-deck]"); }
  function typing(target) {
    return target && (target.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(target.tagName)); // a button has no use for ← → or F
  }

  // --- slides: arriving, moving, answering ---------------------------------------------------

  // Arriving on a slide puts focus on its heading (or on the result / the error after answering).
  function arrive(fromSwap) {
    var d = deck();
    if (!d) return;
    var error = d.querySelector("[data-focus-on-load]");
    var feedback = window.location.hash === "#feedback" && document.getElementById("feedback");
    var heading = d.querySelector(".slide-stage .slide-body h1, .slide-stage .slide-body h2") || document.getElementById("slide-label");
    focusQuietly(error || feedback || heading);
    var announcer = document.querySelector("[data-announcer]");
    if (fromSwap && announcer && (error || feedback)) {
      // a live region that stayed on the page says the result (or the error) of the answer just sent
      announcer.textContent = "";
      var said = (error || feedback).textContent.replace(/\s+/g, " ").trim();
      setTimeout(function () { announcer.textContent = said; }, 150);
    }
    if (fromSwap) d.querySelectorAll(".slide-stage").forEach(function (stage) { stage.scrollTop = 0; });
    enhance(d);
    tick();
    announceToAudience(d);
  }

  // In place of a page load: fetch the page and swap the deck's contents. The deck element itself
  // stays, so full screen (which belongs to it) survives moving between slides.
  function swap(url, options) {
    options = options || {};
    var current = deck();
    var request = { credentials: "same-origin", method: options.body ? "POST" : "GET", body: options.body };
    return fetch(url, request).then(function (response) {
      return response.text().then(function (text) {
        var page = new DOMParser().parseFromString(text, "text/html");
        var fresh = page.querySelector("[data-deck]");
        var usable = response.ok || response.status === 400 || response.status === 409;
        if (!fresh || !current || !usable || fresh.getAttribute("data-deck") !== current.getAttribute("data-deck")) {
          throw new Error("not a slide of this kind");
        }
        current.replaceChildren.apply(current, Array.prototype.slice.call(document.adoptNode(fresh).childNodes));
        Array.prototype.forEach.call(fresh.attributes, function (attribute) { current.setAttribute(attribute.name, attribute.value); });
        document.title = page.title;
        var address = response.redirected || !options.body ? response.url + (options.hash || "") : null;
        if (address && options.history !== "none") history[options.history === "replace" ? "replaceState" : "pushState"]({ deck: true }, "", address);
        arrive(true);
      });
    });
  }

  function go(link) {
    if (!link) return;
    swap(link.href).catch(function () { window.location.assign(link.href); });
  }
  function step(rel) {
    var link = document.querySelector('.slide-nav a[rel="' + rel + '"]');
    if (link && deck()) go(link); else if (link) window.location.assign(link.href);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-deck] .slide-nav a[rel]");
    if (!link || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    go(link);
  });

  // A checkpoint answer is sent in place too (a page load would leave full screen).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.closest("[data-deck]") || form.method.toLowerCase() !== "post") return;
    event.preventDefault();
    var body = new FormData(form);
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = true; });
    swap(form.action, { body: body, hash: "#feedback" }).catch(function () { HTMLFormElement.prototype.submit.call(form); });
  });

  window.addEventListener("popstate", function (event) {
    // only entries this script made: a jump to an anchor (#option-0) is not a slide to fetch
    if (deck() && event.state && event.state.deck) swap(window.location.href, { history: "none" }).catch(function () { window.location.reload(); });
  });

  // ← / → move between slides, F toggles full screen, unless the user is typing or choosing an option.
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey || typing(event.target)) return;
    if (document.querySelector("dialog[open]") || !document.querySelector(".slide-nav")) return;
    if (event.key === "ArrowRight" || event.key === "ArrowLeft") {
      event.preventDefault();
      step(event.key === "ArrowRight" ? "next" : "prev");
    } else if (event.key === "f" || event.key === "F") {
      event.preventDefault();
      toggleFullscreen();
    }
  });

  // Swipe left or right on a touch screen (pointer events; the stage lets the browser scroll vertically).
  var swipe = null;
  document.addEventListener("pointerdown", function (event) {
    if (event.pointerType === "mouse" || !event.target.closest("[data-deck] .slide-stage")) { swipe = null; return; }
    swipe = { x: event.clientX, y: event.clientY, t: Date.now() };
  });
  document.addEventListener("pointerup", function (event) {
    if (!swipe) return;
    var dx = event.clientX - swipe.x, dy = event.clientY - swipe.y, quick = Date.now() - swipe.t < 800;
    swipe = null;
    if (quick && Math.abs(dx) > 60 && Math.abs(dx) > 2 * Math.abs(dy)) step(dx < 0 ? "next" : "prev");
  });
  document.addEventListener("pointercancel", function () { swipe = null; });

  // --- full screen ---------------------------------------------------------------------------

  function toggleFullscreen() {
    var d = deck();
    if (!d || !document.fullscreenEnabled) return;
    if (document.fullscreenElement) document.exitFullscreen();
    else d.requestFullscreen().catch(function () { /* refused: stay as we are */ });
  }
  document.addEventListener("fullscreenchange", function () {
    document.querySelectorAll("[data-fullscreen]").forEach(function (button) {
      button.setAttribute("aria-pressed", document.fullscreenElement ? "true" : "false");
    });
  });

  // --- glossary on the slide: the definition in a dialog; Esc, the close button or a click outside close it

  function openDefinition(link) {
    var anchor;
    try { anchor = decodeURIComponent(link.hash.slice(1)); } catch (e) { return false; } // "kapcsolatk%C3%B6zpont"
    var source = document.querySelector('[data-definition="' + CSS.escape(anchor) + '"]');
    var dialog = document.getElementById("glossary-dialog");
    if (!source || !dialog || typeof dialog.showModal !== "function") return false;
    var definition = source.cloneNode(true);
    definition.removeAttribute("data-definition");
    var title = definition.querySelector("h2");
    if (title) title.id = "glossary-dialog-title";
    dialog.querySelector("[data-definition-body]").replaceChildren(definition);
    dialog.querySelector("[data-definition-link]").href = link.href;
    dialog.showModal();
    if (title) focusQuietly(title);
    return true;
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("[data-deck] a.glossary-term");
    if (link && openDefinition(link)) { event.preventDefault(); return; }
    if (event.target.matches && event.target.matches("dialog.glossary-popover")) event.target.close();
  });

  // --- presenter and audience window (same computer, BroadcastChannel) --------------------------

  var channel = "BroadcastChannel" in window ? new BroadcastChannel("lesmark-present") : null;

  function announceToAudience(d) {
    if (!channel || !d.hasAttribute("data-audience-href")) return;
    var key = d.querySelector("details.answer-key[open]") ? "?key=1" : "";
    channel.postMessage({ href: d.getAttribute("data-audience-href") + key });
  }
  document.addEventListener("toggle", function (event) {
    var d = deck();
    if (d && event.target.matches && event.target.matches("details.answer-key")) announceToAudience(d);
  }, true);

  if (channel) {
    channel.addEventListener("message", function (event) {
      var d = deck();
      var href = event.data && event.data.href;
      if (!d || !d.hasAttribute("data-audience") || typeof href !== "string" || href.charAt(0) !== "/" || href.charAt(1) === "/") return;
      var target = new URL(href, window.location.href);
      if (target.origin !== window.location.origin || target.href === window.location.href) return;
      swap(target.href, { history: "replace" }).catch(function () { window.location.assign(target.href); });
    });
  }

  var audienceWindow = null;
  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a[data-audience-window]");
    if (!link || event.button !== 0) return;
    if (audienceWindow && !audienceWindow.closed) {
      event.preventDefault();
      audienceWindow.location.href = link.href;
      audienceWindow.focus();
      return;
    }
    // a window of its own is easier to drag to the projector than a tab; if popups are blocked,
    // the link's own target opens the same named window as a tab
    audienceWindow = window.open(link.href, "lesmark-audience", "popup,width=1280,height=720");
    if (audienceWindow) event.preventDefault();
  });

  // Elapsed time since the presentation of this lesson started (kept across slides in this tab).
  function tick() {
    document.querySelectorAll("[data-elapsed]").forEach(function (clock) {
      var storeKey = "lesmark-present-start:" + clock.getAttribute("data-elapsed");
      var start = Number(sessionStorage.getItem(storeKey));
      if (!start) { start = Date.now(); sessionStorage.setItem(storeKey, String(start)); }
      var seconds = Math.floor((Date.now() - start) / 1000);
      var text = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
      if (clock.textContent !== text) clock.textContent = text;
      clock.setAttribute("datetime", "PT" + seconds + "S");
    });
  }
  document.addEventListener("click", function (event) {
    var reset = event.target.closest && event.target.closest("[data-reset-clock]");
    if (!reset) return;
    document.querySelectorAll("[data-elapsed]").forEach(function (clock) {
      sessionStorage.removeItem("lesmark-present-start:" + clock.getAttribute("data-elapsed"));
    });
    tick();
  });

  // --- once per page load -----------------------------------------------------------------------

  // Controls that need this script are hidden in the page and shown here.
  function enhance(scope) {
    scope.querySelectorAll("[data-fullscreen]").forEach(function (button) {
      if (!document.fullscreenEnabled) return;
      button.hidden = false;
      button.setAttribute("aria-pressed", document.fullscreenElement ? "true" : "false");
      button.onclick = toggleFullscreen;
    });
    scope.querySelectorAll("[data-needs-js]").forEach(function (element) { element.hidden = false; });
  }

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
    // A quiz is handed in once: disable the button after the first click.
    document.querySelectorAll("form").forEach(function (form) {
      form.addEventListener("submit", function () {
        form.querySelectorAll("button[data-once]").forEach(function (b) {
          setTimeout(function () { b.disabled = true; }, 0);
        });
      });
    });
    if (deck()) {
      history.replaceState({ deck: true }, "");
      arrive(false);
    } else {
      // Move focus to an error summary, to the feedback after answering, or to a result heading.
      var target = document.querySelector("[data-focus-on-load]") ||
        (window.location.hash.length > 1 && document.getElementById(window.location.hash.slice(1)));
      if (target && target.getAttribute("tabindex") === "-1") focusQuietly(target);
    }
    if (document.querySelector("[data-elapsed]")) { tick(); setInterval(tick, 1000); }
  });
})();
