// "Copy" buttons: data-copy names the input whose value goes to the clipboard. Without the
// clipboard API (plain http, old browsers) the value is selected for Ctrl-C instead.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field) return;
    field.focus();
    field.select();
    var done = function () { button.textContent = "Copied"; };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(field.value).then(done, function () {
        button.textContent = "Press Ctrl-C";
      });
    } else {
      var copied = false;
      try { copied = document.execCommand("copy"); } catch (e) { copied = false; }
      button.textContent = copied ? "Copied" : "Press Ctrl-C";
    }
  });
})();
