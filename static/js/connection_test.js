/* Live connection test: the element with data-test-run-url polls its JSON every second and
   redraws the line saying what runs now, the note (no worker, stopped) and the checks found so
   far. When the test ends the page is loaded again, so the server shows the final result with
   its fixes and what may be done next (activate, review). No library. */
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

  function poll(el, failures) {
    fetch(el.dataset.testRunUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      })
      .then(function (data) {
        redraw(el, data);
        if (data.finished) {
          // The final result, fixes and next steps are the server's page: show it.
          window.location.reload();
        } else {
          window.setTimeout(poll, INTERVAL_MS, el, 0);
        }
      })
      .catch(function () {
        if (failures + 1 < MAX_FAILURES) {
          window.setTimeout(poll, RETRY_MS, el, failures + 1);
        }
      });
  }

  function start() {
    document.querySelectorAll("[data-test-run-url]").forEach(function (el) {
      window.setTimeout(poll, INTERVAL_MS, el, 0);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
