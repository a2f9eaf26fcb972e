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
};

export function bindChart(element) {
  const source = document.getElementById(element.dataset.chartSource);
  const build = kinds[element.dataset.chart];
  if (!source || !build) return;
  const data = JSON.parse(source.textContent);
  const lang = document.documentElement.lang || "fr";
  loadECharts(element.dataset.chartLib).then((echarts) => {
    const chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption(build(data, lang));
    new ResizeObserver(() => chart.resize()).observe(element);
  }).catch(() => { element.hidden = true; });
}
