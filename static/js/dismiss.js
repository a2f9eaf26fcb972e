// Flash messages close on their × button.
export function bindDismiss(element) {
  element.querySelector("[data-dismiss]")?.addEventListener("click", () => element.remove());
}
