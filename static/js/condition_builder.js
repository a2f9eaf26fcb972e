// Point-and-click editor of a rule condition or a segment definition: nested "all of / any of" groups
// of rows [criterion → operator → value]. The textarea it enhances (data-condition-builder = id of the
// json_script holding the facts) stays the source of truth: every change rewrites its JSON and fires
// `input`, so the live preview and the form keep working. JSON the builder cannot show exactly is left
// untouched and the builder says so. The JSON stays reachable under a disclosure for power users. Its words come from the data-cb-* attributes of the template.

const NO_VALUE = new Set(["is_empty", "is_not_empty", "is_true", "is_false"]);
const DAYS = new Set(["within_next_days", "within_past_days", "more_than_days_ago", "anniversary_within_days"]);
const MANY = new Set(["in", "not_in", "held", "not_held"]);
const MAX_DEPTH = 4; // as the compiler
const CLAUSE_KEYS = new Set(["fact", "operator", "value"]);
let instances = 0;

// The kind of value an operator takes, whatever the fact.
function shapeOf(op) {
  if (NO_VALUE.has(op)) return "none";
  if (DAYS.has(op)) return "days";
  if (op === "more_than_years_ago") return "years";
  if (op === "turns_age_within_days") return "age_days";
  if (op === "between") return "pair";
  if (MANY.has(op)) return "many";
  return "scalar";
}

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const isGroup = (v) => isObject(v) && Object.keys(v).length === 1 && (Array.isArray(v.all) || Array.isArray(v.any));
const itemsOf = (group) => group.all ?? group.any;
const connectorOf = (group) => ("all" in group ? "all" : "any");
const isWhole = (v) => v === null || v === undefined || Number.isInteger(v);

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

export function bindConditionBuilder(textarea) {
  const wrap = textarea.closest("[data-cb]");
  const facts = JSON.parse(document.getElementById(textarea.dataset.conditionBuilder).textContent);
  const t = wrap.dataset; // translated words: t.cbAll, t.cbAddCondition...
  const root = wrap.querySelector("[data-cb-builder]");
  const notice = wrap.querySelector("[data-cb-notice]");
  const details = wrap.querySelector("[data-cb-json]");
  const uid = `cb${++instances}`;
  const byKey = new Map(facts.map((f) => [f.key, f]));
  const areas = new Map(); // area label → facts, both sorted by their translated label
  for (const f of [...facts].sort((a, b) => a.area_label.localeCompare(b.area_label) || String(a.label).localeCompare(String(b.label)))) {
    if (!areas.has(f.area_label)) areas.set(f.area_label, []);
    areas.get(f.area_label).push(f);
  }
  let tree = null;
  let writing = false;

  // ---- reading the JSON ------------------------------------------------------------------------
  function scalarFits(fact, v) {
    if (v === null || v === undefined) return true;
    if (fact.type === "choice") return (typeof v === "string" || Number.isInteger(v)) && fact.options.some(([k]) => k === String(v));
    if (fact.type === "number") return typeof v === "number" || (typeof v === "string" && v.trim() !== "" && !Number.isNaN(Number(v)));
    if (fact.type === "date") return typeof v === "string" && (v === "" || /^\d{4}-\d{2}-\d{2}$/.test(v));
    return typeof v === "string";
  }

  function valueFits(fact, op, v) {
    switch (shapeOf(op)) {
      case "none": return v === undefined;
      case "days": case "years": return isWhole(v);
      case "age_days": return Array.isArray(v) && v.length === 2 && v.every(isWhole);
      case "pair": return Array.isArray(v) && v.length === 2 && v.every((x) => scalarFits(fact, x));
      case "many": return Array.isArray(v) ? v.every((x) => x !== null && scalarFits(fact, x)) : scalarFits(fact, v);
      default: return scalarFits(fact, v);
    }
  }

  // Can every part of this JSON be shown (and so rewritten) by the builder without changing it?
  function representable(node, depth) {
    if (isGroup(node)) return depth <= MAX_DEPTH && itemsOf(node).every((item) => representable(item, depth + 1));
    if (!isObject(node) || !Object.keys(node).every((k) => CLAUSE_KEYS.has(k)) || typeof node.fact !== "string") return false;
    if (node.fact === "") return node.operator === undefined && node.value === undefined; // a row being filled in
    const fact = byKey.get(node.fact);
    return Boolean(fact) && fact.operators.includes(node.operator) && valueFits(fact, node.operator, node.value);
  }

  function load() {
    const text = textarea.value.trim();
    let parsed = { all: [] };
    if (text !== "" && text !== "{}") {
      try {
        parsed = JSON.parse(text);
      } catch {
        return refuse(t.cbInvalid);
      }
    }
    if (!isGroup(parsed) || !representable(parsed, 1)) return refuse(t.cbUnsupported);
    tree = parsed;
    notice.hidden = true;
    root.hidden = false;
    render();
    return true;
  }

  function refuse(message) {
    tree = null;
    notice.textContent = message;
    notice.hidden = false;
    root.hidden = true;
    root.replaceChildren();
    details.open = true;
    return false;
  }

  // ---- writing the JSON ------------------------------------------------------------------------
  function write() {
    textarea.value = JSON.stringify(tree, null, 2);
    writing = true;
    try {
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    } finally {
      writing = false;
    }
  }

  function nodeAt(path) {
    return path.reduce((node, i) => itemsOf(node)[i], tree);
  }

  function defaultValue(fact, op) {
    switch (shapeOf(op)) {
      case "none": return undefined;
      case "days": return 30;
      case "years": return 1;
      case "age_days": return [18, 30];
      case "pair": return [null, null];
      case "many": return [];
      default: return fact.type === "choice" && fact.options.length ? fact.options[0][0] : null;
    }
  }

  function setValue(clause, value) {
    if (value === undefined) delete clause.value;
    else clause.value = value;
  }

  function parseScalar(fact, raw) {
    if (raw === "") return null;
    if (fact.type === "number") return Number.isNaN(Number(raw)) ? null : Number(raw);
    return raw;
  }

  // ---- drawing ---------------------------------------------------------------------------------
  function render(focusKey) {
    root.replaceChildren(groupEl(tree, [], 1));
    if (focusKey) root.querySelector(`[data-focus="${focusKey}"]`)?.focus();
  }

  const keyOf = (path, what) => `${path.join(".") || "root"}:${what}`;
  const label = (path) => path.map((i) => i + 1).join(".");

  function groupEl(group, path, depth) {
    const connector = connectorOf(group);
    const items = itemsOf(group);
    const name = `${uid}-${path.join("-") || "root"}`;
    const toggle = el("fieldset", { class: "cb-switch" }, el("legend", { class: "sr-only", text: t.cbCombine }),
      ...["all", "any"].map((value) => el("label", {},
        el("input", { type: "radio", name, value, checked: value === connector, "data-focus": keyOf(path, value),
                      onchange: () => {
                        delete group[connector];
                        group[value] = items;
                        write();
                        render(keyOf(path, value));
                      } }),
        el("span", { text: value === "all" ? t.cbAll : t.cbAny }))));
    const head = el("div", { class: "cb-group__head" }, el("span", { class: "cb-group__lead", "aria-hidden": "true", text: t.cbCombine }), toggle);
    if (depth > 1) {
      head.append(el("button", { type: "button", class: "btn btn--icon cb-remove", "aria-label": t.cbRemoveGroup, title: t.cbRemoveGroup, text: "×",
                                 onclick: () => remove(path) }));
    }
    const list = el("ol", { class: "cb-list" });
    items.forEach((item, i) => {
      const itemPath = [...path, i];
      const li = el("li", { class: "cb-item" });
      if (i > 0) li.append(el("span", { class: `cb-connector cb-connector--${connector}`, text: connector === "all" ? t.cbAnd : t.cbOr }));
      li.append(isGroup(item) ? groupEl(item, itemPath, depth + 1) : rowEl(item, itemPath));
      list.append(li);
    });
    const actions = el("div", { class: "cb-actions" },
      el("button", { type: "button", class: "btn btn--sm cb-add", "data-focus": keyOf(path, "add"), text: `+ ${t.cbAddCondition}`,
                     onclick: () => {
                       items.push({ fact: "" });
                       write();
                       render(keyOf([...path, items.length - 1], "fact"));
                     } }));
    if (depth < MAX_DEPTH) {
      actions.append(el("button", { type: "button", class: "btn btn--sm cb-add", text: `+ ${t.cbAddGroup}`,
                                    onclick: () => {
                                      items.push({ [connector === "all" ? "any" : "all"]: [{ fact: "" }] });
                                      write();
                                      render(keyOf([...path, items.length - 1, 0], "fact"));
                                    } }));
    }
    const attrs = { class: `cb-group cb-group--${connector}${depth > 1 ? " cb-group--nested" : ""}` };
    if (depth > 1) Object.assign(attrs, { role: "group", "aria-label": t.cbGroupN.replace("{n}", label(path)) });
    return el("div", attrs, head, items.length ? list : el("p", { class: "cb-empty muted", text: t.cbEmpty }), actions);
  }

  function remove(path) {
    const parentPath = path.slice(0, -1);
    itemsOf(nodeAt(parentPath)).splice(path.at(-1), 1);
    write();
    render(keyOf(parentPath, "add"));
  }

  function rowEl(clause, path) {
    const fact = byKey.get(clause.fact);
    const factSelect = el("select", { class: "cb-fact", "aria-label": t.cbFact, "data-focus": keyOf(path, "fact"),
                                      onchange: (event) => {
                                        const next = byKey.get(event.target.value);
                                        const keep = next && next.type === fact?.type && next.operators.includes(clause.operator);
                                        clause.fact = event.target.value;
                                        if (!next) {
                                          delete clause.operator;
                                          delete clause.value;
                                        } else if (!keep || !valueFits(next, clause.operator, clause.value)) {
                                          clause.operator = next.operator_labels[0][0];
                                          setValue(clause, defaultValue(next, clause.operator));
                                        }
                                        write();
                                        render(keyOf(path, "fact"));
                                      } },
      el("option", { value: "", text: t.cbChooseFact, disabled: Boolean(fact) }));
    for (const [area, list] of areas) {
      factSelect.append(el("optgroup", { label: area },
        ...list.map((f) => el("option", { value: f.key, text: f.label, selected: f.key === clause.fact }))));
    }
    const fields = el("div", { class: "cb-row__fields" }, factSelect);
    const row = el("div", { class: "cb-row", role: "group", "aria-label": t.cbConditionN.replace("{n}", label(path)) }, fields);
    if (fact) {
      fields.append(el("select", { class: "cb-op", "aria-label": t.cbOperator, "data-focus": keyOf(path, "op"),
                                onchange: (event) => {
                                  const before = shapeOf(clause.operator);
                                  clause.operator = event.target.value;
                                  if (shapeOf(clause.operator) !== before || !valueFits(fact, clause.operator, clause.value)) {
                                    setValue(clause, defaultValue(fact, clause.operator));
                                  }
                                  write();
                                  render(keyOf(path, "op"));
                                } },
        ...fact.operator_labels.map(([op, text]) => el("option", { value: op, text, selected: op === clause.operator }))));
      fields.append(valueEl(fact, clause, path));
    }
    row.append(el("button", { type: "button", class: "btn btn--icon cb-remove", "aria-label": t.cbRemoveCondition, title: t.cbRemoveCondition,
                              text: "×", onclick: () => remove(path) }));
    return row;
  }

  // One input for a single value of the fact's type; `onValue` receives the parsed value.
  function scalarInput(fact, value, ariaLabel, onValue, focus) {
    if (fact.type === "choice") {
      return el("select", { "aria-label": ariaLabel, "data-focus": focus, onchange: (e) => onValue(e.target.value) },
        ...fact.options.map(([k, text]) => el("option", { value: k, text, selected: k === String(value ?? "") })));
    }
    const type = { number: "number", date: "date" }[fact.type] ?? "text";
    return el("input", { type, step: type === "number" ? "any" : null, value: value ?? "", "aria-label": ariaLabel, "data-focus": focus,
                         oninput: (e) => onValue(parseScalar(fact, e.target.value)) });
  }

  function wholeInput(value, ariaLabel, onValue) {
    return el("input", { type: "number", min: 0, step: 1, inputmode: "numeric", class: "cb-whole", value: value ?? "", "aria-label": ariaLabel,
                         oninput: (e) => onValue(e.target.value === "" ? null : Math.trunc(Number(e.target.value))) });
  }

  const unit = (text) => el("span", { class: "cb-unit", text });

  function valueEl(fact, clause, path) {
    const box = el("div", { class: "cb-value" });
    const v = clause.value;
    const update = (value) => {
      clause.value = value;
      write();
    };
    switch (shapeOf(clause.operator)) {
      case "none":
        break;
      case "days":
        box.append(wholeInput(v, t.cbValue, update), unit(t.cbDays));
        break;
      case "years":
        box.append(wholeInput(v, t.cbValue, update), unit(t.cbYears));
        break;
      case "age_days": {
        box.append(wholeInput(v[0], t.cbAge, (x) => update([x, clause.value[1]])), unit(t.cbYears),
                   wholeInput(v[1], t.cbDays, (x) => update([clause.value[0], x])), unit(t.cbDays));
        break;
      }
      case "pair":
        box.append(scalarInput(fact, v[0], t.cbLow, (x) => update([x, clause.value[1]])), unit(t.cbAnd),
                   scalarInput(fact, v[1], t.cbHigh, (x) => update([clause.value[0], x])));
        break;
      case "many":
        box.append(manyEl(fact, clause, path));
        break;
      default:
        box.append(scalarInput(fact, v, t.cbValue, update, keyOf(path, "value")));
    }
    return box;
  }

  // A list of values shown as chips, with a select (choices) or a text box (Enter adds) to add one.
  function manyEl(fact, clause, path) {
    const values = () => (Array.isArray(clause.value) ? clause.value : clause.value == null ? [] : [clause.value]);
    const labelOf = (k) => fact.options.find(([key]) => key === String(k))?.[1] ?? String(k);
    const add = (raw, refocus = true) => {
      const value = parseScalar(fact, String(raw).trim());
      if (value === null || values().some((x) => String(x) === String(value))) return false;
      clause.value = [...values(), value];
      write();
      render(refocus ? keyOf(path, "adder") : undefined);
      return true;
    };
    const chips = el("ul", { class: "cb-chips" }, ...values().map((value, i) => el("li", { class: "cb-chip" }, el("span", { text: labelOf(value) }),
      el("button", { type: "button", class: "cb-chip__remove", text: "×", "aria-label": t.cbRemoveValue.replace("{value}", labelOf(value)),
                     onclick: () => {
                       clause.value = values().filter((_, j) => j !== i);
                       write();
                       render(keyOf(path, "adder"));
                     } }))));
    let adder;
    if (fact.type === "choice") {
      const taken = new Set(values().map(String));
      adder = el("select", { class: "cb-adder", "aria-label": t.cbAddValue, "data-focus": keyOf(path, "adder"), onchange: (e) => add(e.target.value) },
        el("option", { value: "", text: t.cbAddValue, selected: true }),
        ...fact.options.filter(([k]) => !taken.has(k)).map(([k, text]) => el("option", { value: k, text })));
    } else {
      adder = el("input", { type: fact.type === "number" ? "number" : "text", class: "cb-adder", placeholder: t.cbTypeValue,
                            "aria-label": t.cbValue, "data-focus": keyOf(path, "adder"),
                            onkeydown: (e) => {
                              if ((e.key === "Enter" || e.key === ",") && e.target.value.trim()) {
                                e.preventDefault();
                                add(e.target.value);
                              } else if (e.key === "Enter") {
                                e.preventDefault(); // never submit the form from here
                              }
                            },
                            onchange: (e) => { if (e.target.value.trim()) add(e.target.value, false); } });
    }
    return el("div", { class: "cb-many" }, values().length ? chips : null, adder);
  }

  // ---- wiring ----------------------------------------------------------------------------------
  textarea.addEventListener("input", () => {
    if (!writing) load();
  });
  // The JSON stays open under the builder until the user folds it; the choice is remembered.
  const remembered = (() => {
    try {
      return localStorage.getItem("condition-builder-json");
    } catch {
      return null;
    }
  })();
  if (load() && remembered === "closed") details.open = false;
  details.querySelector("summary").addEventListener("click", () => {
    try {
      localStorage.setItem("condition-builder-json", details.open ? "closed" : "open");
    } catch {
      // storage refused (private mode): the disclosure simply opens as the page says
    }
  });
}
