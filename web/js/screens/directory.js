// Annuaire: the professionals of the directory (GET
// /api/directory/professionals?q=&profession=&town=), page by page, with
// their profession, town and contact links. The criteria live in the URL
// (?q=&profession=&commune=).
import { html, useState, useEffect } from '/js/lib/ui.js';
import { api, queryString } from '/js/lib/api.js';
import { useLocation, navigate } from '/js/lib/router.js';
import { usePagedList } from '/js/lib/hooks.js';
import { plural } from '/js/lib/format.js';
import { Field, SelectField } from '/js/components/forms.js';
import { Loading, LoadError } from '/js/components/feedback.js';
import { TelLink, MailLink } from '/js/components/contact.js';

/* TRE_G15-ProfessionSante, the professions met in a care circle. */
const PROFESSIONS = [
  ['', 'Toutes les professions'], ['10', 'Médecin'], ['60', 'Infirmier'], ['21', 'Pharmacien'],
  ['70', 'Masseur-kinésithérapeute'], ['40', 'Chirurgien-dentiste'], ['50', 'Sage-femme'],
  ['80', 'Pédicure-podologue'], ['91', 'Orthophoniste'], ['92', 'Orthoptiste'],
].map(([value, label]) => ({ value, label }));

function Professional({ p }) {
  const name = [p.civility, p.given_name, p.family_name].filter(Boolean).join(' ');
  return html`<li class="card professional" data-professional=${p.id}>
    <p class="member-name">${name}</p>
    <p class="member-role">${[p.profession_label, p.specialty_label].filter(Boolean).join(' · ') || 'Profession non renseignée'}${p.town && html` — ${p.town}`}</p>
    ${(p.phone || p.mobile || p.mssante) && html`<p class="contact-line">
      <${TelLink} phone=${p.phone} who=${name} /> <${TelLink} phone=${p.mobile} who=${name} />
      <${MailLink} email=${p.mssante} who=${name} /></p>`}
    ${p.rpps && html`<p class="muted small">RPPS <span class="mono">${p.rpps}</span></p>`}
  </li>`;
}

export default function Directory() {
  const loc = useLocation();
  const crit = { q: loc.query.get('q') || '', profession: loc.query.get('profession') || '', town: loc.query.get('commune') || '' };
  const [values, setValues] = useState(crit);
  const key = `${crit.q}|${crit.profession}|${crit.town}`;
  useEffect(() => setValues(crit), [key]); // eslint-disable-line react-hooks/exhaustive-deps
  const searching = Boolean(crit.q || crit.town || crit.profession);
  const list = usePagedList(
    (after, signal) => (searching
      ? api('GET', '/api/directory/professionals' + queryString({ ...crit, limit: 20, after }), { signal })
        .then((p) => ({ items: p.items, next: p.next_after }))
      : Promise.resolve({ items: [], next: null })),
    [key],
  );
  const bind = (k) => ({ value: values[k], onInput: (e) => { const v = e.currentTarget.value; setValues((s) => ({ ...s, [k]: v })); } });
  const submit = (ev) => {
    ev.preventDefault();
    navigate('/annuaire' + queryString({ q: values.q.trim(), profession: values.profession, commune: values.town.trim() }), { replace: true, focus: false });
  };

  return html`
    <form class="card" role="search" aria-label="Rechercher un professionnel" onSubmit=${submit} novalidate>
      <${Field} id="annuaire-nom" label="Nom" type="search" autocomplete="off" spellcheck=${false}
        hint="Nom de famille, ou nom puis début du prénom (« martin cl »)." ...${bind('q')} />
      <div class="field-pair">
        <${SelectField} id="annuaire-profession" label="Profession" options=${PROFESSIONS} ...${bind('profession')} />
        <${Field} id="annuaire-commune" label="Commune" autocomplete="off" ...${bind('town')} />
      </div>
      <div class="actions"><button type="submit" class="button">Rechercher</button></div>
    </form>
    ${!searching && html`<p class="summary">Cherchez un professionnel ou une profession dans une commune pour trouver
      ses coordonnées.</p>`}
    ${list.status === 'error' && html`<${LoadError} error=${list.error} onRetry=${list.reload} />`}
    ${searching && list.status === 'loading' && html`<${Loading} label="Recherche…" />`}
    ${searching && list.status === 'ok' && html`<p class="summary" role="status">${list.items.length === 0
      ? 'Aucun professionnel ne correspond à cette recherche.'
      : plural(list.items.length, 'professionnel affiché', 'professionnels affichés') + (list.hasMore ? ", d'autres suivent" : '')}</p>`}
    <ul class="cards" aria-label="Professionnels">${list.items.map((p) => html`<${Professional} key=${p.id} p=${p} />`)}</ul>
    ${list.moreError && html`<${LoadError} error=${list.moreError} onRetry=${list.loadMore} />`}
    ${list.status === 'ok' && list.hasMore && html`<p class="more"><button type="button" class="button secondary"
      onClick=${list.loadMore} aria-disabled=${list.loadingMore ? 'true' : undefined}>${list.loadingMore ? 'Chargement…' : 'Charger plus'}</button></p>`}`;
}
