// Chart kinds of sales: `name: (data, lang) => echartsOption`, registered by app.js.
import { money, number, PALETTE } from "../chart.js";

const grid = { left: 8, right: 8, top: 36, bottom: 8, containLabel: true };

export const kinds = {
  // Pipeline amount (bars) and weighted forecast (line) by month of expected close.
  "sales-forecast": (data, lang) => ({
    grid, legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => money(lang).format(v) },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", axisLabel: { formatter: (v) => money(lang).format(v) } },
    series: [
      { name: data.labels.amount, type: "bar", data: data.amount, itemStyle: { color: "#c7d2fe" }, barMaxWidth: 36 },
      { name: data.labels.weighted, type: "line", data: data.weighted, itemStyle: { color: PALETTE[0] } },
    ],
  }),
  // Weighted forecast per rep (horizontal bars).
  "sales-reps": (data, lang) => ({
    grid: { ...grid, top: 8 },
    tooltip: { trigger: "axis", valueFormatter: (v) => money(lang).format(v) },
    xAxis: { type: "value", axisLabel: { formatter: (v) => money(lang).format(v) } },
    yAxis: { type: "category", data: data.names, inverse: true },
    series: [{ name: data.label, type: "bar", data: data.weighted, barMaxWidth: 22,
               itemStyle: { color: PALETTE[0], borderRadius: [0, 3, 3, 0] } }],
  }),
  // Stage conversion funnel: deals opened in the period that reached each stage.
  "sales-funnel": (data, lang) => ({
    tooltip: { trigger: "item", formatter: (p) => `${p.name}: ${number(lang).format(p.value)}` },
    series: [{ type: "funnel", sort: "none", left: "10%", width: "80%", top: 8, bottom: 8, minSize: "8%",
               label: { show: true, position: "inside", formatter: (p) => `${p.name} · ${number(lang).format(p.value)}` },
               data: data.map((step, i) => ({ ...step, itemStyle: { color: PALETTE[i % PALETTE.length] } })) }],
  }),
  // Won revenue per rep, new prospects vs existing customers (stacked bars).
  "sales-split": (data, lang) => ({
    grid, legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => money(lang).format(v) },
    xAxis: { type: "category", data: data.names, axisLabel: { interval: 0, overflow: "break", width: 90 } },
    yAxis: { type: "value", axisLabel: { formatter: (v) => money(lang).format(v) } },
    series: [
      { name: data.labels.new, type: "bar", stack: "won", data: data.new, itemStyle: { color: PALETTE[2] } },
      { name: data.labels.existing, type: "bar", stack: "won", data: data.existing, itemStyle: { color: PALETTE[1] } },
    ],
  }),
};
