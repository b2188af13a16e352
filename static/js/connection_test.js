/* Live connection test: the element with data-test-run-url polls its JSON every second and
   redraws the line saying what runs now, the note (no worker, stopped) and the checks found so
   far. When the test ends the page is loaded again, so the server shows the final result with
   its fixes and what may be done next (activate, review). Polling is poll_json.js's. */
(function () {
  "use strict";

  var INTERVAL_MS = 1000;
  // After a failed poll (network, server restart) wait longer; give up after a few in a row.
  var RETRY_MS = 5000;
  var MAX_FAILURES = 12;
  var LABELS = { pass: "OK", fail: "Failed", warn: "Warning", skip: "Skipped" };

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text || "";
    row.appendChild(td);
    return td;
  }

  function checkRow(check) {
    var row = document.createElement("tr");
    row.className = "check-row-" + check.status;
    row.dataset.check = check.key;
    cell(row, check.title);
    var badge = document.createElement("span");
    badge.className = "badge check-" + check.status;
    badge.textContent = LABELS[check.status] || check.status;
    cell(row, "").appendChild(badge);
    cell(row, check.message);
    cell(row, check.fix);
    return row;
  }

  function redraw(el, data) {
    el.dataset.status = data.status;
    el.querySelectorAll("[data-test-run-status]").forEach(function (node) {
      node.textContent = data.status_label;
    });
    el.querySelectorAll("[data-test-run-line]").forEach(function (node) {
      node.textContent = data.line;
    });
    el.querySelectorAll("[data-test-run-note]").forEach(function (node) {
      node.textContent = data.note;
      node.hidden = !data.note;
    });
    el.querySelectorAll("[data-test-run-checks]").forEach(function (body) {
      var rows = data.checks.map(checkRow);
      body.replaceChildren.apply(body, rows);
    });
  }

  function start() {
    document.querySelectorAll("[data-test-run-url]").forEach(function (el) {
      window.pollJson.follow(el.dataset.testRunUrl, {
        intervalMs: INTERVAL_MS,
        retryMs: RETRY_MS,
        maxFailures: MAX_FAILURES,
        onData: function (data) {
          redraw(el, data);
          if (data.finished) {
            // The final result, fixes and next steps are the server's page: show it.
            window.location.reload();
            return false;
          }
          return true;
        },
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
