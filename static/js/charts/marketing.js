// Chart kinds of marketing: `name: (data, lang) => echartsOption`, registered by app.js.
// Shared formatters: import { money, number, percent, PALETTE, escapeHtml } from "../chart.js".
export const kinds = {};
