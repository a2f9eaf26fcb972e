// Chart kinds of service: `name: (data, lang) => echartsOption`, registered by app.js.
// Shared formatters: import { money, number, percent, PALETTE, escapeHtml } from "../chart.js".
import { number, percent, PALETTE } from "../chart.js";

const grid = { left: 8, right: 8, top: 36, bottom: 8, containLabel: true };
const wrapLabels = { interval: 0, overflow: "break", width: 110, lineHeight: 15 };

export const kinds = {
  // Cases per category or channel (horizontal bars, longest labels readable).
  "service-volume": (data, lang) => ({
    grid: { ...grid, top: 8 },
    tooltip: { trigger: "axis", valueFormatter: (v) => number(lang).format(v) },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", data: data.labels, inverse: true, axisLabel: { width: 220, overflow: "truncate" } },
    series: [{ name: data.series, type: "bar", data: data.values, barMaxWidth: 22,
               itemStyle: { color: PALETTE[0], borderRadius: [0, 3, 3, 0] } }],
  }),
  // First-response and resolution times: two histograms over the same hour buckets.
  "service-times": (data, lang) => ({
    grid, legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => number(lang).format(v) },
    xAxis: { type: "category", data: data.buckets },
    yAxis: { type: "value", minInterval: 1 },
    series: [
      { name: data.labels.first, type: "bar", data: data.first, itemStyle: { color: PALETTE[0] } },
      { name: data.labels.resolution, type: "bar", data: data.resolution, itemStyle: { color: PALETTE[1] } },
    ],
  }),
  // Observed share of each critical-incident type among complaints vs the course's reference share.
  "service-shares": (data, lang) => ({
    grid, legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => percent(lang, 0)(v) },
    xAxis: { type: "category", data: data.labels, axisLabel: wrapLabels },
    yAxis: { type: "value", axisLabel: { formatter: (v) => percent(lang, 0)(v) } },
    series: [
      { name: data.names.observed, type: "bar", data: data.observed, itemStyle: { color: PALETTE[0] } },
      { name: data.names.reference, type: "bar", data: data.reference, itemStyle: { color: "#94a3b8" } },
    ],
  }),
  // Complaints by resolution speed (bars) and the share of those customers lost within six months (line).
  "service-speed-lost": (data, lang) => ({
    grid, legend: { top: 0 },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.labels },
    yAxis: [{ type: "value", minInterval: 1 }, { type: "value", max: 100, axisLabel: { formatter: (v) => percent(lang, 0)(v) } }],
    series: [
      { name: data.names.cases, type: "bar", data: data.cases, itemStyle: { color: PALETTE[0] } },
      { name: data.names.lost, type: "line", yAxisIndex: 1, data: data.lost, symbolSize: 8, itemStyle: { color: PALETTE[3] },
        tooltip: { valueFormatter: (v) => (v == null ? "—" : percent(lang, 1)(v)) } },
    ],
  }),
  // Mean CSAT per month on 1–5.
  "service-csat": (data, lang) => ({
    grid: { ...grid, top: 16 },
    tooltip: { trigger: "axis", valueFormatter: (v) => number(lang, 2).format(v) },
    xAxis: { type: "category", data: data.months },
    yAxis: { type: "value", min: 1, max: 5 },
    series: [{ name: data.name, type: "line", data: data.values, symbolSize: 8, itemStyle: { color: PALETTE[1] } }],
  }),
};

// The case workspace: the knowledge suggestions follow what the agent types in the reply box
// (sent as `q`, with the case's subject for context), and a suggested article's "Use" inserts its
// answer at the cursor of the box it names (the knowledge base's `kb-article-used` event).
document.addEventListener("htmx:configRequest", (event) => {
  const el = event.detail.elt;
  const source = el?.dataset?.kbSource && document.getElementById(el.dataset.kbSource);
  if (source) event.detail.parameters.q = `${source.value} ${el.dataset.kbContext || ""}`.slice(0, 500);
});
// The event fires on the "Use" button and bubbles here; its detail names the box by id.
document.addEventListener("kb-article-used", (event) => {
  const detail = event.detail || {};
  const slot = document.querySelector("[data-kb-source]");
  const box = document.getElementById(detail.box || "") || (slot && document.getElementById(slot.dataset.kbSource));
  if (!box || typeof box.value !== "string" || !detail.text) return;
  const text = detail.text + (detail.url ? `\n${detail.url}` : "");
  const at = box.selectionStart ?? box.value.length;
  const before = box.value.slice(0, at);
  box.value = `${before}${before && !before.endsWith("\n") ? "\n" : ""}${text}${box.value.slice(at)}`;
  box.focus();
});
