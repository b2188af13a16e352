// The orders list's bulk action: "select all on this page" ticks every row, the form counts
// what is ticked and asks before acting on it. Without script the rows are ticked one by one.
(function () {
  "use strict";
  var form = document.querySelector("form[data-bulk]");
  if (!form) return;
  var boxes = function () {
    return Array.prototype.slice.call(document.querySelectorAll('input[name=order][form="' + form.id + '"]'));
  };
  var all = form.querySelector("[data-select-all]");
  var count = form.querySelector("[data-selected-count]");
  var update = function () {
    var ticked = boxes().filter(function (box) { return box.checked; }).length;
    if (count) count.textContent = ticked + " selected";
    if (all) {
      all.checked = ticked > 0 && ticked === boxes().length;
      all.indeterminate = ticked > 0 && ticked < boxes().length;
    }
    return ticked;
  };
  if (all) {
    all.addEventListener("change", function () {
      boxes().forEach(function (box) { box.checked = all.checked; });
      update();
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.name === "order") update();
  });
  form.addEventListener("submit", function (event) {
    var ticked = update();
    var action = form.querySelector("select[name=action]");
    var label = action.options[action.selectedIndex].text;
    if (ticked && action.value && !window.confirm(label + ": " + ticked + " order(s)?")) {
      event.preventDefault();
    }
  });
  update();
})();
