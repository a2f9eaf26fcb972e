// Charts drawn with Apache ECharts from JSON the server renders next to the element:
// <div data-chart="monthly-bars" data-chart-source="id-of-json-script"></div>
// ECharts is loaded once, on the first page that has a chart.
let loading = null;

function loadECharts(src) {
  if (window.echarts) return Promise.resolve(window.echarts);
  loading ??= new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = () => resolve(window.echarts);
    script.onerror = reject;
    document.head.append(script);
  });
  return loading;
}

const money = (lang) => new Intl.NumberFormat(lang, { style: "currency", currency: "EUR", maximumFractionDigits: 0 });
const number = (lang, digits = 0) => new Intl.NumberFormat(lang, { maximumFractionDigits: digits });
// Shares arrive as percentages (0–100); Intl places the sign as the language does ("12.5%", "12,5 %").
const percent = (lang, digits = 1) => (v) => new Intl.NumberFormat(lang, { style: "percent", maximumFractionDigits: digits }).format(v / 100);
const PALETTE = ["#2f5bea", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d", "#ea580c", "#475569"];
const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const kinds = {
  // Amount per month as bars, margin as a line: the trend of a customer's purchases.
  // The margin series is absent for readers without the right to see margins.
  "monthly-bars": (data, lang) => {
    const series = [
      { name: data.labels.amount, type: "bar", data: data.amounts, itemStyle: { color: "#2f5bea", borderRadius: [3, 3, 0, 0] } },
    ];
    if (data.margins) {
      series.push({ name: data.labels.margin, type: "line", data: data.margins, symbolSize: 4, itemStyle: { color: "#16a34a" } });
    }
    return {
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0, data: series.map((s) => s.name) },
      tooltip: { trigger: "axis", valueFormatter: (v) => money(lang).format(v) },
      xAxis: { type: "category", data: data.months, axisTick: { alignWithLabel: true } },
      yAxis: { type: "value", axisLabel: { formatter: (v) => money(lang).format(v) } },
      series,
    };
  },
  // One bar per category, each with its own colour (e.g. requests overdue / due soon / later).
  "category-bars": (data) => ({
    grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis" },
    xAxis: { type: "category", data: data.labels, axisTick: { alignWithLabel: true },
             axisLabel: { interval: 0, overflow: "break", width: 110, lineHeight: 15 } },
    yAxis: { type: "value", minInterval: 1 },
    series: [{ name: data.series, type: "bar", barMaxWidth: 56,
               data: data.values.map((value, i) => ({ value, itemStyle: { color: data.colors[i], borderRadius: [3, 3, 0, 0] } })) }],
  }),
  // A matrix of percentages: cells [x index, y index, %, secondary %] (e.g. consent coverage).
  heatmap: (data) => ({
    grid: { left: 8, right: 8, top: 8, bottom: 56, containLabel: true },
    tooltip: { formatter: (p) => `${data.y[p.value[1]]} · ${data.x[p.value[0]]}<br>${data.labels.decided}: ${p.value[2]} %<br>${data.labels.granted}: ${p.value[3]} %` },
    xAxis: { type: "category", data: data.x, splitArea: { show: true }, axisLabel: { interval: 0, overflow: "break", width: 120, lineHeight: 15, margin: 10 } },
    yAxis: { type: "category", data: data.y, splitArea: { show: true } },
    visualMap: { min: 0, max: 100, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
                 inRange: { color: ["#fee2e2", "#fef3c7", "#dcfce7", "#16a34a"] } },
    series: [{ type: "heatmap", data: data.cells, label: { show: true, formatter: (p) => `${p.value[2]} %` } }],
  }),
  // Lorenz / Pareto curve: cumulative share of revenue (y) against cumulative share of customers
  // (x), both 0–100, customers ranked by decreasing revenue. The diagonal is perfect equality;
  // markers read the two figures of the 20/80 rule off the curve.
  pareto: (data, lang) => {
    const pct = percent(lang);
    const series = [
      { name: data.labels.curve, type: "line", data: data.points, showSymbol: false, smooth: false,
        lineStyle: { width: 2.5, color: "#2f5bea" }, areaStyle: { color: "rgba(47, 91, 234, 0.08)" },
        markPoint: { symbol: "circle", symbolSize: 9,
                     label: { position: "right", distance: 6, fontSize: 11, fontWeight: 600, color: "#1e293b",
                              backgroundColor: "rgba(255,255,255,0.85)", padding: [2, 4],
                              formatter: (p) => `${p.name}: ${pct(p.value)}` },
                     data: [{ coord: [20, data.top20_share], value: data.top20_share, name: data.labels.top20, itemStyle: { color: "#2f5bea" } },
                            { coord: [data.customers_for_80, 80], value: data.customers_for_80, name: data.labels.at80,
                              itemStyle: { color: "#16a34a" }, label: { position: "bottom" } }] },
        markLine: { silent: true, symbol: "none", lineStyle: { type: "dashed", color: "#94a3b8" }, label: { show: false },
                    data: [{ xAxis: 20 }, { yAxis: 80 }] } },
      { name: data.labels.diagonal, type: "line", data: [[0, 0], [100, 100]], showSymbol: false, silent: true,
        lineStyle: { type: "dotted", color: "#94a3b8", width: 1.5 } },
    ];
    if (data.bars) {
      // Optional: each decile's own share of revenue, behind the curve.
      series.unshift({ name: data.labels.bars, type: "bar", data: data.bars, barWidth: "70%", itemStyle: { color: "rgba(22, 163, 74, 0.25)" } });
    }
    return {
      grid: { left: 8, right: 24, top: 36, bottom: 24, containLabel: true },
      legend: { top: 0, left: 0, width: "80%", type: "scroll", data: series.map((s) => s.name) },
      tooltip: { trigger: "axis", axisPointer: { type: "cross" }, valueFormatter: pct,
                 formatter: (items) => {
                   const curve = items.find((i) => i.seriesIndex === series.length - 2) || items[0];
                   return `${escapeHtml(data.labels.customers)}: ${pct(curve.value[0])}<br>${escapeHtml(data.labels.revenue)}: ${pct(curve.value[1])}`;
                 } },
      xAxis: { type: "value", min: 0, max: 100, interval: 10, name: data.labels.customers, nameLocation: "middle", nameGap: 26,
               axisLabel: { formatter: percent(lang, 0) } },
      yAxis: { type: "value", min: 0, max: 100, interval: 20, name: data.labels.revenue, nameLocation: "middle", nameGap: 44, axisLabel: { formatter: percent(lang, 0) } },
      series,
    };
  },
  // Classes side by side: the share of customers and the share of revenue of each class
  // (ABC, or any partition), with counts and amounts in the tooltip.
  "class-bars": (data, lang) => {
    const pct = percent(lang);
    const colors = ["#94a3b8", "#2f5bea"];
    return {
      grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
      legend: { top: 0, left: 0 },
      tooltip: { trigger: "axis", formatter: (items) => {
        const i = items[0].dataIndex;
        const lines = items.map((it) => `${it.marker}${escapeHtml(it.seriesName)}: ${pct(it.value)}`);
        if (data.counts) lines.push(`${escapeHtml(data.labels.count)}: ${number(lang).format(data.counts[i])}`);
        if (data.amounts) lines.push(`${escapeHtml(data.labels.amount)}: ${money(lang).format(data.amounts[i])}`);
        return `<strong>${escapeHtml(data.classes[i])}</strong><br>${lines.join("<br>")}`;
      } },
      xAxis: { type: "category", data: data.classes, axisTick: { alignWithLabel: true }, axisLabel: { interval: 0, overflow: "break", width: 90 } },
      yAxis: { type: "value", max: 100, axisLabel: { formatter: percent(lang, 0) } },
      series: data.series.map((s, k) => ({
        name: s.name, type: "bar", data: s.values, barMaxWidth: 40,
        itemStyle: { color: s.color || colors[k % colors.length], borderRadius: [3, 3, 0, 0] },
        label: { show: true, position: "top", fontSize: 11, formatter: (p) => pct(p.value) },
      })),
    };
  },
  // Named segments (RFM) as a treemap: area = number of customers, colour = segment.
  "segment-map": (data, lang) => ({
    tooltip: { formatter: (p) => {
      const s = p.data;
      return `<strong>${escapeHtml(s.name)}</strong><br>${escapeHtml(data.labels.count)}: ${number(lang).format(s.value)} (${percent(lang)(s.share)})`
        + `<br>${escapeHtml(data.labels.revenue)}: ${money(lang).format(s.revenue)} (${percent(lang)(s.revenue_share)})`
        + (s.description ? `<br><span style="color:#64748b">${escapeHtml(s.description)}</span>` : "");
    } },
    series: [{
      type: "treemap", roam: false, nodeClick: false, breadcrumb: { show: false },
      left: 0, right: 0, top: 28, bottom: 0,
      label: { show: true, formatter: (p) => `{name|${p.name}}\n${number(lang).format(p.value)}`, fontSize: 11,
               lineHeight: 16, rich: { name: { fontSize: 12, fontWeight: 600, color: "#fff", lineHeight: 18 } }, overflow: "truncate" },
      upperLabel: { show: false },
      itemStyle: { borderColor: "#fff", borderWidth: 2, gapWidth: 2 },
      data: data.segments.filter((s) => s.count > 0).map((s, i) => ({
        name: s.label, value: s.count, revenue: s.revenue, share: s.share, revenue_share: s.revenue_share,
        description: s.description, url: s.url || null,
        itemStyle: { color: s.color || PALETTE[i % PALETTE.length] },
      })),
    }],
  }),
  // A distribution: one bar per bin (labels given by the server, e.g. "30–60 days").
  histogram: (data, lang) => ({
    grid: { left: 8, right: 8, top: 28, bottom: 8, containLabel: true },
    tooltip: { trigger: "axis", valueFormatter: (v) => number(lang).format(v) },
    title: data.title ? { text: data.title, left: 0, top: 0, textStyle: { fontSize: 12, fontWeight: 600 } } : undefined,
    xAxis: { type: "category", data: data.bins, name: data.x_label || "", nameLocation: "middle", nameGap: 40,
             axisLabel: { interval: 0, rotate: data.bins.length > 8 ? 35 : 0, fontSize: 11 } },
    yAxis: { type: "value", minInterval: 1, axisLabel: { formatter: (v) => number(lang).format(v) } },
    series: [{ name: data.y_label || "", type: "bar", data: data.counts, barCategoryGap: "8%",
               itemStyle: { color: data.color || "#2f5bea", borderRadius: [2, 2, 0, 0] } }],
  }),
  // Transitions between two periods: rows = class before, columns = class after; a cell shows the
  // number of customers and its share of the row (where the customers of that class went).
  migration: (data, lang) => {
    return {
      grid: { left: 8, right: 8, top: 28, bottom: 48, containLabel: true },
      tooltip: { formatter: (p) => `${escapeHtml(data.labels.from)}: <strong>${escapeHtml(data.from[p.value[1]])}</strong>`
        + ` → ${escapeHtml(data.labels.to)}: <strong>${escapeHtml(data.to[p.value[0]])}</strong>`
        + `<br>${escapeHtml(data.labels.count)}: ${number(lang).format(p.value[2])} (${percent(lang)(p.value[3])})` },
      xAxis: { type: "category", data: data.to, name: data.labels.to, nameLocation: "middle", nameGap: 28, position: "top",
               splitArea: { show: true }, axisLabel: { interval: 0, overflow: "break", width: 90, fontSize: 11 } },
      yAxis: { type: "category", data: data.from, name: data.labels.from, inverse: true, splitArea: { show: true },
               axisLabel: { interval: 0, fontSize: 11 } },
      // coloured by the share of the row, so a small class's loyalty shows as well as a big one's
      visualMap: { min: 0, max: 100, dimension: 3, calculable: false, orient: "horizontal", left: "center", bottom: 0, itemHeight: 120,
                   text: ["100 %", "0 %"], inRange: { color: ["#f8fafc", "#bfdbfe", "#2f5bea"] } },
      series: [{ type: "heatmap", data: data.cells,
                 label: { show: true, fontSize: 11, lineHeight: 15, formatter: (p) => (p.value[2] ? `${number(lang).format(p.value[2])}\n${percent(lang, 0)(p.value[3])}` : "") },
                 itemStyle: { borderColor: "#fff", borderWidth: 1 } }],
    };
  },
  // Positions of customers in a two-axis matrix (scoring, portfolio matrices), quadrant lines at
  // the portfolio averages, bubbles sized by `size` (the largest drawn ~60 px across), and
  // optional paths: a customer's trajectory, an arrow from each position to the next.
  "bubble-matrix": (data, lang) => {
    const fmt = number(lang, 2);
    const maxSize = Math.max(1e-9, ...data.points.map((p) => p.size || 0));
    const diameter = (value) => Math.max(6, (value[2] / maxSize) * 60);
    const groups = [...new Set(data.points.map((p) => p.group || ""))];
    const series = groups.map((group, i) => ({
      name: group, type: "scatter", symbolSize: diameter, cursor: "pointer",
      itemStyle: { color: PALETTE[i % PALETTE.length], opacity: 0.72, borderColor: "#fff", borderWidth: 1 },
      emphasis: { focus: "series", label: { show: true, formatter: (p) => p.name, position: "top" } },
      data: data.points.filter((p) => (p.group || "") === group).map((p) => ({ name: p.name, value: [p.x, p.y, p.size || 0], url: p.url || null })),
    }));
    const lines = [];
    if (data.x_mean != null) lines.push({ xAxis: data.x_mean, name: data.x_label });
    if (data.y_mean != null) lines.push({ yAxis: data.y_mean, name: data.y_label });
    if (lines.length && series.length) {
      series[0].markLine = { silent: true, symbol: "none", label: { show: false }, lineStyle: { color: "#64748b", type: "dashed" }, data: lines };
    }
    (data.paths || []).forEach((path, i) => {
      const coords = path.points.map((pt) => [pt[0], pt[1]]);
      series.push({
        name: path.name, type: "line", data: path.points.map((pt) => ({ value: [pt[0], pt[1]], name: pt[2] || "" })),
        symbol: "circle", symbolSize: 7, lineStyle: { width: 0 }, itemStyle: { color: PALETTE[(i + 3) % PALETTE.length] },
        label: { show: true, position: "right", fontSize: 10, formatter: (p) => p.name },
        markLine: { silent: true, symbol: ["none", "arrow"], symbolSize: 9, label: { show: false },
                    lineStyle: { color: PALETTE[(i + 3) % PALETTE.length], width: 2, type: "solid" },
                    data: coords.slice(1).map((to, k) => [{ coord: coords[k] }, { coord: to }]) },
      });
    });
    const q = data.quadrants;
    const corner = (text, pos) => ({ type: "text", ...pos, silent: true, z: 0,
                                     style: { text, fill: "#94a3b8", fontSize: 12, fontWeight: 600 } });
    return {
      grid: { left: 64, right: 28, top: 40, bottom: 52 },
      legend: groups.length > 1 || (data.paths || []).length ? { top: 0, left: 0, type: "scroll" } : undefined,
      tooltip: { formatter: (p) => `<strong>${escapeHtml(p.name || p.seriesName)}</strong><br>${escapeHtml(data.x_label)}: ${fmt.format(p.value[0])}`
        + `<br>${escapeHtml(data.y_label)}: ${fmt.format(p.value[1])}` },
      xAxis: { type: "value", name: data.x_label, nameLocation: "middle", nameGap: 30, scale: true,
               min: data.x_range ? data.x_range[0] : undefined, max: data.x_range ? data.x_range[1] : undefined, splitLine: { show: false } },
      yAxis: { type: "value", name: data.y_label, nameLocation: "middle", nameGap: 44, scale: true,
               min: data.y_range ? data.y_range[0] : undefined, max: data.y_range ? data.y_range[1] : undefined, splitLine: { show: false } },
      graphic: q ? [corner(q.tl, { left: 72, top: 46 }), corner(q.tr, { right: 36, top: 46 }),
                    corner(q.bl, { left: 72, bottom: 60 }), corner(q.br, { right: 36, bottom: 60 })] : [],
      series,
    };
  },
  // A customer's classes over the months (ABC class, RFM segment…): one step line per series,
  // each on its own category axis, stacked vertically.
  "class-timeline": (data) => {
    const n = data.series.length;
    const height = 100 / n;
    return {
      tooltip: { trigger: "axis" },
      grid: data.series.map((_, i) => ({ left: 8, right: 28, top: `${i * height + 12}%`, height: `${height - 22}%`, containLabel: true })),
      xAxis: data.series.map((_, i) => ({ type: "category", gridIndex: i, data: data.months, boundaryGap: false,
                                          axisLabel: { show: i === n - 1, fontSize: 10 } })),
      yAxis: data.series.map((s, i) => ({ type: "category", gridIndex: i, data: s.categories, name: s.name,
                                          nameTextStyle: { align: "left", fontWeight: 600 }, axisLabel: { fontSize: 10 } })),
      series: data.series.map((s, i) => ({ name: s.name, type: "line", step: "middle", xAxisIndex: i, yAxisIndex: i,
                                           data: s.values, connectNulls: false, symbolSize: 6,
                                           itemStyle: { color: PALETTE[i % PALETTE.length] } })),
    };
  },
};

// Download buttons in each chart's toolbox. SVG comes straight from the SVG renderer; PNG is drawn
// by a throw-away canvas instance of the same option (the SVG renderer cannot rasterise).
const ICON_PNG = "path://M4 4h16v16H4z M7 15l3-4 3 3 2-2 3 4z M9 9a1.5 1.5 0 1 0 0.01 0";
const ICON_SVG = "path://M12 3v12 M7 10l5 5 5-5 M4 19h16";

function saveUrl(url, filename) {
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
}

function withoutToolbox(option) {
  return { ...option, animation: false, toolbox: { show: false } };
}

function pngUrl(echarts, option, element) {
  const host = document.createElement("div");
  host.style.cssText = "position:fixed;left:-10000px;top:0;";
  document.body.append(host);
  const width = element.clientWidth || 800;
  const height = element.clientHeight || 400;
  const offscreen = echarts.init(host, null, { renderer: "canvas", width, height });
  offscreen.setOption(withoutToolbox(option));
  const url = offscreen.getDataURL({ type: "png", pixelRatio: 2, backgroundColor: "#fff" });
  offscreen.dispose();
  host.remove();
  return url;
}

function toolbox(echarts, chart, option, element) {
  const name = element.dataset.chartName || element.dataset.chart;
  return {
    right: 0, top: 0, itemSize: 13, itemGap: 10, showTitle: true,
    feature: {
      myPng: { show: true, title: element.dataset.chartPng || "PNG", icon: ICON_PNG,
               onclick: () => saveUrl(pngUrl(echarts, option, element), `${name}.png`) },
      mySvg: { show: true, title: element.dataset.chartSvg || "SVG", icon: ICON_SVG,
               onclick: () => saveUrl(chart.getDataURL({ type: "svg", excludeComponents: ["toolbox"] }), `${name}.svg`) },
    },
  };
}

// Apps add their own chart kinds from static/js/charts/<app>.js (see app.js); the helpers above
// are exported for them so every chart formats money, numbers and percentages the same way.
export function registerChartKinds(extra) {
  for (const [name, build] of Object.entries(extra)) {
    if (kinds[name]) throw new Error(`chart kind ${name} is already defined`);
    kinds[name] = build;
  }
}

export { money, number, percent, PALETTE, escapeHtml };

export function bindChart(element) {
  const source = document.getElementById(element.dataset.chartSource);
  const build = kinds[element.dataset.chart];
  if (!source || !build) return;
  const data = JSON.parse(source.textContent);
  const lang = document.documentElement.lang || "fr";
  loadECharts(element.dataset.chartLib).then((echarts) => {
    const chart = echarts.init(element, null, { renderer: "svg" });
    const option = build(data, lang);
    chart.setOption({ ...option, toolbox: toolbox(echarts, chart, option, element) });
    // A clickable point (bubble, segment) carries the address of what it stands for.
    chart.on("click", (params) => {
      const url = params.data && params.data.url;
      if (url && url.startsWith("/")) window.location.assign(url);
    });
    element.dataset.chartReady = "true";
    new ResizeObserver(() => chart.resize()).observe(element);
  }).catch(() => { element.hidden = true; });
}
