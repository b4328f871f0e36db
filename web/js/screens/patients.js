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
import { useUnread } from '/js/lib/notifications.js';
import { parseDate, formatBirthDate, plural } from '/js/lib/format.js';
import { Field } from '/js/components/forms.js';
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

function SearchForm({ name, birth }) {
  const [values, setValues] = useState({ name, birth: formatBirthDate(birth) });
  const [errors, setErrors] = useState({});
  useEffect(() => { setValues({ name, birth: formatBirthDate(birth) }); }, [name, birth]);
  const bind = (k) => ({ value: values[k], onInput: (ev) => { const v = ev.currentTarget.value; setValues((s) => ({ ...s, [k]: v })); } });
  const onSubmit = (ev) => {
    ev.preventDefault();
    const date = parseDate(values.birth);
    const errs = {};
    if (date === null) errs.birth = 'Date attendue sous la forme JJ/MM/AAAA (ou MM/AAAA, AAAA).';
    if (!values.name.trim() && !date && date !== null) errs.name = 'Indiquez un nom ou une date de naissance.';
    setErrors(errs);
    if (Object.keys(errs).length) {
      ev.currentTarget.querySelector('[aria-invalid="true"]')?.focus();
      return;
    }
    navigate('/patients' + queryString({ nom: values.name.trim(), naissance: date }), { replace: true, focus: false });
  };
  return html`<form class="card search-patients" role="search" aria-label="Rechercher un patient" onSubmit=${onSubmit} novalidate>
    <h2 class="h3">Rechercher un patient</h2>
    <p class="hint">Avant de créer un patient, cherchez-le : date de naissance, puis les premières lettres du nom
      (de naissance ou utilisé).</p>
    <div class="field-pair">
      <${Field} id="recherche-nom" label="Nom" autocomplete="off" spellcheck=${false} error=${errors.name} ...${bind('name')} />
      <${Field} id="recherche-naissance" label="Date de naissance" hint="JJ/MM/AAAA" inputmode="numeric"
        autocomplete="off" error=${errors.birth} ...${bind('birth')} />
    </div>
    <div class="actions">
      <button type="submit" class="button secondary">Rechercher</button>
      ${(name || birth) && html`<a class="button link" href="/patients">Effacer la recherche</a>`}
    </div>
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
    <p class="page-actions"><a class="button" href="/patients/nouveau">Nouveau patient</a></p>
    <${SearchForm} name=${name} birth=${birth} />
    ${name || birth
      ? html`<${SearchResults} name=${name} birth=${birth} marks=${marks} />`
      : html`<${MyPatients} marks=${marks} />`}`;
}
