// Chart kinds of customer value, registered by app.js.
import { money, number, PALETTE, escapeHtml } from "../chart.js";

export const kinds = {
  // Customers per band of 12-month CLV.
  "clv-histogram": (data, lang) => ({
    grid: { left: 8, right: 8, top: 16, bottom: 24, containLabel: true },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.labels, name: data.axis, nameLocation: "middle", nameGap: 58,
             axisLabel: { interval: 0, rotate: 30 } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (v) => number(lang).format(v) } },
    series: [{ name: data.series, type: "bar", data: data.counts, barMaxWidth: 42,
               itemStyle: { color: PALETTE[0], borderRadius: [3, 3, 0, 0] } }],
  }),
  // CLV and capital side by side per category (segment, class, owner).
  "clv-bars": (data, lang) => ({
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0, data: [data.labels.clv, data.labels.capital] },
    tooltip: {
      trigger: "axis", axisPointer: { type: "shadow" },
      formatter: (items) => {
        const i = items[0].dataIndex;
        return `<b>${escapeHtml(data.categories[i])}</b><br>${items.map((p) => `${p.marker}${escapeHtml(p.seriesName)}: ${money(lang).format(p.value)}`).join("<br>")}`
          + `<br>${escapeHtml(data.labels.customers)}: ${number(lang).format(data.customers[i])}`;
      },
    },
    xAxis: { type: "value", axisLabel: { formatter: (v) => money(lang).format(v) } },
    yAxis: { type: "category", data: data.categories, inverse: true, axisLabel: { width: 140, overflow: "truncate" } },
    series: [
      { name: data.labels.clv, type: "bar", data: data.clv, itemStyle: { color: PALETTE[0] }, barMaxWidth: 16 },
      { name: data.labels.capital, type: "bar", data: data.capital, itemStyle: { color: PALETTE[1] }, barMaxWidth: 16 },
    ],
  }),
  // Mean P(alive): cells [recency band, frequency class, mean, customers].
  "clv-heatmap": (data, lang) => ({
    grid: { left: 8, right: 8, top: 8, bottom: 64, containLabel: true },
    tooltip: { formatter: (p) => `${escapeHtml(data.labels.y)}: ${escapeHtml(data.y[p.value[1]])} · ${escapeHtml(data.labels.x)}: ${escapeHtml(data.x[p.value[0]])}`
      + `<br>${escapeHtml(data.labels.value)}: ${number(lang, 2).format(p.value[2])}<br>${escapeHtml(data.labels.customers)}: ${number(lang).format(p.value[3])}` },
    xAxis: { type: "category", data: data.x, name: data.labels.x, nameLocation: "middle", nameGap: 28, splitArea: { show: true } },
    yAxis: { type: "category", data: data.y, name: data.labels.y, splitArea: { show: true } },
    visualMap: { min: 0, max: 1, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 140,
                 inRange: { color: ["#dc2626", "#f59e0b", "#16a34a"] }, formatter: (v) => number(lang, 1).format(v) },
    series: [{ type: "heatmap", data: data.cells, label: { show: true, formatter: (p) => number(lang, 2).format(p.value[2]) } }],
  }),
  // The conditional-expectation plot: mean holdout purchases per calibration class, actual vs model.
  "clv-calibration": (data, lang) => ({
    grid: { left: 8, right: 16, top: 32, bottom: 28, containLabel: true },
    legend: { top: 0, data: [data.labels.actual, data.labels.predicted] },
    tooltip: { trigger: "axis", valueFormatter: (v) => (v == null ? "—" : number(lang, 2).format(v)) },
    xAxis: { type: "category", data: data.classes, name: data.labels.x, nameLocation: "middle", nameGap: 28 },
    yAxis: { type: "value", axisLabel: { formatter: (v) => number(lang, 1).format(v) } },
    series: [
      { name: data.labels.actual, type: "line", data: data.actual, symbolSize: 7, itemStyle: { color: PALETTE[3] } },
      { name: data.labels.predicted, type: "line", data: data.predicted, symbolSize: 7, lineStyle: { type: "dashed" }, itemStyle: { color: PALETTE[0] } },
    ],
  }),
};
