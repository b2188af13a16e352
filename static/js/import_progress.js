/* Live progress of import runs: every element with data-progress-url and data-status="running"
   polls its progress.json every 2 s and updates the descendants marked data-field="<name>" in
   place; when the run ends it shows the final status and stops. No page reload; polling is
   poll_json.js's. */
(function () {
  "use strict";

  var INTERVAL_MS = 2000;
  // After a failed poll (network, server restart) wait longer; give up after a few in a row.
  var RETRY_MS = 10000;
  var MAX_FAILURES = 6;

  function show(name, value) {
    if (value === null || value === undefined || value === "") {
      return name === "error" ? "" : "—";
    }
    if (name === "duration_seconds") {
      return Number(value).toFixed(1) + " s";
    }
    return String(value);
  }

  function update(el, data) {
    Object.keys(data).forEach(function (name) {
      el.querySelectorAll('[data-field="' + name + '"]').forEach(function (node) {
        node.textContent = show(name, data[name]);
        if (name === "error") {
          node.hidden = !data.error;
        }
      });
    });
    el.querySelectorAll("[data-status-badge]").forEach(function (badge) {
      badge.className = "badge run-" + data.status;
      badge.textContent = data.status_label || data.status;
    });
    el.dataset.status = data.status;
  }

  function finished(el, data) {
    el.querySelectorAll("[data-progress-note]").forEach(function (note) {
      note.hidden = false;
      note.textContent = "Finished: " + (data.status_label || data.status) + ".";
      if (note.dataset.reload !== undefined) {
        var link = document.createElement("a");
        link.href = window.location.href;
        link.textContent = " Reload for the full report.";
        note.appendChild(link);
      }
    });
  }

  function start() {
    document.querySelectorAll("[data-progress-url]").forEach(function (el) {
      if (el.dataset.status !== "running") {
        return;
      }
      window.pollJson.follow(el.dataset.progressUrl, {
        intervalMs: INTERVAL_MS,
        retryMs: RETRY_MS,
        maxFailures: MAX_FAILURES,
        onData: function (data) {
          update(el, data);
          if (data.status === "running") {
            return true;
          }
          finished(el, data);
          return false;
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
