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
  "monthly-bars": (data, lang) => ({
    grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
    legend: { top: 0, data: [data.labels.amount, data.labels.margin] },
    tooltip: { trigger: "axis", valueFormatter: (v) => money(lang).format(v) },
    xAxis: { type: "category", data: data.months, axisTick: { alignWithLabel: true } },
    yAxis: { type: "value", axisLabel: { formatter: (v) => money(lang).format(v) } },
    series: [
      { name: data.labels.amount, type: "bar", data: data.amounts, itemStyle: { color: "#2f5bea", borderRadius: [3, 3, 0, 0] } },
      { name: data.labels.margin, type: "line", data: data.margins, symbolSize: 4, itemStyle: { color: "#16a34a" } },
    ],
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
