// Phone and e-mail links (tel:, mailto:). The href is built here from the
// number's digits and the encoded address, never taken as is from data.
import { html } from '/js/lib/ui.js';

/* "0299000001" → "02 99 00 00 01" (French numbers), others as typed. */
export function formatPhone(p) {
  const d = String(p).replace(/[\s.()-]/g, '');
  return /^0\d{9}$/.test(d) ? d.replace(/(\d\d)(?=\d)/g, '$1 ') : p;
}

export function TelLink({ phone, who }) {
  if (!phone) return null;
  const digits = String(phone).replace(/[^\d+]/g, '');
  return html`<a class="contact-link" href=${`tel:${digits}`}>${formatPhone(phone)}${who && html`<span
    class="visually-hidden"> (appeler ${who})</span>`}</a>`;
}

export function MailLink({ email, who }) {
  if (!email) return null;
  const href = 'mailto:' + encodeURIComponent(String(email).trim()).replace(/%40/g, '@');
  return html`<a class="contact-link" href=${href}>${email}${who && html`<span
    class="visually-hidden"> (écrire à ${who})</span>`}</a>`;
}
