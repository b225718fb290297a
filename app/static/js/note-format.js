// Formatting buttons for a note: they insert the Markdown markers the hint below the field
// explains (**bold**, "- " bullets, "1. " numbers, [text](https://…)). Without JavaScript the
// toolbar stays hidden and a person types the markers; the server renders and cleans them.
(function () {
  "use strict";

  function lineStart(value, index) {
    return value.lastIndexOf("\n", index - 1) + 1;
  }

  function lineEnd(value, index) {
    var end = value.indexOf("\n", index);
    return end === -1 ? value.length : end;
  }

  // Replace the selection by `text` and select [selectFrom, selectTo) of it.
  function replace(area, start, end, text, selectFrom, selectTo) {
    area.setRangeText(text, start, end, "end");
    area.setSelectionRange(start + selectFrom, start + selectTo);
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // Each whole line the selection touches gets a prefix: "- ", or "1. ", "2. " ...
  function prefixLines(area, numbered) {
    var value = area.value;
    var start = lineStart(value, area.selectionStart);
    var end = lineEnd(value, Math.max(area.selectionEnd - 1, area.selectionStart));
    var lines = value.slice(start, end).split("\n");
    var text = lines
      .map(function (line, i) {
        return (numbered ? i + 1 + ". " : "- ") + line;
      })
      .join("\n");
    replace(area, start, end, text, text.length, text.length);
  }

  var actions = {
    bold: function (area) {
      var start = area.selectionStart;
      var end = area.selectionEnd;
      var selected = area.value.slice(start, end);
      replace(area, start, end, "**" + selected + "**", 2, 2 + selected.length);
    },
    bullets: function (area) {
      prefixLines(area, false);
    },
    numbers: function (area) {
      prefixLines(area, true);
    },
    link: function (area, toolbar) {
      var start = area.selectionStart;
      var end = area.selectionEnd;
      var text = area.value.slice(start, end) || toolbar.getAttribute("data-link-text") || "…";
      var address = "https://";
      var markup = "[" + text + "](" + address + ")";
      // The address is selected, ready to be typed over.
      var at = text.length + 3;
      replace(area, start, end, markup, at, at + address.length);
    },
  };

  document.querySelectorAll("[data-format-toolbar]").forEach(function (toolbar) {
    var area = document.getElementById(toolbar.getAttribute("data-format-toolbar"));
    if (!area || typeof area.setRangeText !== "function") {
      return;
    }
    area.parentNode.insertBefore(toolbar, area); // between the label and hint, and the field
    toolbar.hidden = false;
    toolbar.querySelectorAll("button[data-format]").forEach(function (button) {
      button.addEventListener("click", function () {
        var action = actions[button.getAttribute("data-format")];
        if (action) {
          action(area, toolbar);
          area.focus();
        }
      });
    });
  });
})();
