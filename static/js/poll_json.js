/* Following a background job from a page: poll.follow(url, options) fetches the job's JSON
   every options.intervalMs and hands it to options.onData, which answers whether the job goes on
   (true: poll again) or has ended (false: stop). A failed poll (network, server restart, an error
   status, a reply that is not JSON such as a sign-in page, or an onData that threw) waits
   options.retryMs instead, and polling gives up after options.maxFailures failures in a row.
   Used by connection_test.js and import_progress.js; load it before them. No library. */
(function () {
  "use strict";

  function fetchJson(url) {
    return fetch(url, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
      cache: "no-store",
    }).then(function (response) {
      if (!response.ok) {
        throw new Error("HTTP " + response.status);
      }
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        throw new Error("not JSON: " + type);
      }
      return response.json();
    });
  }

  function follow(url, options) {
    function poll(failures) {
      fetchJson(url)
        .then(function (data) {
          if (options.onData(data)) {
            window.setTimeout(poll, options.intervalMs, 0);
          }
        })
        .catch(function () {
          if (failures + 1 < options.maxFailures) {
            window.setTimeout(poll, options.retryMs, failures + 1);
          }
        });
    }

    window.setTimeout(poll, options.intervalMs, 0);
  }

  window.pollJson = { follow: follow };
})();
