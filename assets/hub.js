/* Small behaviours of the hub's pages that Dash components lack (Dash loads this file from
   assets/ on every page; the Content-Security-Policy allows scripts from the app itself). */
(function () {
  "use strict";

  /* Dash 4's dropdown takes keyboard focus through a helper input that is aria-hidden (axe:
     "ARIA hidden element must not be focusable") and names its button after the chosen value
     only. Make the button itself the focus stop, and name it by its label as well. */
  function fixDropdowns() {
    document.querySelectorAll(".dash-dropdown-wrapper").forEach(function (wrapper) {
      var helper = wrapper.querySelector(".dash-dropdown-focus-target");
      var button = wrapper.querySelector("button.dash-dropdown");
      if (!helper || !button || button.disabled) { return; }
      helper.disabled = true;
      button.tabIndex = 0;
      var label = button.id && document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
      if (label) {
        label.id = label.id || button.id + "-label";
        var names = (button.getAttribute("aria-labelledby") || "").split(" ").filter(Boolean);
        if (names.indexOf(label.id) < 0) {
          button.setAttribute("aria-labelledby", [label.id].concat(names).join(" "));
        }
      }
    });
  }

  /* In a microtask, not the next frame: a dropdown is never seen, nor checked, unfixed. */
  var scheduled = false;
  new MutationObserver(function () {
    if (!scheduled) {
      scheduled = true;
      window.queueMicrotask(function () { scheduled = false; fixDropdowns(); });
    }
  }).observe(document.documentElement, { childList: true, subtree: true });

  document.addEventListener("click", function (event) {
    /* The collapsed menu and, on a phone, the filter bar open and close with their buttons. */
    var toggle = event.target.closest("#nav-toggle, #filter-toggle");
    if (toggle) {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      var target = document.getElementById(toggle.getAttribute("aria-controls"));
      toggle.setAttribute("aria-expanded", String(open));
      if (toggle.id === "nav-toggle") { target.classList.toggle("show", open); }
      else { target.closest(".filter-bar").classList.toggle("filters-open", open); }
    }
    /* The language switch opens the page as it is now (filters included) in the other language. */
    var language = event.target.closest("a[data-lang]");
    if (language) {
      var url = new URL(window.location.href);
      url.searchParams.set("lang", language.getAttribute("data-lang"));
      language.href = url.pathname + url.search;
    }
  }, true);
}());
