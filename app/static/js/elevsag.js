// Small progressive enhancements. Everything works without JavaScript.
(function () {
  "use strict";
  if (window.DKFDS && typeof window.DKFDS.init === "function") {
    window.DKFDS.init();
  }
})();

// Ask before irreversible actions (forms marked data-confirm="question").
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.getAttribute("data-confirm"))) {
      event.preventDefault();
    }
  });
});

// A bar of the journey timeline opens its period's details below the picture and moves focus
// there (templates/_macros/journey.html). Without JavaScript the bar's link jumps to them.
document.querySelectorAll("a.tl-bar").forEach(function (bar) {
  bar.addEventListener("click", function (event) {
    var details = document.getElementById((bar.getAttribute("href") || "").slice(1));
    if (!details) {
      return;
    }
    event.preventDefault();
    details.open = true;
    details.querySelector("summary").focus();
  });
});
