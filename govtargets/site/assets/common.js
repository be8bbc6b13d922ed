/* Shared by every page: labels in both languages and number formatting. */
"use strict";
window.GT = {
  labels: {
    kind: "类型 Kind", indicator: "指标 Indicator", value: "数值 Value", as_written: "原文数字 As written",
    multiplier: "倍数 Multiplier", unit: "单位 Unit", comparator: "比较 Comparator", firmness: "力度 Firmness",
    domain: "领域 Domain", indicator_code: "指标代码 Indicator code", outcome: "实际 Outcome",
    attainment: "完成情况 Attainment", gap: "差距 Gap", note: "说明 Note", clause: "原文 Clause",
    baseline: "基数 Starting level", main: "主要预期目标 Main target", target: "目标 Target", result: "成果 Result",
    year: "年度 Year", region: "地区 Region"
  },
  number: function (value) {
    if (value === null || value === undefined || value === "") { return ""; }
    return String(+Number(value).toPrecision(12));
  },
  text: function (tag, text, className) {
    var element = document.createElement(tag);
    element.textContent = text === null || text === undefined ? "" : String(text);
    if (className) { element.className = className; }
    return element;
  },
  option: function (select, value, label) {
    var option = document.createElement("option");
    option.value = value;
    option.textContent = label;
    select.appendChild(option);
  }
};
