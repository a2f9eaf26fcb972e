// Drag-and-drop pipeline board, bound to [data-kanban].
export function bindKanban(element) {}
