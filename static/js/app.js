// Entry point: binds the small behaviour modules to the elements that ask for them with a
// data attribute, on the first page and again inside every fragment HTMX swaps in.
import { bindTabs } from "./tabs.js";
import { bindTypeahead } from "./typeahead.js";
import { bindDismiss } from "./dismiss.js";
import { bindKeepHash } from "./keephash.js";
import { bindChart } from "./chart.js";

const modules = [
  ["[data-tabs]", bindTabs],
  ["[data-typeahead]", bindTypeahead],
  ["[data-dismissible]", bindDismiss],
  ["[data-keep-hash]", bindKeepHash],
  ["[data-chart]", bindChart],
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
