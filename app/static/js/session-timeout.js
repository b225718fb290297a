// The idle-logout warning. <body> says how many seconds the login session has left
// (data-session-left) and how long before the end to warn (data-session-warn). A few minutes
// before the end a warning with "Stay logged in" appears; the button asks the server to start
// the idle time again (data-session-ping, with the page's CSRF token). At the end the page
// says that the person was logged out; what they typed stays on the page.
(function () {
  "use strict";
  var body = document.body;
  var left = parseInt(body.getAttribute("data-session-left"), 10);
  var warnBefore = parseInt(body.getAttribute("data-session-warn"), 10) || 0;
  var warning = document.querySelector("[data-testid='session-warning']");
  var ended = document.querySelector("[data-testid='session-ended']");
  var extend = document.querySelector("[data-session-extend]");
  if (isNaN(left) || !warning || !ended || !extend) {
    return;
  }
  var timers = [];

  function clearTimers() {
    timers.forEach(function (timer) {
      window.clearTimeout(timer);
    });
  }

  function schedule(seconds) {
    clearTimers();
    warning.hidden = true;
    ended.hidden = true;
    timers = [
      window.setTimeout(function () {
        warning.hidden = false;
      }, Math.max(0, seconds - warnBefore) * 1000),
      // A second late, so the page never says "logged out" while the server still agrees.
      window.setTimeout(endSession, (seconds + 1) * 1000),
    ];
  }

  function endSession() {
    clearTimers();
    warning.hidden = true;
    ended.hidden = false;
  }

  extend.addEventListener("click", function () {
    fetch(body.getAttribute("data-session-ping"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": body.getAttribute("data-csrf-token"),
        Accept: "application/json",
      },
    })
      .then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("json") !== -1;
        if (!response.ok || response.redirected || !json) {
          throw new Error("not logged in");
        }
        return response.json();
      })
      .then(function (answer) {
        schedule(answer.seconds_left);
      })
      .catch(endSession);
  });

  schedule(left);
})();
