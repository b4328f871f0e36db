// Patients: my patients (GET /api/me/patients) and the identitovigilance
// search over every patient (GET /api/patients?name=&birth_date=), whose
// criteria live in the URL (?nom=&naissance=). The unread and urgent marks
// come from the notification feed the shell already holds, and the unread
// messages from GET /api/conversations: two calls for the whole list, never
// one per patient.
import { html, useState, useEffect, useMemo } from '/js/lib/ui.js';
import { api, queryString, ApiError } from '/js/lib/api.js';
import { useLocation, navigate } from '/js/lib/router.js';
import { useResource } from '/js/lib/hooks.js';
import { useSession, isAdmin } from '/js/lib/session.js';
import { useUnread, onLiveNotification } from '/js/lib/notifications.js';
import { parseDate, formatBirthDate, plural } from '/js/lib/format.js';
import { Loading, LoadError, Notice, useNotice } from '/js/components/feedback.js';
import { IdentityLines, patientHref } from '/js/components/patient.js';

/* One patient: the name is the link (the whole card is clickable). */
export function PatientCard({ patient, marks }) {
  return html`<li class="card patient-card" data-patient=${patient.id}>
    <${IdentityLines} patient=${patient} href=${patientHref(patient.id)} />
    ${marks && (marks.urgent || marks.unread || marks.messages) ? html`<p class="marks">
      ${marks.urgent > 0 && html`<span class="badge badge-urgent">${plural(marks.urgent, 'alerte urgente', 'alertes urgentes')}</span>`}
      ${marks.unread > 0 && html`<span class="badge badge-unread">${plural(marks.unread, 'nouveauté', 'nouveautés')}</span>`}
      ${marks.messages > 0 && html`<span class="badge badge-unread">${plural(marks.messages, 'message non lu', 'messages non lus')}</span>`}
    </p>` : null}
  </li>`;
}

function useMarks(active) {
  const { unread } = useUnread();
  const convs = useResource(
    (signal) => (active ? api('GET', '/api/conversations?limit=200', { signal }).catch(() => ({ items: [] })) : Promise.resolve({ items: [] })),
    [active],
  );
  return useMemo(() => {
    const marks = new Map();
    const get = (id) => {
      if (!marks.has(id)) marks.set(id, { unread: 0, urgent: 0, messages: 0 });
      return marks.get(id);
    };
    for (const n of unread) {
      if (!n.patient_id || n.kind === 'message' || n.kind === 'mention') continue;
      const m = get(n.patient_id);
      if (n.urgent) m.urgent++; else m.unread++;
    }
    for (const c of (convs.data && convs.data.items) || []) if (c.patient_id && c.unread > 0) get(c.patient_id).messages += c.unread;
    return marks;
  }, [unread, convs.data]);
}

/* One field for both criteria, as people type them: "dupont 12/03/1948",
 * "12031948", "dup": the words that read as a date are the birth date. */
export function splitSearch(text) {
  let birth = '';
  const words = [];
  for (const w of text.trim().split(/\s+/).filter(Boolean)) {
    const d = /\d/.test(w) ? parseDate(w) : null;
    if (d && !birth) birth = d; else words.push(w);
  }
  return { name: words.join(' '), birth };
}

function SearchForm({ name, birth }) {
  const current = [name, formatBirthDate(birth)].filter(Boolean).join(' ');
  const [text, setText] = useState(current);
  const [error, setError] = useState('');
  useEffect(() => { setText(current); }, [current]);
  const onSubmit = (ev) => {
    ev.preventDefault();
    const q = splitSearch(text);
    if (!q.name && !q.birth) {
      setError('Indiquez un nom ou une date de naissance (JJ/MM/AAAA).');
      ev.currentTarget.querySelector('input').focus();
      return;
    }
    setError('');
    navigate('/patients' + queryString({ nom: q.name, naissance: q.birth }), { replace: true, focus: false });
  };
  return html`<form class="search search-patients" role="search" aria-label="Rechercher un patient" onSubmit=${onSubmit} novalidate>
    <label for="recherche-patient">Rechercher parmi tous les patients</label>
    <p class="hint" id="recherche-patient-aide">Date de naissance et début du nom (de naissance ou utilisé), par exemple
      « dupont 12/03/1948 ».</p>
    <div class="search-row">
      <input id="recherche-patient" type="search" value=${text} autocomplete="off" spellcheck=${false}
        aria-invalid=${error ? 'true' : undefined}
        aria-describedby=${'recherche-patient-aide' + (error ? ' recherche-patient-erreur' : '')}
        onInput=${(ev) => setText(ev.currentTarget.value)} />
      <button type="submit" class="button secondary">Rechercher</button>
    </div>
    ${error && html`<p class="field-error" id="recherche-patient-erreur">${error}</p>`}
    ${(name || birth) && html`<p><a href="/patients">Effacer la recherche et revenir à mes patients</a></p>`}
  </form>`;
}

function SearchResults({ name, birth, marks }) {
  const res = useResource(
    (signal) => api('GET', '/api/patients' + queryString({ name, birth_date: birth, limit: 50 }), { signal }),
    [name, birth],
  );
  const items = (res.data && res.data.items) || [];
  const criteria = [name && `« ${name} »`, birth && `né(e) le ${formatBirthDate(birth)}`].filter(Boolean).join(', ');
  return html`<section aria-labelledby="titre-resultats">
    <h2 id="titre-resultats">Résultats de la recherche</h2>
    ${res.status === 'loading' && html`<${Loading} label="Recherche…" />`}
    ${res.status === 'error' && html`<${LoadError} error=${res.error}
      onRetry=${res.error instanceof ApiError && res.error.status === 422 ? null : res.reload} />`}
    ${res.status === 'ok' && html`<p class="summary" role="status">${items.length === 0
      ? `Aucun patient ne correspond à ${criteria}.`
      : `${plural(items.length, 'patient trouvé', 'patients trouvés')} pour ${criteria}${res.data.next_offset ? ' (précisez la recherche pour voir les autres)' : ''}.`}</p>
      <ul class="cards">${items.map((p) => html`<${PatientCard} key=${p.id} patient=${p} marks=${marks.get(p.id)} />`)}</ul>
      <p><a class="button secondary" href=${'/patients/nouveau' + queryString({ nom: name, naissance: birth })}>
        ${items.length ? "Aucun ne convient : créer un patient" : 'Créer ce patient'}</a></p>`}
  </section>`;
}

function MyPatients({ marks }) {
  const res = useResource((signal) => api('GET', '/api/me/patients?limit=500', { signal }), []);
  const items = (res.data && res.data.items) || [];
  // added to (or removed from) a circle meanwhile: the list follows
  useEffect(() => onLiveNotification((n) => { if (n.kind.startsWith('circle.')) res.reload(); }), []); // eslint-disable-line
  return html`<section aria-labelledby="titre-mes-patients">
    <h2 id="titre-mes-patients">Mes patients</h2>
    ${res.status === 'loading' && !res.data && html`<${Loading} />`}
    ${res.status === 'error' && html`<${LoadError} error=${res.error} onRetry=${res.reload} />`}
    ${res.data && html`<p class="summary">${items.length === 0
      ? "Vous ne faites partie d'aucun cercle de soins pour l'instant. Cherchez un patient ou créez-le."
      : plural(items.length, 'patient dont vous faites partie du cercle de soins', 'patients dont vous faites partie du cercle de soins')}</p>
      <ul class="cards" aria-label="Mes patients">${items.map((p) => html`<${PatientCard} key=${p.id} patient=${p} marks=${marks.get(p.id)} />`)}</ul>`}
  </section>`;
}

export function Patients() {
  const { user } = useSession();
  const loc = useLocation();
  const notice = useNotice();
  const name = loc.query.get('nom') || '';
  const birth = loc.query.get('naissance') || '';
  const marks = useMarks(!isAdmin(user));
  if (isAdmin(user)) {
    return html`<div class="card"><p>Les administrateurs gèrent les comptes et l'annuaire ; ils n'ont pas accès
      aux données des patients.</p><p><a href="/admin/comptes">Gérer les comptes</a></p></div>`;
  }
  return html`
    <${Notice}>${notice}</${Notice}>
    <${SearchForm} name=${name} birth=${birth} />
    <p class="page-actions"><a class="button" href="/patients/nouveau">Nouveau patient</a></p>
    ${name || birth
      ? html`<${SearchResults} name=${name} birth=${birth} marks=${marks} />`
      : html`<${MyPatients} marks=${marks} />`}`;
}
