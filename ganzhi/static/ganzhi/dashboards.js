// Dashboards: draw each chart from the JSON option next to it (ECharts, served locally),
// again after htmx swaps in a new body, and resize them with the window.
(function () {
  "use strict";
  var charts = [];

  function draw(root) {
    if (!window.echarts) { return; }
    charts = charts.filter(function (chart) { return !chart.isDisposed() && document.body.contains(chart.getDom()); });
    (root || document).querySelectorAll("[data-chart]").forEach(function (node) {
      if (node.dataset.drawn) { return; }
      var data = document.getElementById(node.dataset.chart);
      if (!data) { return; }
      var chart = window.echarts.init(node, null, { renderer: "canvas" });
      chart.setOption(JSON.parse(data.textContent));
      node.dataset.drawn = "1";
      charts.push(chart);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { draw(document); });
  window.addEventListener("load", function () { draw(document); });
  document.body.addEventListener("htmx:afterSwap", function (event) { draw(event.target); });
  window.addEventListener("resize", function () { charts.forEach(function (chart) { chart.resize(); }); });
}());
