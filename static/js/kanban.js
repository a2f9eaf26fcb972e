// Drag-and-drop pipeline board, bound to [data-kanban].
// A card dropped on another column is POSTed to the move service with the card's version; on success the
// card keeps its new place, gets the new version and the column totals follow. A stale card (409) or a
// refused move (422) goes back where it was and the message is announced in the board's live region.
// Dropping on a "lost" column first asks for the lost reason.

const moneyFormat = () => new Intl.NumberFormat(document.documentElement.lang || "fr", {
  style: "currency", currency: "EUR", maximumFractionDigits: 0,
});

function csrfToken() {
  try {
    return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
  } catch {
    return "";
  }
}

function setTotals(column, deltaCount, deltaAmount, deltaWeighted) {
  const d = column.dataset;
  d.count = String(Number(d.count) + deltaCount);
  d.amount = String(Number(d.amount) + deltaAmount);
  d.weighted = String(Number(d.weighted) + deltaWeighted);
  const fmt = moneyFormat();
  column.querySelector('[data-total="count"]').textContent = d.count;
  column.querySelector('[data-total="amount"]').textContent = fmt.format(Number(d.amount));
  column.querySelector('[data-total="weighted"]').textContent = fmt.format(Number(d.weighted));
}

function askLostReason(board) {
  const dialog = board.ownerDocument.querySelector("[data-lost-dialog]");
  if (!dialog) return Promise.resolve({});
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => {
      if (dialog.returnValue !== "ok") return resolve(null);
      const form = dialog.querySelector("form");
      resolve({ lost_reason: form.lost_reason.value, lost_note: form.lost_note.value });
    }, { once: true });
    dialog.showModal();
  });
}

export function bindKanban(board) {
  const status = board.ownerDocument.querySelector("[data-kanban-status]");
  const url = (id) => board.dataset.moveUrl.replace("/0/", `/${id}/`);
  let dragged = null;

  const announce = (message, error = false) => {
    if (!status) return;
    status.textContent = message;
    status.classList.toggle("is-error", error);
  };

  board.addEventListener("dragstart", (event) => {
    const card = event.target.closest?.(".kanban__card");
    if (!card) return;
    dragged = card;
    card.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.id);
  });
  board.addEventListener("dragend", () => {
    dragged?.classList.remove("is-dragging");
    board.querySelectorAll(".is-over").forEach((el) => el.classList.remove("is-over"));
  });
  board.addEventListener("dragover", (event) => {
    const column = event.target.closest?.(".kanban__col");
    if (!column || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll(".is-over").forEach((el) => el !== column && el.classList.remove("is-over"));
    column.classList.add("is-over");
  });
  board.addEventListener("drop", async (event) => {
    const target = event.target.closest?.(".kanban__col");
    const card = dragged;
    if (!target || !card) return;
    event.preventDefault();
    target.classList.remove("is-over");
    const source = card.closest(".kanban__col");
    if (source === target) return;
    const extra = target.dataset.outcome === "lost" ? await askLostReason(board) : {};
    if (extra === null) return;
    const home = card.nextElementSibling;
    target.querySelector("[data-dropzone]").prepend(card);  // optimistic: back home if refused
    card.classList.add("is-saving");
    const body = new URLSearchParams({ stage: target.dataset.stage, version: card.dataset.version, ...extra });
    let answer = { ok: false, message: "" };
    try {
      const response = await fetch(url(card.dataset.id), {
        method: "POST", body, credentials: "same-origin",
        headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "fetch" },
      });
      answer = await response.json().catch(() => ({ ok: false, message: response.statusText }));
    } catch (error) {
      answer = { ok: false, message: String(error) };
    }
    card.classList.remove("is-saving");
    if (!answer.ok) {
      source.querySelector("[data-dropzone]").insertBefore(card, home && home.parentNode ? home : null);
      card.classList.add("is-refused");
      setTimeout(() => card.classList.remove("is-refused"), 2500);
      announce(answer.message, true);
      return;
    }
    const amount = Number(card.dataset.amount);
    const before = amount * Number(card.dataset.probability) / 100;
    const after = amount * Number(answer.probability) / 100;
    card.dataset.version = String(answer.version);
    card.dataset.probability = String(answer.probability);
    setTotals(source, -1, -amount, -before);
    setTotals(target, 1, amount, after);
    announce(`${card.querySelector(".kanban__title").textContent} → ${target.querySelector("h2").firstChild.textContent.trim()}`);
  });
}
