// Chart kinds of actions: `name: (data, lang) => echartsOption`, registered by app.js.
// Shared formatters: import { money, number, percent, PALETTE, escapeHtml } from "../chart.js".
import { PALETTE, escapeHtml } from "../chart.js";

export const kinds = {
  // Completion rate (%) per rep or per rule: horizontal bars, best first, labels kept readable.
  "completion-bars": (data) => {
    const rows = data.labels.map((label, i) => ({ label, value: data.values[i] })).sort((a, b) => a.value - b.value);
    return {
      grid: { left: 8, right: 56, top: 8, bottom: 8, containLabel: true },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" },
                 formatter: (p) => `${escapeHtml(p[0].name)}: ${p[0].value} %` },
      xAxis: { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
      yAxis: { type: "category", data: rows.map((r) => r.label),
               axisLabel: { width: 180, overflow: "truncate" } },
      series: [{ name: data.series, type: "bar", barMaxWidth: 22, data: rows.map((r) => r.value),
                 itemStyle: { color: PALETTE[0], borderRadius: [0, 3, 3, 0] },
                 label: { show: true, position: "right", formatter: "{c} %" } }],
    };
  },
};
