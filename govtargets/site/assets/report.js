/* A report page: hover a highlighted number for a summary, click it for all its fields. */
"use strict";
(function () {
  var L = GT.labels;
  var statements = JSON.parse(document.getElementById("statements-data").textContent);
  var details = document.getElementById("details");
  var tooltip = GT.text("div", "", "tooltip");
  tooltip.hidden = true;
  document.body.appendChild(tooltip);

  function unit(s) {
    var name = s.unit_name_en ? " (" + s.unit_name_en + ")" : "";
    return (s.unit_as_written || s.unit_symbol || "") + name;
  }

  function summary(s) {
    return (s.kind === "target" ? L.target : L.result) + " · " + (s.indicator || "") + " " +
      s.value_text + " " + (s.unit_as_written || "");
  }

  function show(s, mark) {
    if (!s || !mark) { return; }
    var rows = [
      [L.kind, s.kind === "target" ? L.target : L.result],
      [L.indicator, s.indicator],
      [L.value, s.value_text],
      [L.as_written, mark.textContent],
      [L.multiplier, s.multiplier && s.multiplier !== 1 ? "×" + GT.number(s.multiplier) : ""],
      [L.unit, unit(s)],
      [L.comparator, s.comparator],
      [L.firmness, s.firmness],
      [L.domain, s.domain_code],
      [L.indicator_code, s.indicator_code],
      [L.main, s.is_main_target ? "✓" : ""],
      [L.baseline, GT.number(s.baseline_value)],
      [L.outcome, GT.number(s.outcome_value)],
      [L.attainment, s.attainment],
      [L.gap, GT.number(s.gap)],
      [L.note, s.outcome_note],
      [L.clause, s.clause]
    ];
    var list = document.createElement("dl");
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") { return; }
      list.appendChild(GT.text("dt", row[0]));
      list.appendChild(GT.text("dd", row[1]));
    });
    details.replaceChildren(GT.text("h2", summary(s)), list);
    details.dataset.shown = s.statement_id;
    document.querySelectorAll("mark.selected").forEach(function (m) { m.classList.remove("selected"); });
    mark.classList.add("selected");
  }

  document.querySelectorAll("mark[data-statement-id]").forEach(function (mark) {
    var s = statements[mark.dataset.statementId];
    mark.addEventListener("click", function () { show(s, mark); });
    mark.addEventListener("keydown", function (event) { if (event.key === "Enter") { show(s, mark); } });
    mark.addEventListener("mouseenter", function () {
      var box = mark.getBoundingClientRect();
      tooltip.textContent = summary(s);
      tooltip.style.left = (window.scrollX + box.left) + "px";
      tooltip.style.top = (window.scrollY + box.bottom + 4) + "px";
      tooltip.hidden = false;
    });
    mark.addEventListener("mouseleave", function () { tooltip.hidden = true; });
  });
  document.querySelectorAll("mark[data-baseline-of]").forEach(function (mark) {
    var s = statements[mark.dataset.baselineOf];
    mark.title = L.baseline + ": " + GT.number(s.baseline_value) + " → " + s.value_text;
  });
  var wanted = window.location.hash.match(/^#st-(.+)$/);
  if (wanted && statements[wanted[1]]) {
    show(statements[wanted[1]], document.getElementById("st-" + wanted[1]));
  }
  window.addEventListener("hashchange", function () {
    var id = window.location.hash.replace(/^#st-/, "");
    if (statements[id]) { show(statements[id], document.getElementById("st-" + id)); }
  });
})();
