// Chart kinds of attrition: `name: (data, lang) => echartsOption`, registered by app.js.
import { number, percent, PALETTE, escapeHtml } from "../chart.js";

const LOYALTY_COLOURS = { true: "#16a34a", latent: "#0891b2", spurious: "#f59e0b", none: "#dc2626" };

export const kinds = {
  // Monthly attrition rate (%) per group, one line each; the tooltip adds churned / base.
  "attrition-lines": (data, lang) => ({
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    legend: { top: 0, type: "scroll", data: data.series.map((s) => s.name) },
    tooltip: {
      trigger: "axis",
      formatter: (items) => `<b>${escapeHtml(items[0].axisValue)}</b><br>` + items.map((p) => {
        const s = data.series[p.seriesIndex];
        return `${p.marker}${escapeHtml(p.seriesName)}: ${p.value === null ? "—" : percent(lang)(p.value)}`
          + ` (${number(lang).format(s.churned[p.dataIndex])} / ${number(lang).format(s.base[p.dataIndex])})`;
      }).join("<br>"),
    },
    xAxis: { type: "category", data: data.months, boundaryGap: false },
    yAxis: { type: "value", min: 0, axisLabel: { formatter: (v) => percent(lang, 0)(v) } },
    series: data.series.map((s, i) => ({ name: s.name, type: "line", data: s.rates, symbolSize: 5, connectNulls: false,
                                         itemStyle: { color: PALETTE[i % PALETTE.length] } })),
  }),
  // Counts per category as horizontal bars (attrition by type, by reason).
  "attrition-bars": (data, lang) => ({
    grid: { left: 8, right: 32, top: 8, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    xAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (v) => number(lang).format(v) } },
    yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 200, overflow: "truncate" } },
    series: [{ name: data.series, type: "bar", barMaxWidth: 20, data: data.values,
               label: { show: true, position: "right" },
               itemStyle: { color: (p) => (data.colors ? data.colors[p.dataIndex] : PALETTE[0]), borderRadius: [0, 3, 3, 0] } }],
  }),
  // ROC curves of the model and the baseline with the chance diagonal; points are [x, y] on 0–1.
  "attrition-curves": (data, lang) => ({
    grid: { left: 24, right: 16, top: 36, bottom: 28, containLabel: true },
    legend: { top: 0 },
    tooltip: { trigger: "item", formatter: (p) => `${escapeHtml(p.seriesName)}<br>${data.x}: ${number(lang, 2).format(p.value[0])}<br>${data.y}: ${number(lang, 2).format(p.value[1])}` },
    xAxis: { type: "value", min: 0, max: 1, name: data.x, nameLocation: "middle", nameGap: 24 },
    yAxis: { type: "value", min: 0, max: 1, name: data.y, nameLocation: "middle", nameGap: 30 },
    series: [
      ...data.series.map((s, i) => ({ name: s.name, type: "line", data: s.points, symbolSize: 5, showSymbol: data.symbols,
                                      itemStyle: { color: PALETTE[i] } })),
      { name: data.diagonal, type: "line", data: [[0, 0], [1, 1]], symbol: "none",
        lineStyle: { type: "dashed", color: "#94a3b8" }, itemStyle: { color: "#94a3b8" } },
    ],
  }),
  // Loyalty typology: 2×2 (attitude × behaviour), one bubble per quadrant sized by its customers.
  "loyalty-matrix": (data, lang) => {
    const max = Math.max(1, ...data.cells.map((c) => c.count));
    return {
      grid: { left: 8, right: 16, top: 8, bottom: 36, containLabel: true },
      tooltip: { formatter: (p) => `<b>${escapeHtml(p.data.label)}</b><br>${number(lang).format(p.data.count)} · ${data.risk_label} ${percent(lang, 0)(p.data.risk)}` },
      xAxis: { type: "category", data: data.x, name: data.x_name, nameLocation: "middle", nameGap: 28,
               axisLabel: { interval: 0 }, splitArea: { show: true } },
      yAxis: { type: "category", data: data.y, splitArea: { show: true }, axisLabel: { interval: 0 } },
      series: [{
        type: "scatter",
        data: data.cells.map((c) => ({ value: [c.x, c.y], count: c.count, risk: c.risk, label: c.label,
                                       itemStyle: { color: LOYALTY_COLOURS[c.key], opacity: 0.8 } })),
        symbolSize: (v, p) => 18 + 70 * Math.sqrt(p.data.count / max),
        label: { show: true, position: "bottom", formatter: (p) => `${p.data.label} · ${number(lang).format(p.data.count)}`, color: "#0f172a", fontSize: 12 },
      }],
    };
  },
  // Customers per band of risk (10 bands of 10 points).
  "risk-histogram": (data, lang) => ({
    grid: { left: 8, right: 8, top: 16, bottom: 28, containLabel: true },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.labels, name: data.axis, nameLocation: "middle", nameGap: 28 },
    yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (v) => number(lang).format(v) } },
    series: [{ name: data.series, type: "bar", data: data.counts, barMaxWidth: 40,
               itemStyle: { color: (p) => (p.dataIndex >= data.high_from ? "#dc2626" : PALETTE[0]), borderRadius: [3, 3, 0, 0] } }],
  }),
};
