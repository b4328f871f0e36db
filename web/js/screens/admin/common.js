// Shared by the administration screens: their sub-navigation.
import { html } from '/js/lib/ui.js';

const SECTIONS = [
  { href: '/admin/comptes', label: 'Comptes', match: (p) => p.startsWith('/admin/comptes') },
  { href: '/admin/journal', label: "Journal d'audit", match: (p) => p.startsWith('/admin/journal') },
];

export function AdminNav() {
  const path = location.pathname;
  return html`<nav class="subnav" aria-label="Administration"><ul>
    ${SECTIONS.map((s) => html`<li key=${s.href}>
      <a href=${s.href} aria-current=${s.match(path) ? 'page' : undefined}>${s.label}</a></li>`)}
  </ul></nav>`;
}
