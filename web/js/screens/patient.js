// A patient's record: /patients/:id (Synthèse), /patients/:id/cercle,
// /journal, /conversation. This module loads the identity (GET
// /api/patients/:id) and shows the synthesis; the other parts are loaded on
// demand. A professional outside the circle gets 403 access.not_in_circle:
// the page says so and offers break-the-glass (POST .../break-glass, a reason
// of 10 characters at least, traced and notified), after which it opens.
import { html, useState, useEffect, useRef } from '/js/lib/ui.js';
import { api, ApiError, NetworkError, errorMessage } from '/js/lib/api.js';
import { navigate } from '/js/lib/router.js';
import { useResource } from '/js/lib/hooks.js';
import { usePageTitle } from '/js/lib/page.js';
import { useSession } from '/js/lib/session.js';
import {
  formatBirthDate, formatDateTime, sexLabel, patientName, circleRoleLabel, noteTypeLabel, formatWhen,
} from '/js/lib/format.js';
import { Loading, LoadError, Notice, useNotice, announce } from '/js/components/feedback.js';
import { FormAlert } from '/js/components/forms.js';
import { TextArea } from '/js/components/fields.js';
import { StatusBadge, patientHref } from '/js/components/patient.js';
import { TelLink, MailLink } from '/js/components/contact.js';

/* Break-the-glass grants obtained since the page was loaded: "user:patient" → expiry. */
const grants = new Map();
const grantKey = (user, id) => `${user.id}:${id}`;

const SECTIONS = [
  { tab: '', label: 'Synthèse' },
  { tab: 'cercle', label: 'Cercle de soins', load: () => import('/js/screens/patient-circle.js') },
  { tab: 'journal', label: 'Journal', load: () => import('/js/screens/patient-journal.js') },
  { tab: 'conversation', label: 'Conversation', load: () => import('/js/screens/patient-conversation.js') },
];

const INS_KIND = {
  '1.2.250.1.213.1.4.8': 'NIR', '1.2.250.1.213.1.4.9': 'NIA', '1.2.250.1.213.1.4.10': 'test', '1.2.250.1.213.1.4.11': 'démonstration',
};
const oidOf = (system) => String(system || '').replace(/^urn:oid:/, '');

function Fact({ label, children, wide }) {
  return children ? html`<div class=${wide ? 'wide' : undefined}><dt>${label}</dt><dd>${children}</dd></div>` : null;
}

function Identity({ patient: p }) {
  const qualified = (p.identifiers || []).find((i) => i.type === 'INS');
  return html`<section class="card" aria-labelledby="titre-identite">
    <h2 id="titre-identite">Identité</h2>
    <dl class="facts two-cols">
      <${Fact} label="Nom de naissance">${p.birth_family_name}</${Fact}>
      <${Fact} label="Prénoms de naissance">${(p.birth_given_names || []).join(' ')}</${Fact}>
      <${Fact} label="Nom utilisé">${p.used_family_name}</${Fact}>
      <${Fact} label="Prénom utilisé">${p.used_given_name}</${Fact}>
      <${Fact} label="Sexe">${sexLabel(p.sex)}</${Fact}>
      <${Fact} label="Date de naissance">${formatBirthDate(p.birth_date)}</${Fact}>
      <${Fact} label="Lieu de naissance (INSEE)">${p.birthplace_code}</${Fact}>
      <${Fact} label="Statut de l'identité"><${StatusBadge} status=${p.identity_status} /></${Fact}>
      ${qualified
        ? html`<${Fact} wide label=${`INS (identifiant national de santé${INS_KIND[oidOf(qualified.system)] ? ', ' + INS_KIND[oidOf(qualified.system)] : ''})`}>
            <span class="mono">${qualified.value}</span></${Fact}>`
        : p.ins && html`<${Fact} wide label="INS"><span class="plain">Enregistré mais non qualifié : il ne servira
            d'identifiant national qu'une fois l'identité qualifiée.</span></${Fact}>`}
    </dl>
  </section>`;
}

function Contact({ patient: p }) {
  const a = p.address || {};
  const address = [a.line, [a.postcode, a.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  if (!p.phone && !p.phone2 && !p.email && !address) return null;
  return html`<section class="card" aria-labelledby="titre-coordonnees">
    <h2 id="titre-coordonnees">Coordonnées</h2>
    <dl class="facts">
      <${Fact} label="Téléphone">${p.phone && html`<${TelLink} phone=${p.phone} />`}</${Fact}>
      <${Fact} label="Autre téléphone">${p.phone2 && html`<${TelLink} phone=${p.phone2} />`}</${Fact}>
      <${Fact} label="E-mail">${p.email && html`<${MailLink} email=${p.email} />`}</${Fact}>
      <${Fact} label="Adresse">${address}</${Fact}>
    </dl>
  </section>`;
}

function KeyMembers({ id }) {
  const res = useResource((signal) => api('GET', `/api/patients/${encodeURIComponent(id)}/circle`, { signal }), [id]);
  const members = ((res.data && res.data.members) || []).filter((m) => m.role === 'PCP' || m.role === 'REFERENT');
  return html`<section class="card" aria-labelledby="titre-referents">
    <h2 id="titre-referents">Médecin traitant et référent</h2>
    ${res.status === 'loading' && !res.data && html`<${Loading} />`}
    ${res.status === 'error' && html`<${LoadError} error=${res.error} onRetry=${res.reload} />`}
    ${res.data && (members.length === 0
      ? html`<p class="muted">Aucun médecin traitant ni référent dans le cercle de soins.</p>`
      : html`<ul class="people">${members.map((m) => html`<li key=${m.id}>
          <p><strong>${m.display_name}</strong> — ${circleRoleLabel(m.role, m.kind)}</p>
          <p class="contact-line"><${TelLink} phone=${m.phone} who=${m.display_name} /> <${MailLink} email=${m.email} who=${m.display_name} /></p>
        </li>`)}</ul>`)}
    <p><a href=${patientHref(id, 'cercle')}>Tout le cercle de soins</a></p>
  </section>`;
}

function UrgentNotes({ id }) {
  const res = useResource(
    (signal) => api('GET', `/api/patients/${encodeURIComponent(id)}/notes?urgent=1&limit=3`, { signal }), [id],
  );
  const items = ((res.data && res.data.items) || []).filter((n) => !n.deleted);
  return html`<section class="card" aria-labelledby="titre-urgences">
    <h2 id="titre-urgences">Notes urgentes récentes</h2>
    ${res.status === 'loading' && !res.data && html`<${Loading} />`}
    ${res.status === 'error' && html`<${LoadError} error=${res.error} onRetry=${res.reload} />`}
    ${res.data && (items.length === 0
      ? html`<p class="muted">Aucune note urgente.</p>`
      : html`<ul class="urgent-notes">${items.map((n) => html`<li key=${n.id}>
          <p class="note-meta"><span class="badge badge-urgent">Urgent</span> ${noteTypeLabel(n.type)} · ${n.author.display_name} · <time datetime=${n.created_at}>${formatWhen(n.created_at)}</time></p>
          <p class="note-text clamp">${n.text}</p></li>`)}</ul>`)}
    <p><a href=${patientHref(id, 'journal')}>Tout le journal</a></p>
  </section>`;
}

function Synthesis({ patient, id }) {
  return html`<${Identity} patient=${patient} /><${Contact} patient=${patient} />
    <${UrgentNotes} id=${id} /><${KeyMembers} id=${id} />`;
}

/* 403 access.not_in_circle: the reason, then break-the-glass. */
function BreakGlass({ id, onGranted }) {
  const { user } = useSession();
  const [reason, setReason] = useState('');
  const [error, setError] = useState('');
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const submit = async (ev) => {
    ev.preventDefault();
    if (busy) return;
    setFormError('');
    if (reason.trim().length < 10) {
      setError('Expliquez la raison en 10 caractères au moins.');
      ev.currentTarget.querySelector('textarea').focus();
      return;
    }
    setError('');
    setBusy(true);
    try {
      const g = await api('POST', `/api/patients/${encodeURIComponent(id)}/break-glass`, { body: { reason: reason.trim() } });
      grants.set(grantKey(user, id), g.expires_at);
      announce("Accès en urgence accordé. Le dossier s'ouvre.");
      onGranted();
    } catch (err) {
      if (err instanceof ApiError && err.field === 'reason') setError(err.detail);
      else setFormError(errorMessage(err));
      setBusy(false);
    }
  };
  return html`<div class="card refused" role="alert">
      <p><strong>Vous ne faites pas partie du cercle de soins</strong> de ce patient : son dossier ne vous est pas
        accessible.</p>
      <p class="muted">Demandez à un membre du cercle (le médecin traitant par exemple) de vous y ajouter.</p>
    </div>
    <section class="card break-glass" aria-labelledby="titre-bris">
      <h2 id="titre-bris">Accès en urgence (bris de glace)</h2>
      <div class="warning" id="bris-avertissement">
        <p><strong>Réservé à une situation d'urgence.</strong> Votre accès, son motif et tout ce que vous consultez sont
          tracés dans le journal d'audit, et le médecin traitant et le référent du patient en sont avertis
          immédiatement.</p>
        <p>L'accès est limité dans le temps et ne permet pas de modifier le cercle de soins.</p>
      </div>
      <form onSubmit=${submit} novalidate>
        <${TextArea} id="bris-motif" label="Motif de l'accès en urgence" name="reason" rows="3" maxlength="500"
          hint="10 caractères au moins, par exemple « Patient inconscient aux urgences, recherche des traitements »."
          aria-describedby=${'bris-motif-aide bris-avertissement' + (error ? ' bris-motif-erreur' : '')}
          error=${error} value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} />
        <${FormAlert} message=${formError} />
        <div class="actions"><button type="submit" class="button danger" aria-disabled=${busy ? 'true' : undefined}>
          ${busy ? 'Ouverture…' : 'Accéder au dossier en urgence'}</button></div>
      </form>
    </section>`;
}

function Refused({ error }) {
  const messages = {
    'access.opposed': "Le patient s'est opposé au partage de ses données avec vous : son dossier ne vous est pas accessible.",
    'access.admin': "Les administrateurs n'ont pas accès aux données des patients.",
    'patient.not_found': "Ce patient n'existe pas, ou plus.",
  };
  return html`<div class="card refused" role="alert"><p>${messages[error.code] || errorMessage(error)}</p>
    <p><a href="/patients">Revenir à mes patients</a></p></div>`;
}

function SubNav({ id, tab }) {
  return html`<nav class="subnav patient-nav" aria-label="Dossier du patient"><ul>
    ${SECTIONS.map((s) => html`<li key=${s.tab}><a href=${patientHref(id, s.tab)}
      aria-current=${s.tab === tab ? 'page' : undefined}>${s.label}</a></li>`)}
  </ul></nav>`;
}

function Section({ section, id, patient }) {
  const { user } = useSession();
  const mod = useResource(() => section.load().catch(() => { throw new NetworkError(false); }), [section]);
  if (mod.status === 'error') return html`<${LoadError} error=${mod.error} onRetry=${mod.reload} />`;
  if (!mod.data) return html`<${Loading} />`;
  const View = mod.data.default;
  return html`<${View} id=${id} patient=${patient} breakGlass=${grants.has(grantKey(user, id))} />`;
}

export default function PatientView({ params }) {
  const { user } = useSession();
  const id = params.id;
  const section = SECTIONS.find((s) => s.tab === (params.tab || ''));
  const notice = useNotice();
  const firstTab = useRef(params.tab || ''); // the notice belongs to the page it was made for
  const res = useResource((signal) => api('GET', `/api/patients/${encodeURIComponent(id)}`, { signal }), [id]);
  const p = res.data && res.data.id === id ? res.data : res.status === 'ok' ? res.data : null;
  usePageTitle(p ? patientName(p) : res.status === 'error' ? 'Dossier patient' : 'Patient',
    p ? `${patientName(p)}${section && section.tab ? ' — ' + section.label : ''}` : undefined);
  // a merged record answers with the survivor: go to its address
  useEffect(() => {
    if (p && p.id !== id) navigate(patientHref(p.id, params.tab), { replace: true, focus: false });
  }, [p && p.id, id]); // eslint-disable-line react-hooks/exhaustive-deps

  if (!section) return html`<div class="card"><p>Cette partie du dossier n'existe pas.</p>
    <p><a href=${patientHref(id)}>Synthèse du patient</a></p></div>`;
  if (res.status === 'error') {
    const e = res.error;
    if (e instanceof ApiError && e.code === 'access.not_in_circle') return html`<${BreakGlass} id=${id} onGranted=${res.reload} />`;
    if (e instanceof ApiError && (e.status === 403 || e.status === 404)) return html`<${Refused} error=${e} />`;
    return html`<${LoadError} error=${e} onRetry=${res.reload} />`;
  }
  if (!p) return html`<${Loading} />`;
  const grant = grants.get(grantKey(user, id));
  return html`
    <p class="patient-status-line"><${StatusBadge} status=${p.identity_status} />
      <span>${p.sex === 'F' ? 'Née' : p.sex === 'M' ? 'Né' : 'Né(e)'} le ${formatBirthDate(p.birth_date)}</span></p>
    ${grant && html`<p class="warning-banner">Accès en urgence (bris de glace) jusqu'au ${formatDateTime(grant)} :
      tracé et signalé au médecin traitant et au référent.</p>`}
    <${Notice}>${section.tab === firstTab.current && notice}</${Notice}>
    <${SubNav} id=${id} tab=${section.tab} />
    ${section.tab === '' ? html`<${Synthesis} patient=${p} id=${id} />`
      : html`<${Section} key=${section.tab} section=${section} id=${id} patient=${p} />`}`;
}
