// Work-order queue: live countdowns to each promise, and the bulk-dispatch selection.
(function () {
  "use strict";
  var labelsNode = document.getElementById("countdown-labels");
  var labels = labelsNode ? JSON.parse(labelsNode.textContent) : null;

  function fill(template, values) {
    return template.replace(/%\((\w+)\)[sd]/g, function (_, key) { return values[key]; });
  }

  function span(seconds) {
    var minutes = Math.floor(seconds / 60);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var rest = minutes % 60;
    if (days) { return fill(labels.days, { d: days, h: hours }); }
    if (hours) { return fill(labels.hours, { h: hours, m: rest }); }
    return fill(labels.minutes, { m: rest });
  }

  function tick() {
    if (!labels) { return; }
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (node) {
      var due = Date.parse(node.getAttribute("data-due"));
      if (isNaN(due)) { return; }
      var seconds = Math.round((due - now) / 1000);
      node.textContent = seconds >= 0
        ? fill(labels.left, { span: span(seconds) })
        : fill(labels.overdue, { span: span(-seconds) });
      node.parentElement.classList.toggle("bad", seconds < 0);
    });
  }

  var bulk = document.getElementById("bulk");
  if (bulk) {
    bulk.addEventListener("submit", function () {
      var picked = Array.prototype.map.call(
        bulk.querySelectorAll("input.pick:checked"), function (box) { return box.value; });
      bulk.querySelector("input[name=orders]").value = picked.join(",");
    });
  }
  tick();
  setInterval(tick, 30000);
})();
