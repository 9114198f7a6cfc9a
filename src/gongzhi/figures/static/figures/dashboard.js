// Draws each trend from the numbers the page already shows in its table (the JSON beside
// it). Without ECharts (or JavaScript) the tables remain: nothing is lost.
(function () {
  "use strict";
  function draw() {
    var source = document.getElementById("chart-data");
    if (!source || !window.echarts) return;
    var charts = JSON.parse(source.textContent);
    charts.forEach(function (c) {
      var el = document.getElementById(c.id);
      if (!el) return;
      var chart = window.echarts.init(el, null, { renderer: "svg" });
      chart.setOption({
        animation: false,
        // Dark, distinct colours: every line readable on white (the default palette has yellow).
        color: ["#0b3d91", "#b3261e", "#1b5e20", "#6a1b9a", "#8a4b00", "#00695c"],
        textStyle: { fontSize: 16 },
        tooltip: { trigger: "axis" },
        legend: { type: "scroll", top: 0, textStyle: { fontSize: 16 } },
        grid: { top: 70, left: 48, right: 16, bottom: 32 },
        xAxis: { type: "category", data: c.months, axisLabel: { fontSize: 16 } },
        yAxis: { type: "value", minInterval: 1, axisLabel: { fontSize: 16 } },
        series: c.series.map(function (s) {
          return { name: s.label, type: "line", data: s.data, symbolSize: 8, lineStyle: { width: 3 } };
        })
      });
      window.addEventListener("resize", function () { chart.resize(); });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", draw);
  else draw();
})();
