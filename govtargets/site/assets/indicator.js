/* An indicator page: one region's target beside its outcome, year by year. */
"use strict";
(function () {
  var L = GT.labels;
  var series = JSON.parse(document.getElementById("series-data").textContent);
  var select = document.getElementById("series-region");
  var chart = null;
  var regions = [];
  series.forEach(function (r) {
    if (regions.indexOf(r.district_code) < 0) {
      regions.push(r.district_code);
      GT.option(select, r.district_code, r.district_name_zh + " " + r.district_name_en);
    }
  });
  function draw() {
    var rows = series.filter(function (r) { return r.district_code === select.value; });
    if (chart) { chart.destroy(); }
    chart = new Chart(document.getElementById("chart-indicator"), {
      type: "line",
      data: { labels: rows.map(function (r) { return r.series_year; }), datasets: [
        { label: L.target, data: rows.map(function (r) { return r.target_value === null ? null : Number(r.target_value); }), borderColor: "#d9a400", backgroundColor: "#f3c969", spanGaps: true },
        { label: L.outcome, data: rows.map(function (r) { return r.outcome_value === null ? null : Number(r.outcome_value); }), borderColor: "#1f6fa8", backgroundColor: "#8fc7e8", spanGaps: true }
      ] },
      options: { responsive: true, maintainAspectRatio: false, animation: false, plugins: { legend: { position: "bottom" } } }
    });
  }
  select.addEventListener("change", draw);
  if (regions.indexOf("100000") >= 0) { select.value = "100000"; }
  if (regions.length) { draw(); }
})();
