// How the application tells people what is happening: loading messages,
// errors with a retry, the offline banner, and announcements for screen
// readers. Errors use role="alert" (read at once), progress and successes
// role="status" or the polite live region #annonces of index.html.
import { html, useState } from '/js/lib/ui.js';
import { errorMessage } from '/js/lib/api.js';
import { useOnline } from '/js/lib/hooks.js';
import { Icon } from '/js/components/icons.js';

/* Reads `message` to screen-reader users without moving focus. Clearing then
 * setting on the next frame makes a repeated message be read again. */
export function announce(message) {
  const region = document.getElementById('annonces');
  if (!region) return;
  region.textContent = '';
  requestAnimationFrame(() => { region.textContent = message; });
}

/* A one-shot message shown by the next screen (« Compte créé. » after the
 * creation form leads back to the list). */
let pendingNotice = null;
export function setNotice(message) { pendingNotice = message; announce(message); }
export function useNotice() {
  const [notice] = useState(() => { const n = pendingNotice; pendingNotice = null; return n; });
  return notice;
}

export function Notice({ children }) {
  return children ? html`<p class="notice" role="status">${children}</p>` : null;
}

export function Loading({ label = 'Chargement…' }) {
  return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${label}</p>`;
}

/* An error in place of content, with a button to try again. */
export function LoadError({ error, onRetry }) {
  return html`<div class="load-error" role="alert">
    <p>${errorMessage(error)}</p>
    ${onRetry && html`<button type="button" class="button secondary" onClick=${onRetry}>Réessayer</button>`}
  </div>`;
}

/* Shown while the browser is offline or the last call got no answer. */
export function OfflineBanner() {
  const online = useOnline();
  return html`<div class="offline-slot" role="status">${!online && html`
    <p class="offline-banner"><${Icon} name="offline" />
      <span>Hors connexion : les informations affichées peuvent ne pas être à jour.
      Nouvelle tentative au retour du réseau.</span></p>`}</div>`;
}
