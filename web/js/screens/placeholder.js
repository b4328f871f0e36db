// The tabs whose APIs do not exist yet: they say what is coming, so that the
// navigation is already the one people will use.
import { html } from '/js/lib/ui.js';

export function Placeholder({ children }) {
  return html`<section class="card placeholder" aria-labelledby="bientot">
    <p class="badge badge-soon" id="bientot">Bientôt</p>
    <p>${children}</p>
  </section>`;
}
