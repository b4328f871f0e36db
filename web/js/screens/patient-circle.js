// Cercle de soins: the current members (médecin traitant and référent
// first, as the API orders them) with their role in French and tel:/mailto:
// links, the past ones folded, adding a member (an account, a professional of
// the directory, anyone else by name and phone, with an invitation for a
// professional without an account) and ending a participation.
import { html, useState, useEffect, useRef } from '/js/lib/ui.js';
import { api, errorMessage, queryString } from '/js/lib/api.js';
import { useResource } from '/js/lib/hooks.js';
import { useSession } from '/js/lib/session.js';
import { CIRCLE_ROLES, circleRoleLabel, formatDate, plural } from '/js/lib/format.js';
import { useSubmit, useValues, Field, SelectField, FormAlert, SubmitButton } from '/js/components/forms.js';
import { RadioGroup, Checkbox } from '/js/components/fields.js';
import { Loading, LoadError, announce } from '/js/components/feedback.js';
import { TelLink, MailLink } from '/js/components/contact.js';

const KINDS = { professional: 'Professionnel', organisation: 'Structure', related: 'Proche', patient: 'Patient' };
const roleOptions = (kind) => CIRCLE_ROLES[kind].map(([value, label]) => ({ value, label }));
const isCurrent = (m) => !m.end || new Date(m.end).getTime() > Date.now();

function Member({ member: m, id, canEnd, onEnded, isMe }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const confirmRef = useRef(null);
  useEffect(() => { if (confirming && confirmRef.current) confirmRef.current.focus(); }, [confirming]);
  const end = async () => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await api('POST', `/api/patients/${encodeURIComponent(id)}/circle/${encodeURIComponent(m.id)}/end`, { body: {} });
      announce(`La participation de ${m.display_name} au cercle de soins est terminée.`);
      onEnded();
    } catch (err) {
      setError(errorMessage(err));
      setBusy(false);
    }
  };
  const current = isCurrent(m);
  return html`<li class="card member" data-member=${m.id}>
    <p class="member-name">${m.display_name}${isMe && html` <span class="muted">(vous)</span>`}</p>
    <p class="member-role">${circleRoleLabel(m.role, m.kind)}${m.kind !== 'professional' && html` · ${KINDS[m.kind] || m.kind}`}${
      m.invited && html` <span class="badge badge-soon">Invitation en attente</span>`}</p>
    ${(m.phone || m.email) && html`<p class="contact-line"><${TelLink} phone=${m.phone} who=${m.display_name} />
      <${MailLink} email=${m.email} who=${m.display_name} /></p>`}
    <div class="member-foot"><span class="muted small">${current ? `Depuis le ${formatDate(m.start)}` : `Du ${formatDate(m.start)} au ${formatDate(m.end)}`}</span>${
      current && canEnd && !confirming && html`<button type="button" class="button link small danger-link" onClick=${() => setConfirming(true)}>Terminer<span
        class="visually-hidden"> la participation de ${m.display_name}</span></button>`}</div>
    ${current && canEnd && (confirming ? html`<div class="confirm" role="group" aria-label=${`Fin de participation de ${m.display_name}`}>
        <p>Terminer la participation de ${m.display_name} ? ${isMe ? "Vous n'aurez plus accès au dossier." : "Cette personne n'aura plus accès au dossier."}</p>
        <div class="actions">
          <button type="button" class="button danger" ref=${confirmRef} onClick=${end} aria-disabled=${busy ? 'true' : undefined}>
            ${busy ? 'Enregistrement…' : 'Confirmer la fin de participation'}</button>
          <button type="button" class="button secondary" onClick=${() => setConfirming(false)}>Annuler</button>
        </div></div>`
      : null)}
    ${error && html`<p class="form-alert" role="alert">${error}</p>`}
  </li>`;
}

/* The directory's professionals matching `q` (3 letters at least), to pick one. */
function DirectoryPicker({ picked, onPick, error }) {
  const [q, setQ] = useState('');
  const [wanted, setWanted] = useState('');
  useEffect(() => { const t = setTimeout(() => setWanted(q.trim()), 300); return () => clearTimeout(t); }, [q]);
  const res = useResource(
    (signal) => (wanted.length >= 2
      ? api('GET', '/api/directory/professionals' + queryString({ q: wanted, limit: 8 }), { signal })
      : Promise.resolve(null)),
    [wanted],
  );
  const items = (res.data && res.data.items) || [];
  return html`<div class="picker">
    <${Field} id="membre-annuaire" label="Nom du professionnel" type="search" autocomplete="off" spellcheck=${false}
      hint="Nom de famille, puis le début du prénom (« martin cl »)." error=${error}
      value=${q} onInput=${(e) => setQ(e.currentTarget.value)} />
    ${res.status === 'error' && html`<${LoadError} error=${res.error} onRetry=${res.reload} />`}
    ${res.data && (items.length === 0 ? html`<p class="muted" role="status">Aucun professionnel trouvé.</p>` : html`
      <${RadioGroup} id="membre-annuaire-choix" legend="Professionnels trouvés" name="professional_id"
        value=${picked && picked.id} onChange=${(v) => onPick(items.find((p) => p.id === v))}
        options=${items.map((p) => ({ value: p.id, label: `${p.civility ? p.civility + ' ' : ''}${p.given_name || ''} ${p.family_name} — ${p.profession_label || ''}${p.town ? ', ' + p.town : ''}` }))} />`)}
  </div>`;
}

function AddMember({ id, onAdded, onClose }) {
  const [mode, setMode] = useState('account');
  const [picked, setPicked] = useState(null);
  const [invite, setInvite] = useState(false);
  const [invitation, setInvitation] = useState(null);
  const { values, setValues, bind } = useValues({ user_id: '', kind: 'professional', role: 'NURSE', display_name: '', phone: '', email: '' });
  const form = useSubmit(['user_id', 'professional_id', 'role', 'display_name', 'phone', 'email', 'invite', 'kind']);
  const kind = mode === 'other' ? values.kind : 'professional';
  const roles = roleOptions(kind);
  useEffect(() => {
    if (!roles.some((r) => r.value === values.role)) setValues((s) => ({ ...s, role: roles[0].value }));
  }, [kind]); // eslint-disable-line react-hooks/exhaustive-deps

  const onSubmit = (ev) => {
    ev.preventDefault();
    setInvitation(null);
    form.submit(async () => {
      const body = { kind, role: values.role };
      if (mode === 'account') body.user_id = values.user_id.trim();
      else if (mode === 'directory') {
        body.professional_id = picked.id;
        body.display_name = [picked.civility, picked.given_name, picked.family_name].filter(Boolean).join(' ');
        if (picked.mobile || picked.phone) body.phone = picked.mobile || picked.phone;
        if (picked.mssante) body.email = picked.mssante;
      } else {
        body.display_name = values.display_name.trim();
        if (values.phone.trim()) body.phone = values.phone.trim();
        if (values.email.trim()) body.email = values.email.trim();
      }
      if (invite && kind === 'professional' && mode !== 'account') body.invite = true;
      const r = await api('POST', `/api/patients/${encodeURIComponent(id)}/circle`, { body });
      announce(`${r.member.display_name} fait désormais partie du cercle de soins.`);
      if (r.invitation_url) setInvitation({ member: r.member, url: new URL(r.invitation_url, location.origin).href });
      onAdded(!r.invitation_url);
    }, () => {
      const e = {};
      if (mode === 'account' && !/^\d+$/.test(values.user_id.trim())) e.user_id = 'Indiquez le numéro de compte (des chiffres).';
      if (mode === 'directory' && !picked) e.professional_id = 'Cherchez puis choisissez un professionnel.';
      if (mode === 'other' && !values.display_name.trim()) e.display_name = 'Indiquez le nom.';
      return e;
    });
  };

  if (invitation) {
    const subject = encodeURIComponent('Invitation à rejoindre un cercle de soins sur parcours');
    const mailBody = encodeURIComponent(`Bonjour,\n\nVous êtes invité(e) à rejoindre un cercle de soins sur parcours : ${invitation.url}\n`);
    return html`<section class="card notice-card" aria-labelledby="titre-invitation">
      <h3 id="titre-invitation" tabindex="-1">Invitation créée</h3>
      <p>Transmettez ce lien à ${invitation.member.display_name} : il lui permet de créer son compte, déjà rattaché
        au cercle de soins. Il ne sert qu'une fois.</p>
      <p class="mono invitation-url">${invitation.url}</p>
      <div class="actions">
        ${invitation.member.email && html`<a class="button secondary" href=${`mailto:${encodeURIComponent(invitation.member.email).replace(/%40/g, '@')}?subject=${subject}&body=${mailBody}`}>Envoyer par e-mail</a>`}
        <button type="button" class="button link" onClick=${onClose}>Fermer</button>
      </div>
    </section>`;
  }

  return html`<form class="card add-member" ref=${form.formRef} onSubmit=${onSubmit} novalidate aria-labelledby="titre-ajout">
    <h3 id="titre-ajout" tabindex="-1">Ajouter un membre</h3>
    <${RadioGroup} id="membre-mode" legend="Qui ajoutez-vous ?" name="mode" value=${mode} onChange=${(v) => { setMode(v); setPicked(null); }}
      options=${[{ value: 'account', label: 'Un professionnel qui a un compte parcours' },
        { value: 'directory', label: "Un professionnel de l'annuaire" },
        { value: 'other', label: 'Un proche, une structure ou une autre personne' }]} />
    ${mode === 'account' && html`<${Field} id="membre-compte" label="Numéro de compte parcours" inputmode="numeric" autocomplete="off"
      hint="La personne le trouve dans « Mon compte »." error=${form.errors.user_id} ...${bind('user_id')} />`}
    ${mode === 'directory' && html`<${DirectoryPicker} picked=${picked} onPick=${setPicked} error=${form.errors.professional_id} />`}
    ${mode === 'other' && html`
      <${SelectField} id="membre-type" label="Type de membre" error=${form.errors.kind} ...${bind('kind')}
        options=${Object.entries(KINDS).map(([value, label]) => ({ value, label }))} />
      <${Field} id="membre-nom" label="Nom" autocomplete="off" error=${form.errors.display_name} ...${bind('display_name')} />
      <${Field} id="membre-telephone" label="Téléphone" type="tel" autocomplete="off" error=${form.errors.phone} ...${bind('phone')} />
      <${Field} id="membre-email" label="E-mail" type="email" autocomplete="off" error=${form.errors.email} ...${bind('email')} />`}
    <${SelectField} id="membre-role" label="Rôle dans le cercle" options=${roles} error=${form.errors.role} ...${bind('role')} />
    ${mode !== 'account' && kind === 'professional' && html`<${Checkbox} id="membre-inviter" label="L'inviter à créer son compte parcours"
      hint="Vous obtiendrez un lien d'invitation à lui transmettre." checked=${invite} onChange=${setInvite} />`}
    <${FormAlert} message=${form.formError} />
    <div class="actions">
      <${SubmitButton} busy=${form.busy} label="Ajouter au cercle" busyLabel="Ajout…" />
      <button type="button" class="button link" onClick=${onClose}>Annuler</button>
    </div>
  </form>`;
}

export default function Circle({ id, breakGlass }) {
  const readOnly = breakGlass; // break-the-glass does not allow changing the circle
  const { user } = useSession();
  const res = useResource(
    (signal) => api('GET', `/api/patients/${encodeURIComponent(id)}/circle?include_past=1`, { signal }), [id],
  );
  const [adding, setAdding] = useState(false);
  const addButton = useRef(null);
  const members = (res.data && res.data.members) || [];
  const current = members.filter(isCurrent);
  const past = members.filter((m) => !isCurrent(m));
  useEffect(() => {
    const h = document.getElementById(adding ? 'titre-ajout' : '');
    if (h) h.focus();
  }, [adding]);
  const close = () => { setAdding(false); setTimeout(() => addButton.current && addButton.current.focus(), 0); };

  return html`<section aria-labelledby="titre-cercle">
    <div class="section-head">
      <h2 id="titre-cercle">Cercle de soins</h2>
      ${!readOnly && !adding && html`<button type="button" class="button secondary" ref=${addButton}
        onClick=${() => setAdding(true)}>Ajouter un membre</button>`}
    </div>
    ${adding && html`<${AddMember} id=${id} onClose=${close} onAdded=${(done) => { res.reload(); if (done) close(); }} />`}
    ${res.status === 'loading' && !res.data && html`<${Loading} />`}
    ${res.status === 'error' && html`<${LoadError} error=${res.error} onRetry=${res.reload} />`}
    ${res.data && html`
      <p class="summary">${plural(current.length, 'membre actuel', 'membres actuels', 'Aucun membre actuel')}</p>
      <ul class="cards" aria-label="Membres actuels">${current.map((m) => html`<${Member} key=${m.id} member=${m} id=${id}
        canEnd=${!readOnly} isMe=${m.user_id && m.user_id === user.id} onEnded=${res.reload} />`)}</ul>
      ${past.length > 0 && html`<details class="past-members">
        <summary>${plural(past.length, 'ancien membre', 'anciens membres')}</summary>
        <ul class="cards">${past.map((m) => html`<${Member} key=${m.id} member=${m} id=${id} canEnd=${false} />`)}</ul>
      </details>`}`}
  </section>`;
}
