// Accessible tabs over server-rendered panels: without JavaScript every panel simply shows.
// The chosen tab lives in the URL hash so a reload or a shared link opens the same tab.
export function bindTabs(container) {
  const tabs = [...container.querySelectorAll('[role="tab"]')];
  const panelOf = (tab) => document.getElementById(tab.getAttribute("aria-controls"));

  function select(tab, { focus = false, updateHash = true } = {}) {
    for (const other of tabs) {
      const selected = other === tab;
      other.setAttribute("aria-selected", String(selected));
      other.tabIndex = selected ? 0 : -1;
      panelOf(other).hidden = !selected;
    }
    if (focus) tab.focus();
    if (updateHash) history.replaceState(history.state, "", `#${panelOf(tab).id}`);
  }

  function fromHash() {
    const id = location.hash.slice(1);
    const target = id && document.getElementById(id);
    return tabs.find((tab) => target && panelOf(tab).contains(target)) || null;
  }

  container.addEventListener("click", (event) => {
    const tab = event.target.closest('[role="tab"]');
    if (!tab || !tabs.includes(tab)) return;
    event.preventDefault();
    select(tab);
  });
  container.addEventListener("keydown", (event) => {
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = { ArrowRight: 1, ArrowLeft: -1, Home: -index, End: tabs.length - 1 - index };
    if (!(event.key in moves)) return;
    event.preventDefault();
    select(tabs[(index + moves[event.key] + tabs.length) % tabs.length], { focus: true });
  });
  // Links elsewhere on the page (e.g. "Log an interaction" in the header) open their tab.
  document.addEventListener("click", (event) => {
    const link = event.target.closest("[data-tab-link]");
    if (!link) return;
    const tab = tabs.find((t) => panelOf(t).id === link.dataset.tabLink);
    if (!tab) return;
    event.preventDefault();
    select(tab);
    panelOf(tab).querySelector("input, select, textarea")?.focus();
  });
  window.addEventListener("hashchange", () => { const tab = fromHash(); if (tab) select(tab, { updateHash: false }); });

  // A page re-rendered with a form's errors names the tab holding that form.
  const opened = tabs.find((t) => panelOf(t).id === container.dataset.openTab);
  select(fromHash() || opened || tabs[0], { updateHash: false });
  container.classList.add("is-ready");
}
