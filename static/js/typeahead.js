// Keyboard support for the search suggestions HTMX loads under the top-bar search box:
// arrows move through them, Enter opens the highlighted one (or searches), Escape closes.
export function bindTypeahead(form) {
  const input = form.querySelector('input[type="search"]');
  const list = document.getElementById(input.getAttribute("aria-controls"));
  let active = -1;

  const items = () => [...list.querySelectorAll('[role="option"]')];

  function highlight(index) {
    const all = items();
    active = all.length ? (index + all.length) % all.length : -1;
    all.forEach((item, i) => {
      item.classList.toggle("is-active", i === active);
      item.setAttribute("aria-selected", String(i === active));
    });
    if (active >= 0) {
      input.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function close() {
    list.innerHTML = "";
    input.setAttribute("aria-expanded", "false");
    highlight(-1);
  }

  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!items().length) return;
      event.preventDefault();
      highlight(active + (event.key === "ArrowDown" ? 1 : -1));
    } else if (event.key === "Enter" && active >= 0) {
      event.preventDefault();
      window.location.assign(items()[active].href);
    } else if (event.key === "Escape") {
      close();
    }
  });
  list.addEventListener("htmx:afterSwap", () => {
    active = -1;
    input.setAttribute("aria-expanded", String(list.children.length > 0));
  });
  document.addEventListener("click", (event) => { if (!form.contains(event.target)) close(); });
  // "/" jumps to search from anywhere but a text field, as in most business tools.
  document.addEventListener("keydown", (event) => {
    const typing = event.target.closest("input, textarea, select, [contenteditable]");
    if (event.key === "/" && !typing) {
      event.preventDefault();
      input.focus();
    }
  });
}
