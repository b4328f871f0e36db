// Line icons (24×24, stroke = currentColor), decorative: each sits next to a
// visible label, so they are hidden from assistive technologies.
import { html } from '/js/lib/ui.js';

// functions, so that every icon gets vnodes of its own
const PATHS = {
  patients: () => html`<circle cx="9" cy="8" r="3.5" /><path d="M2.5 20c0-3.9 2.9-6 6.5-6s6.5 2.1 6.5 6" /><path d="M15.5 4.6a3.5 3.5 0 0 1 0 6.8" /><path d="M18 14.3c2.2.7 3.5 2.6 3.5 5.7" />`,
  notifications: () => html`<path d="M6 16v-5a6 6 0 0 1 12 0v5l1.5 2h-15z" /><path d="M10 21h4" />`,
  directory: () => html`<path d="M6 3h12a1 1 0 0 1 1 1v16a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1V4a1 1 0 0 1 1-1z" /><circle cx="12" cy="10" r="2.5" /><path d="M8.5 17c.5-2 1.8-3 3.5-3s3 1 3.5 3" />`,
  account: () => html`<circle cx="12" cy="8" r="4" /><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7" />`,
  admin: () => html`<path d="M12 3l8 3v6c0 4.5-3.4 8-8 9-4.6-1-8-4.5-8-9V6z" /><path d="M9 12l2 2 4-4" />`,
  offline: () => html`<path d="M2 8.5a15 15 0 0 1 5-2.9" /><path d="M11 5a15 15 0 0 1 11 3.5" /><path d="M5.5 12a10 10 0 0 1 4-2" /><path d="M15 10.5a10 10 0 0 1 3.5 1.5" /><path d="M9 15.5a5 5 0 0 1 6 0" /><path d="M3 3l18 18" /><circle cx="12" cy="19.5" r=".8" />`,
};

export function Icon({ name }) {
  return html`<svg class="icon" viewBox="0 0 24 24" width="24" height="24" fill="none" stroke="currentColor"
    stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true" focusable="false">${PATHS[name]()}</svg>`;
}
