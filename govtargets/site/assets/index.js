/* The index: filters over the reports and statements, and three charts. */
"use strict";
(function () {
  var D = window.GOVTARGETS, L = GT.labels;
  var filters = {
    region: document.getElementById("filter-region"),
    year: document.getElementById("filter-year"),
    domain: document.getElementById("filter-domain"),
    firmness: document.getElementById("filter-firmness")
  };
  var charts = {};
  var SHOWN = 200;  // rows of the statements table; the count says how many match

  function name(code) {
    var d = D.districts[code];
    return d ? d.name_zh + " " + d.name_en : code;
  }
  function unique(values) {
    return Array.from(new Set(values.filter(function (v) { return v !== null && v !== undefined; }))).sort();
  }

  unique(D.reports.map(function (r) { return r.district_code; })).forEach(function (code) {
    GT.option(filters.region, code, name(code));
  });
  unique(D.reports.map(function (r) { return r.report_year; })).forEach(function (year) {
    GT.option(filters.year, year, year);
  });
  D.domains.forEach(function (d) { GT.option(filters.domain, d.domain_code, d.name_zh + " " + d.name_en); });
  unique(D.statements.map(function (s) { return s.firmness; })).forEach(function (f) {
    GT.option(filters.firmness, f, f);
  });

  function chosen() {
    return {
      region: filters.region.value, year: filters.year.value,
      domain: filters.domain.value, firmness: filters.firmness.value
    };
  }
  function keeps(s, f) {
    return (!f.region || s.district_code === f.region) && (!f.year || String(s.report_year) === f.year) &&
      (!f.domain || s.domain_code === f.domain) && (!f.firmness || s.firmness === f.firmness);
  }

  function reportsTable(f) {
    var table = document.getElementById("reports-table");
    var reports = D.reports.filter(function (r) {
      return (!f.region || r.district_code === f.region) && (!f.year || String(r.report_year) === f.year);
    });
    var years = unique(reports.map(function (r) { return r.report_year; }));
    var head = document.createElement("tr");
    head.appendChild(GT.text("th", L.region));
    years.forEach(function (y) { head.appendChild(GT.text("th", y)); });
    var rows = [head];
    unique(reports.map(function (r) { return r.district_code; })).forEach(function (code) {
      var tr = document.createElement("tr");
      tr.appendChild(GT.text("th", name(code)));
      years.forEach(function (y) {
        var td = document.createElement("td");
        reports.filter(function (r) { return r.district_code === code && r.report_year === y; })
          .forEach(function (r) {
            var a = GT.text("a", "▣");
            a.href = "reports/" + r.report_id + ".html";
            a.title = r.title || r.source_file;
            td.appendChild(a);
          });
        tr.appendChild(td);
      });
      rows.push(tr);
    });
    table.replaceChildren.apply(table, rows);
  }

  function statementsTable(f) {
    var table = document.getElementById("statements-table");
    var kept = D.statements.filter(function (s) { return keeps(s, f); });
    var head = document.createElement("tr");
    [L.kind, L.region, L.year, L.indicator, L.value, L.unit, L.domain, L.firmness, L.indicator_code,
      L.attainment, L.clause].forEach(function (label) { head.appendChild(GT.text("th", label)); });
    var rows = [head];
    kept.slice(0, SHOWN).forEach(function (s) {
      var tr = document.createElement("tr");
      tr.className = "row-" + s.kind;
      [s.kind === "target" ? L.target : L.result, name(s.district_code), s.report_year, s.indicator,
        s.value_text, s.unit_as_written, s.domain_code, s.firmness, s.indicator_code, s.attainment]
        .forEach(function (v) { tr.appendChild(GT.text("td", v)); });
      var td = document.createElement("td");
      var a = GT.text("a", s.clause);
      a.href = "reports/" + s.report_id + ".html#st-" + s.statement_id;
      td.appendChild(a);
      tr.appendChild(td);
      rows.push(tr);
    });
    table.replaceChildren.apply(table, rows);
    document.getElementById("statements-shown").textContent =
      kept.length > SHOWN ? SHOWN + " / " + kept.length : String(kept.length);
  }

  function draw(id, config) {
    if (charts[id]) { charts[id].destroy(); }
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
    charts[id] = new Chart(document.getElementById(id), config);
  }

  var palette = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#1f77b4", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#17becf"];

  function domainChart(f) {
    var counts = {}, regions = [];
    D.statements.forEach(function (s) {
      if (s.kind !== "target" || !keeps(s, f)) { return; }
      if (!counts[s.district_code]) { counts[s.district_code] = {}; regions.push(s.district_code); }
      counts[s.district_code][s.domain_code] = (counts[s.district_code][s.domain_code] || 0) + 1;
    });
    regions.sort();
    var datasets = D.domains.map(function (d, i) {
      return {
        label: d.name_zh + " " + d.name_en,
        backgroundColor: palette[i % palette.length],
        data: regions.map(function (code) { return counts[code][d.domain_code] || 0; })
      };
    }).filter(function (set) { return set.data.some(function (n) { return n > 0; }); });
    draw("chart-domains", {
      type: "bar",
      data: { labels: regions.map(name), datasets: datasets },
      options: { scales: { x: { stacked: true }, y: { stacked: true, title: { display: true, text: "目标数 targets" } } },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 10 } } } }
    });
  }

  var seriesIndicator = document.getElementById("series-indicator");
  var cascadeIndicator = document.getElementById("cascade-indicator");
  var cascadeYear = document.getElementById("cascade-year");
  D.indicators.forEach(function (i) {
    if (D.series.some(function (r) { return r.indicator_code === i.indicator_code; })) {
      GT.option(seriesIndicator, i.indicator_code, i.name_zh + " " + i.name_en);
    }
    if (D.cascade.some(function (r) { return r.indicator_code === i.indicator_code && r.parent_target_id; })) {
      GT.option(cascadeIndicator, i.indicator_code, i.name_zh + " " + i.name_en);
    }
  });

  function seriesChart(f) {
    var region = f.region || (D.series.length ? D.series[0].district_code : "");
    var rows = D.series.filter(function (r) { return r.district_code === region && r.indicator_code === seriesIndicator.value; });
    var years = unique(rows.map(function (r) { return r.series_year; }));
    function at(y, field) {
      var row = rows.find(function (r) { return r.series_year === y; });
      return row && row[field] !== null ? Number(row[field]) : null;
    }
    document.getElementById("series-note").textContent = rows.length ? name(region) :
      "该地区没有此指标的数据 · no series of this indicator for " + name(region);
    draw("chart-series", {
      type: "line",
      data: { labels: years, datasets: [
        { label: L.target, data: years.map(function (y) { return at(y, "target_value"); }), borderColor: "#d9a400", backgroundColor: "#f3c969", spanGaps: true },
        { label: L.outcome, data: years.map(function (y) { return at(y, "outcome_value"); }), borderColor: "#1f6fa8", backgroundColor: "#8fc7e8", spanGaps: true }
      ] },
      options: { plugins: { legend: { position: "bottom" } } }
    });
  }

  function cascadeYears() {
    var years = unique(D.cascade.filter(function (r) {
      return r.indicator_code === cascadeIndicator.value && r.parent_target_id;
    }).map(function (r) { return r.target_year; }));
    var keep = cascadeYear.value;
    cascadeYear.replaceChildren();
    years.forEach(function (y) { GT.option(cascadeYear, y, y); });
    if (years.indexOf(Number(keep)) >= 0) { cascadeYear.value = keep; } else if (years.length) { cascadeYear.value = years[years.length - 1]; }
  }

  function cascadeChart() {
    var rows = D.cascade.filter(function (r) {
      return r.indicator_code === cascadeIndicator.value && String(r.target_year) === cascadeYear.value &&
        r.is_headline_target && r.parent_target_id;
    });
    var parents = unique(rows.map(function (r) { return r.parent_name_zh + " " + r.parent_name_en; }));
    document.getElementById("cascade-note").textContent = rows.length ?
      "上级 parent: " + parents.join(", ") : "没有可比较的上级目标 · no parent target to compare with";
    draw("chart-cascade", {
      type: "bar",
      data: { labels: rows.map(function (r) { return r.district_name_zh + " " + r.district_name_en; }), datasets: [
        { label: L.target, data: rows.map(function (r) { return Number(r.target_value); }), backgroundColor: "#f3c969" },
        { label: "上级目标 parent target", data: rows.map(function (r) { return Number(r.parent_target_value); }), backgroundColor: "#8f9baa" }
      ] },
      options: { plugins: { legend: { position: "bottom" } } }
    });
  }

  function refresh() {
    var f = chosen();
    reportsTable(f);
    statementsTable(f);
    domainChart(f);
    seriesChart(f);
  }
  Object.keys(filters).forEach(function (key) { filters[key].addEventListener("change", refresh); });
  seriesIndicator.addEventListener("change", function () { seriesChart(chosen()); });
  cascadeIndicator.addEventListener("change", function () { cascadeYears(); cascadeChart(); });
  cascadeYear.addEventListener("change", cascadeChart);
  if (D.indicators.some(function (i) { return i.indicator_code === "gdp_growth"; }) && seriesIndicator.querySelector("option[value=gdp_growth]")) {
    seriesIndicator.value = "gdp_growth";
  }
  if (cascadeIndicator.querySelector("option[value=gdp_growth]")) { cascadeIndicator.value = "gdp_growth"; }
  cascadeYears();
  cascadeChart();
  refresh();
})();
