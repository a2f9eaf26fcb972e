// A form that reloads the same page (the language switch) brings the reader back to the same
// tab: the server never sees the URL fragment, so it is added to `next` on submit.
export function bindKeepHash(form) {
  form.addEventListener("submit", () => {
    const next = form.querySelector('input[name="next"]');
    if (next && location.hash && !next.value.includes("#")) next.value += location.hash;
  });
}
