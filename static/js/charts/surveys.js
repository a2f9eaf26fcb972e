// Chart kinds of satisfaction surveys: `name: (data, lang) => echartsOption`, registered by app.js.
import { number, percent, PALETTE } from "../chart.js";

const grid = { left: 8, right: 8, top: 36, bottom: 8, containLabel: true };

// Colour of a score bar: NPS detractors red, passives amber, promoters green; CSAT 1–2 red, 3 amber, 4–5 green.
const scoreColour = (scale, value) => {
  const v = Number(value);
  if (scale === "nps") return v <= 6 ? "#dc2626" : v <= 8 ? "#f59e0b" : "#16a34a";
  if (scale === "csat") return v <= 2 ? "#dc2626" : v === 3 ? "#f59e0b" : "#16a34a";
  return PALETTE[0];
};

export const kinds = {
  // CSAT % satisfied (left axis) and NPS (right axis, −100..100) per month.
  "survey-trend": (data, lang) => ({
    grid, legend: { top: 0 },
    tooltip: { trigger: "axis", valueFormatter: (v) => (v === null || v === undefined ? "—" : number(lang, 1).format(v)) },
    xAxis: { type: "category", data: data.months },
    yAxis: [
      { type: "value", min: 0, max: 100, axisLabel: { formatter: percent(lang, 0) } },
      { type: "value", min: -100, max: 100, splitLine: { show: false } },
    ],
    series: [
      { name: data.labels.csat, type: "line", data: data.csat, connectNulls: true, itemStyle: { color: PALETTE[0] } },
      { name: data.labels.nps, type: "line", yAxisIndex: 1, data: data.nps, connectNulls: true, itemStyle: { color: PALETTE[1] } },
    ],
  }),
  // Number of answers per score (or per choice), coloured by band.
  "survey-scores": (data, lang) => ({
    grid: { ...grid, top: 12 },
    tooltip: { trigger: "axis", valueFormatter: (v) => number(lang).format(v) },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, overflow: "break", width: 90 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: data.series, type: "bar", barMaxWidth: 40,
               data: data.values.map((value, i) => ({ value, itemStyle: { color: scoreColour(data.scale, data.labels[i]), borderRadius: [3, 3, 0, 0] } })) }],
  }),
};
