// The progress bar of an import's check (templates/imports/batch.html). Without JavaScript the
// form checks every row in one request; with it, the rows are checked a chunk per request and
// the <progress> element shows how far the check has come. Then the page reloads: the preview.
(function () {
  "use strict";
  var form = document.querySelector("form[data-import-check]");
  if (!form) {
    return;
  }
  var bar = document.getElementById("import-progress");
  var text = document.getElementById("import-progress-text");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var button = form.querySelector("button[type=submit]");
    button.disabled = true;
    var data = new FormData(form);
    function next() {
      fetch(form.dataset.chunkUrl, {
        method: "POST",
        body: data,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error(String(response.status));
          }
          return response.json();
        })
        .then(function (state) {
          bar.max = state.total;
          bar.value = state.checked;
          bar.textContent = state.checked + " / " + state.total;
          text.textContent = state.checked + " / " + state.total;
          if (state.done) {
            window.location.reload();
          } else {
            next();
          }
        })
        .catch(function () {
          text.textContent = form.dataset.error;
          button.disabled = false;
        });
    }
    next();
  });
})();
