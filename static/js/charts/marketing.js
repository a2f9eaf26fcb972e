// Chart kinds of marketing: `name: (data, lang) => echartsOption`, registered by app.js.
import { number, percent, PALETTE, escapeHtml } from "../chart.js";

// Our shares are 0–1; chart.js formats 0–100.
const pct = (lang, v) => percent(lang, 2)((v ?? 0) * 100);

export const kinds = {
  // Targeted → sent → responded → ordered.
  "marketing-funnel": (data, lang) => ({
    tooltip: { trigger: "item", formatter: (p) => `${escapeHtml(p.name)}: ${number(lang).format(p.value)}` },
    series: [{ type: "funnel", left: "5%", width: "60%", sort: "descending", gap: 2, minSize: "8%",
               label: { show: true, position: "right", formatter: (p) => `${p.name} · ${number(lang).format(p.value)}` },
               data: data.funnel.map((d, i) => ({ name: d.label, value: d.value, itemStyle: { color: PALETTE[i % PALETTE.length] } })) }],
  }),
  // Response rate of the test and control groups, with the interval of the difference in the tooltip.
  "marketing-uplift": (data, lang) => ({
    grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", formatter: () => `Δ ${pct(lang, (data.uplift.test ?? 0) - (data.uplift.control ?? 0))}`
      + (data.uplift.low === null ? "" : ` [${pct(lang, data.uplift.low)} ; ${pct(lang, data.uplift.high)}]`) },
    xAxis: { type: "category", data: data.uplift.labels },
    yAxis: { type: "value", axisLabel: { formatter: (v) => pct(lang, v) } },
    series: [{ type: "bar", barMaxWidth: 60, data: [
      { value: data.uplift.test ?? 0, itemStyle: { color: PALETTE[0] } },
      { value: data.uplift.control ?? 0, itemStyle: { color: "#94a3b8" } }] }],
  }),
  // Response rate and ROI of each campaign.
  "marketing-compare": (data, lang) => ({
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "category", data: data.campaigns.map((c) => c.name), axisLabel: { width: 120, overflow: "truncate" } },
    yAxis: [{ type: "value", name: "%", axisLabel: { formatter: (v) => pct(lang, v) } },
            { type: "value", name: "ROI", axisLabel: { formatter: (v) => pct(lang, v) } }],
    series: [
      { name: "Response rate", type: "bar", data: data.campaigns.map((c) => c.response_rate), itemStyle: { color: PALETTE[0] }, barMaxWidth: 32 },
      { name: "ROI", type: "line", yAxisIndex: 1, data: data.campaigns.map((c) => c.roi), itemStyle: { color: PALETTE[2] } }],
  }),
};
