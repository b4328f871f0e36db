// Pieces shared by the patient screens: the identity status badge, a
// patient's short identity (lists, search results, duplicate candidates), and
// where a notification leads.
import { html } from '/js/lib/ui.js';
import { statusLabel, formatBirthDate, bornLabel, sexLabel, patientName, circleRoleLabel } from '/js/lib/format.js';

export function StatusBadge({ status }) {
  return html`<span class=${`badge status status-${String(status).toLowerCase()}`}
    title="Statut de l'identité">${statusLabel(status)}</span>`;
}

/* Name (birth name first, then the used name), given names, birth date, sex,
 * status: the traits that tell two patients apart (identitovigilance). */
export function IdentityLines({ patient: p, href }) {
  let name = html`<span class="patient-birth-name">${p.birth_family_name}</span> ${
    (Array.isArray(p.birth_given_names) ? p.birth_given_names : [p.birth_given_names]).join(' ')}`;
  // a link whose ::after covers the card: the card is clickable, the link's name stays short
  if (href) name = html`<a class="card-link" href=${href}>${name}</a>`;
  const used = [
    p.used_family_name && p.used_family_name !== p.birth_family_name && `nom utilisé : ${p.used_family_name}`,
    p.used_given_name && p.used_given_name !== (p.birth_given_names || [])[0] && `prénom utilisé : ${p.used_given_name}`,
  ].filter(Boolean).join(' · ');
  return html`
    <p class="patient-name">${name}</p>
    ${used && html`<p class="patient-used">${used}</p>`}
    <p class="patient-meta">${bornLabel(p.sex)} ${formatBirthDate(p.birth_date)} · ${sexLabel(p.sex)}
      ${' '}<${StatusBadge} status=${p.identity_status} /></p>`;
}

export const patientHref = (id, tab) => `/patients/${encodeURIComponent(id)}${tab ? '/' + tab : ''}`;

/* The page a notification is about. */
export function notificationHref(n) {
  if (!n.patient_id) return '/notifications';
  switch (n.kind) {
    case 'note.new': case 'note.reply': return patientHref(n.patient_id, 'journal');
    case 'message': case 'mention': return patientHref(n.patient_id, 'conversation');
    case 'circle.added': case 'circle.removed': return patientHref(n.patient_id, 'cercle');
    default: return patientHref(n.patient_id);
  }
}

/* A notification's text: the server writes "Rôle : NURSE", say the role in French. */
export const notificationBody = (n) => (n.body || '').replace(/^(Rôle : )([A-Z_]+)$/, (_, p, r) => p + circleRoleLabel(r));

export { patientName };
