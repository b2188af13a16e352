// Reloads the dashboard every 30 seconds while the tab is visible, so an operator watching it
// sees new alerts without pressing anything. No library: one timer.
(function () {
  "use strict";
  var PERIOD_MS = 30000;
  setInterval(function () {
    if (document.visibilityState === "visible") {
      window.location.reload();
    }
  }, PERIOD_MS);
})();
