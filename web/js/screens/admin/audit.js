// Administration › Journal d'audit (GET /api/audit): newest first, pages by
// cursor (« Charger plus », before=), filters by user, action and days. The
// filters live in the URL (?utilisateur=&action=&du=&au=).
//
// The API filters by user id; people know logins, so the login typed here is
// resolved with GET /api/admin/users?q= (exact match). Days are local days:
// « du 3 au 5 » means from the start of the 3rd to the start of the 6th, in
// the device's time zone.
import { html, useState, useEffect, useRef } from '/js/lib/ui.js';
import { api, queryString } from '/js/lib/api.js';
import { useLocation, navigate } from '/js/lib/router.js';
import { usePagedList } from '/js/lib/hooks.js';
import {
  AUDIT_ACTIONS, actionLabel, outcomeLabel, detailLabel, formatDateTime, localDayStart, plural,
} from '/js/lib/format.js';
import { Field, SelectField } from '/js/components/forms.js';
import { Loading, LoadError } from '/js/components/feedback.js';
import { AdminNav } from '/js/screens/admin/common.js';

const PAGE_SIZE = 30;

/* A problem with one filter, shown next to it. */
class FilterError extends Error {
  constructor(field, message) { super(message); this.field = field; }
}

function readFilters(query) {
  return {
    utilisateur: query.get('utilisateur') || '',
    action: query.get('action') || '',
    du: query.get('du') || '',
    au: query.get('au') || '',
  };
}

async function userIdOf(login, signal) {
  const page = await api('GET', '/api/admin/users' + queryString({ q: login, limit: 200 }), { signal });
  const found = page.items.find((u) => u.login === login);
  if (!found) throw new FilterError('utilisateur', `Aucun compte n'a l'identifiant « ${login} ».`);
  return found.id;
}

function objectText(e) {
  if (!e.object_type) return null;
  if (e.object_type === 'user') return `compte n° ${e.object_id}`;
  if (e.object_type === 'route') return `adresse ${e.object_id}`;
  return `${e.object_type} ${e.object_id || ''}`.trim();
}

function EventItem({ event: e }) {
  const object = objectText(e);
  const detail = detailLabel(e.detail);
  return html`<li class="event" data-seq=${e.seq}>
    <p class="event-head"><span class="event-action">${actionLabel(e.action)}</span>
      <span class=${`badge outcome-${e.outcome}`}>${outcomeLabel(e.outcome)}</span></p>
    <p class="event-meta"><time datetime=${e.at}>${formatDateTime(e.at)}</time> · ${e.user_login
      ? html`<span class="mono">${e.user_login}</span>` : 'personne non identifiée'}</p>
    ${(object || detail || e.client_addr) && html`<p class="event-detail">
      ${[object, detail, e.client_addr && `depuis ${e.client_addr}`].filter(Boolean).join(' · ')}</p>`}
  </li>`;
}

export default function Audit() {
  const loc = useLocation();
  const applied = readFilters(loc.query);
  const [form, setForm] = useState(applied);
  const [formErrors, setFormErrors] = useState({});
  const userIds = useRef(new Map()); // login → id, for « Charger plus »

  // back / forward: the form shows the filters of the URL
  useEffect(() => { setForm(readFilters(loc.query)); setFormErrors({}); }, [loc.key]);

  const list = usePagedList(async (before, signal) => {
    let userId;
    if (applied.utilisateur) {
      if (!userIds.current.has(applied.utilisateur))
        userIds.current.set(applied.utilisateur, await userIdOf(applied.utilisateur, signal));
      userId = userIds.current.get(applied.utilisateur);
    }
    const page = await api('GET', '/api/audit' + queryString({
      user_id: userId, action: applied.action, from: localDayStart(applied.du),
      to: localDayStart(applied.au, 1), limit: PAGE_SIZE, before,
    }), { signal });
    return { items: page.items, next: page.next_before };
  }, [applied.utilisateur, applied.action, applied.du, applied.au]);

  const filterError = list.error instanceof FilterError ? list.error : null;
  const errors = { ...formErrors, ...(filterError ? { [filterError.field]: filterError.message } : {}) };
  const set = (name) => (ev) => { const v = ev.currentTarget.value; setForm((f) => ({ ...f, [name]: v })); };

  const apply = (ev) => {
    ev.preventDefault();
    const wanted = { ...form, utilisateur: form.utilisateur.trim().toLowerCase() };
    if (wanted.du && wanted.au && wanted.du > wanted.au) {
      setFormErrors({ au: 'La date de fin doit suivre la date de début.' });
      document.getElementById('journal-au').focus();
      return;
    }
    setFormErrors({});
    navigate('/admin/journal' + queryString(wanted), { focus: false });
  };
  const clear = () => navigate('/admin/journal', { focus: false });
  const filtered = Object.values(applied).some(Boolean);

  return html`
    <${AdminNav} />
    <h2>Journal d'audit</h2>
    <form class="card filters" onSubmit=${apply} novalidate aria-label="Filtres du journal">
      <${Field} id="journal-utilisateur" label="Identifiant de l'utilisateur" name="utilisateur"
        autocomplete="off" autocapitalize="none" spellcheck=${false} value=${form.utilisateur}
        onInput=${set('utilisateur')} error=${errors.utilisateur} />
      <${SelectField} id="journal-action" label="Action" name="action" value=${form.action} onInput=${set('action')}
        options=${[{ value: '', label: 'Toutes les actions' }, ...AUDIT_ACTIONS]} />
      <div class="field-pair">
        <${Field} id="journal-du" label="Du" type="date" name="du" value=${form.du} onInput=${set('du')}
          error=${errors.du} />
        <${Field} id="journal-au" label="Au (inclus)" type="date" name="au" value=${form.au} onInput=${set('au')}
          error=${errors.au} />
      </div>
      <div class="actions">
        <button type="submit" class="button">Filtrer</button>
        ${filtered && html`<button type="button" class="button link" onClick=${clear}>Effacer les filtres</button>`}
      </div>
    </form>
    <p class="summary" role="status">${list.status === 'ok'
      ? (list.items.length ? plural(list.items.length, 'événement affiché', 'événements affichés')
        + (list.hasMore ? ", d'autres suivent" : '') : 'Aucun événement ne correspond à ces filtres.')
      : ''}</p>
    ${list.status === 'error' && !filterError && html`<${LoadError} error=${list.error} onRetry=${list.reload} />`}
    ${list.status === 'loading' && html`<${Loading} />`}
    ${list.status !== 'error' && html`<ol class="events" aria-label="Événements, du plus récent au plus ancien"
      aria-busy=${list.status === 'loading' ? 'true' : 'false'}>
      ${list.items.map((e) => html`<${EventItem} key=${e.seq} event=${e} />`)}
    </ol>`}
    ${list.moreError && html`<${LoadError} error=${list.moreError} onRetry=${list.loadMore} />`}
    ${list.status === 'ok' && list.hasMore && html`<p class="more">
      <button type="button" class="button secondary" onClick=${list.loadMore}
        aria-disabled=${list.loadingMore ? 'true' : undefined}>
        ${list.loadingMore ? 'Chargement…' : 'Charger plus'}</button></p>`}`;
}
