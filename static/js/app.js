// Entry point: binds the small behaviour modules to the elements that ask for them with a
// data attribute, on the first page and again inside every fragment HTMX swaps in.
import { bindTabs } from "./tabs.js";
import { bindTypeahead } from "./typeahead.js";
import { bindDismiss } from "./dismiss.js";
import { bindKeepHash } from "./keephash.js";
import { bindChart, registerChartKinds } from "./chart.js";
import { bindKanban } from "./kanban.js";
import { bindConditionBuilder } from "./condition_builder.js";
import { kinds as salesCharts } from "./charts/sales.js";
import { kinds as agendaCharts } from "./charts/agenda.js";
import { kinds as actionsCharts } from "./charts/actions.js";
import { kinds as serviceCharts } from "./charts/service.js";
import { kinds as surveysCharts } from "./charts/surveys.js";
import { kinds as marketingCharts } from "./charts/marketing.js";
import { kinds as clvCharts } from "./charts/clv.js";
import { kinds as attritionCharts } from "./charts/attrition.js";

for (const extra of [salesCharts, agendaCharts, actionsCharts, serviceCharts, surveysCharts, marketingCharts, clvCharts, attritionCharts]) registerChartKinds(extra);

const modules = [
  ["[data-tabs]", bindTabs],
  ["[data-typeahead]", bindTypeahead],
  ["[data-dismissible]", bindDismiss],
  ["[data-keep-hash]", bindKeepHash],
  ["[data-chart]", bindChart],
  ["[data-kanban]", bindKanban],
  ["[data-condition-builder]", bindConditionBuilder],
];

function bindAll(root) {
  for (const [selector, bind] of modules) {
    const found = root.matches?.(selector) ? [root] : [];
    for (const el of [...found, ...root.querySelectorAll(selector)]) {
      if (el.dataset.bound?.includes(selector)) continue;
      el.dataset.bound = `${el.dataset.bound || ""}${selector}`;
      bind(el);
    }
  }
}

bindAll(document);
document.addEventListener("htmx:load", (event) => bindAll(event.detail.elt));
