// Nouveau patient (POST /api/patients): the five strict traits (birth name,
// birth given names, sex, birth date, birthplace), the used name and given
// name, contact, and the INS with its OID. The INS key is checked here as the
// person types it; the server checks everything and its errors land next to
// their field. A 409 patient.possible_duplicate lists the close identities
// (score and reasons in French): open one, or confirm the creation.
import { html, useState, useRef, useEffect } from '/js/lib/ui.js';
import { api, queryString } from '/js/lib/api.js';
import { navigate, useLocation } from '/js/lib/router.js';
import { SEXES, parseDate, formatBirthDate, patientName } from '/js/lib/format.js';
import { useSubmit, useValues, Field, SelectField, FormAlert, SubmitButton } from '/js/components/forms.js';
import { RadioGroup } from '/js/components/fields.js';
import { setNotice } from '/js/components/feedback.js';
import { IdentityLines, patientHref } from '/js/components/patient.js';

export const INS_OIDS = [
  { value: '1.2.250.1.213.1.4.8', label: 'NIR' },
  { value: '1.2.250.1.213.1.4.9', label: 'NIA' },
  { value: '1.2.250.1.213.1.4.10', label: 'INS de test' },
  { value: '1.2.250.1.213.1.4.11', label: 'INS de démonstration' },
];

/* Why an INS is wrong, or null: 15 characters (13 + a key of 2 digits), key =
 * 97 − (the 13 first digits mod 97), Corsica's 2A and 2B counted as 19 and 18. */
export function insError(raw) {
  const v = raw.replace(/[\s.-]/g, '').toUpperCase();
  if (v.length !== 15) return `L'INS compte 15 caractères : 13 pour le numéro et 2 pour la clé (${v.length} saisis).`;
  if (!/^\d{5}(\d\d|2A|2B)\d{8}$/.test(v)) return "L'INS ne contient que des chiffres (2A ou 2B possibles pour un département corse).";
  const n = BigInt(v.slice(0, 5) + ({ '2A': '19', '2B': '18' }[v.slice(5, 7)] || v.slice(5, 7)) + v.slice(7, 13));
  if (97n - (n % 97n) !== BigInt(v.slice(13))) return "La clé de l'INS (2 derniers chiffres) ne correspond pas au numéro : vérifiez la saisie.";
  return null;
}

const TRAITS = {
  birth_date: 'date de naissance', birth_name: 'nom', given_name: 'prénom', sex: 'sexe',
  birthplace: 'lieu de naissance', ins: 'INS',
};
const HOW = {
  'day and month swapped': 'jour et mois inversés',
  'partial date': 'date de naissance partielle compatible',
  'one part differs': 'date de naissance proche (un élément diffère)',
  'used name = birth name': 'nom utilisé identique au nom de naissance',
  'birth name = used name': 'nom de naissance identique au nom utilisé',
  'used names agree': 'noms utilisés identiques',
  'another of the given names': 'un autre des prénoms correspond',
  'used given name': 'prénom utilisé correspondant',
};
const FEMININE = new Set(['birth_date']);

/* A reason of the matcher in French: « date de naissance identique », « nom
 * proche », « jour et mois inversés »... */
export function reasonLabel(r) {
  const trait = TRAITS[r.trait] || r.trait;
  const e = FEMININE.has(r.trait) ? 'e' : '';
  if (r.how && HOW[r.how]) return HOW[r.how];
  switch (r.verdict) {
    case 'equal': return `${trait} identique`;
    case 'close': return r.how === 'spelling' ? `${trait} proche (orthographe)` : `${trait} proche`;
    case 'different': return `${trait} différent${e}`;
    case 'absent': return `${trait} non renseigné${e}`;
    default: return `${trait} : ${r.verdict}`;
  }
}

function Duplicates({ candidates, busy, onConfirm, onCancel }) {
  const head = useRef(null);
  useEffect(() => { if (head.current) head.current.focus(); }, []);
  return html`<section class="card duplicates" aria-labelledby="titre-doublons">
    <h2 id="titre-doublons" tabindex="-1" ref=${head}>Ce patient existe peut-être déjà</h2>
    <p>${candidates.length > 1 ? `${candidates.length} identités proches sont` : 'Une identité proche est'} déjà
      enregistrée${candidates.length > 1 ? 's' : ''}. Vérifiez avant de créer un nouveau dossier : un doublon
      disperse les informations du patient.</p>
    <ul class="cards">${candidates.map((c) => html`<li class="card candidate" key=${c.patient.id}>
      <${IdentityLines} patient=${c.patient} />
      <p class="score">Ressemblance : <strong>${c.score} %</strong></p>
      <ul class="reasons" aria-label="Traits comparés">${(c.reasons || []).map((r) => html`
        <li class=${`reason reason-${r.verdict}`}>${reasonLabel(r)}</li>`)}</ul>
      <p><a class="button secondary" href=${patientHref(c.patient.id)}>Ouvrir ce dossier<span
        class="visually-hidden"> (${patientName(c.patient)})</span></a></p>
    </li>`)}</ul>
    <div class="actions">
      <button type="button" class="button danger" onClick=${onConfirm} aria-disabled=${busy ? 'true' : undefined}>
        ${busy ? 'Création…' : "Ce n'est aucun d'eux : créer le patient"}</button>
      <button type="button" class="button link" onClick=${onCancel}>Revenir au formulaire</button>
    </div>
  </section>`;
}

const FIELDS = ['birth_family_name', 'birth_given_names', 'used_family_name', 'used_given_name', 'sex', 'birth_date',
  'birthplace_code', 'phone', 'email', 'address_line', 'postcode', 'city', 'ins.value', 'ins.oid'];

export default function PatientNew() {
  const loc = useLocation();
  const { values, setValues, bind } = useValues({
    birth_family_name: (loc.query.get('nom') || '').toUpperCase(), used_family_name: '', used_given_name: '',
    sex: '', birth_date: formatBirthDate(loc.query.get('naissance') || ''), birthplace_code: '',
    phone: '', email: '', address_line: '', postcode: '', city: '',
    'ins.value': '', 'ins.oid': INS_OIDS[0].value, document_type: '',
  });
  const [given, setGiven] = useState(['']);
  const [duplicates, setDuplicates] = useState(null);
  const form = useSubmit(FIELDS);
  const focusGiven = useRef(-1); // the given name to focus after adding or removing one
  useEffect(() => {
    const el = focusGiven.current >= 0 && form.formRef.current
      && form.formRef.current.querySelector(`#patient-prenom-${focusGiven.current + 1}`);
    if (el) el.focus();
    focusGiven.current = -1;
  }, [given.length]); // eslint-disable-line react-hooks/exhaustive-deps

  // once 15 characters are typed, the key check replaces any earlier message
  const insTyped = values['ins.value'].replace(/[\s.-]/g, '').length >= 15;
  const clientIns = useRef(null); // the message of our own check, vs the server's
  const serverIns = form.errors['ins.value'] !== clientIns.current ? form.errors['ins.value'] : null;
  const insMessage = insTyped ? insError(values['ins.value']) || serverIns : form.errors['ins.value'];

  const body = (confirm) => {
    const v = values;
    const trim = (x) => x.trim() || undefined;
    const b = {
      birth_family_name: v.birth_family_name.trim(),
      birth_given_names: given.map((g) => g.trim()).filter(Boolean),
      used_family_name: trim(v.used_family_name), used_given_name: trim(v.used_given_name),
      sex: v.sex, birth_date: parseDate(v.birth_date), birthplace_code: trim(v.birthplace_code),
      phone: trim(v.phone), email: trim(v.email),
    };
    if (v.address_line.trim() || v.postcode.trim() || v.city.trim())
      b.address = { line: trim(v.address_line), postcode: trim(v.postcode), city: trim(v.city) };
    if (v['ins.value'].trim()) b.ins = { value: v['ins.value'].replace(/[\s.-]/g, '').toUpperCase(), oid: v['ins.oid'] };
    if (v.document_type) b.evidence = { document_type: v.document_type };
    if (confirm) b.confirm_duplicate = true;
    return b;
  };

  const validate = () => {
    const e = {};
    if (!values.birth_family_name.trim()) e.birth_family_name = 'Indiquez le nom de naissance.';
    if (!given.some((g) => g.trim())) e.birth_given_names = 'Indiquez au moins le premier prénom de naissance.';
    if (!values.sex) e.sex = 'Indiquez le sexe.';
    const d = parseDate(values.birth_date);
    if (d === '') e.birth_date = 'Indiquez la date de naissance.';
    else if (d === null) e.birth_date = 'Date attendue sous la forme JJ/MM/AAAA (ou MM/AAAA, AAAA si inconnue).';
    if (values.birthplace_code.trim() && !/^(\d{5}|2[AB]\d{3})$/i.test(values.birthplace_code.trim()))
      e.birthplace_code = 'Le code INSEE compte 5 caractères (99xxx pour un pays étranger).';
    clientIns.current = values['ins.value'].trim() ? insError(values['ins.value']) : null;
    if (clientIns.current) e['ins.value'] = clientIns.current;
    return e;
  };

  const create = (confirm) => form.submit(async () => {
    try {
      const created = await api('POST', '/api/patients', { body: body(confirm) });
      setNotice(`Patient créé : ${patientName(created)}. Vous faites partie de son cercle de soins.`);
      navigate(patientHref(created.id));
    } catch (err) {
      if (err.code === 'patient.possible_duplicate' && Array.isArray(err.problem.candidates)) {
        setDuplicates(err.problem.candidates);
        return;
      }
      setDuplicates(null);
      throw err;
    }
  }, confirm ? undefined : validate);

  const onSubmit = (ev) => { ev.preventDefault(); create(false); };
  const setGivenAt = (i, v) => setGiven((g) => g.map((x, j) => (j === i ? v : x)));

  if (duplicates) {
    return html`<${Duplicates} candidates=${duplicates} busy=${form.busy} onConfirm=${() => create(true)}
      onCancel=${() => setDuplicates(null)} />
      <${FormAlert} message=${form.formError} />`;
  }

  return html`<form class="patient-form" ref=${form.formRef} onSubmit=${onSubmit} novalidate>
    <p class="hint">Les champs marqués d'un astérisque (*) sont obligatoires. Saisissez l'identité telle qu'elle figure
      sur la pièce d'identité.</p>
    <fieldset class="card">
      <legend>Traits stricts (état civil)</legend>
      <${Field} id="patient-nom-naissance" label="Nom de naissance *" autocomplete="off" spellcheck=${false}
        error=${form.errors.birth_family_name} ...${bind('birth_family_name')} />
      <div class="given-names">
        ${given.map((g, i) => html`<div class="given-row" key=${i}>
          <${Field} id=${`patient-prenom-${i + 1}`} label=${i === 0 ? 'Premier prénom de naissance *' : `Prénom de naissance n° ${i + 1}`}
            autocomplete="off" spellcheck=${false} name=${i === 0 ? 'birth_given_names' : undefined} value=${g}
            error=${i === 0 ? form.errors.birth_given_names : undefined}
            onInput=${(ev) => setGivenAt(i, ev.currentTarget.value)} />
          ${i > 0 && html`<button type="button" class="button link small"
            onClick=${() => { focusGiven.current = i - 1; setGiven((x) => x.filter((_, j) => j !== i)); }}>
            Retirer<span class="visually-hidden"> le prénom n° ${i + 1}</span></button>`}
        </div>`)}
        ${given.length < 6 && html`<button type="button" class="button secondary small"
          onClick=${() => { focusGiven.current = given.length; setGiven((x) => [...x, '']); }}>Ajouter un prénom</button>`}
      </div>
      <${RadioGroup} id="patient-sexe" legend="Sexe *" name="sex" options=${SEXES} value=${values.sex} inline
        error=${form.errors.sex} onChange=${(v) => setValues((s) => ({ ...s, sex: v }))} />
      <${Field} id="patient-naissance" label="Date de naissance *" hint="JJ/MM/AAAA (MM/AAAA ou AAAA si inconnue)"
        inputmode="numeric" autocomplete="off" error=${form.errors.birth_date} ...${bind('birth_date')} />
      <${Field} id="patient-lieu" label="Lieu de naissance (code INSEE)" inputmode="numeric" autocomplete="off"
        hint="Code officiel géographique de la commune, par exemple 35238 pour Rennes ; 99xxx pour un pays étranger."
        error=${form.errors.birthplace_code} ...${bind('birthplace_code')} />
    </fieldset>
    <fieldset class="card">
      <legend>Nom et prénom utilisés</legend>
      <${Field} id="patient-nom-utilise" label="Nom utilisé" hint="Nom d'usage s'il diffère du nom de naissance."
        autocomplete="off" error=${form.errors.used_family_name} ...${bind('used_family_name')} />
      <${Field} id="patient-prenom-utilise" label="Prénom utilisé" autocomplete="off"
        error=${form.errors.used_given_name} ...${bind('used_given_name')} />
    </fieldset>
    <fieldset class="card">
      <legend>Identité nationale de santé (INS)</legend>
      <${Field} id="patient-ins" label="Matricule INS" hint="15 caractères, clé comprise. Vérifiée dès la saisie."
        inputmode="numeric" autocomplete="off" spellcheck=${false} error=${insMessage}
        ...${bind('ins.value')} />
      <${SelectField} id="patient-ins-oid" label="Nature de l'INS" options=${INS_OIDS}
        hint="NIR : numéro de sécurité sociale ; NIA : numéro d'identification d'attente."
        error=${form.errors['ins.oid']} ...${bind('ins.oid')} />
      <${SelectField} id="patient-justificatif" label="Pièce d'identité vérifiée" ...${bind('document_type')}
        hint="Une pièce à haut niveau de confiance valide l'identité."
        options=${[{ value: '', label: 'Aucune pour l\u2019instant' }, { value: 'CNI', label: "Carte nationale d'identité" },
          { value: 'PASSEPORT', label: 'Passeport' }, { value: 'TITRE_SEJOUR', label: 'Titre de séjour' },
          { value: 'LIVRET_FAMILLE', label: 'Livret de famille' }, { value: 'ACTE_NAISSANCE', label: 'Acte de naissance' }]} />
    </fieldset>
    <fieldset class="card">
      <legend>Coordonnées</legend>
      <${Field} id="patient-telephone" label="Téléphone" type="tel" autocomplete="off" error=${form.errors.phone} ...${bind('phone')} />
      <${Field} id="patient-email" label="Adresse e-mail" type="email" autocomplete="off" error=${form.errors.email} ...${bind('email')} />
      <${Field} id="patient-adresse" label="Adresse" autocomplete="off" error=${form.errors.address_line} ...${bind('address_line')} />
      <div class="field-pair">
        <${Field} id="patient-code-postal" label="Code postal" inputmode="numeric" autocomplete="off"
          error=${form.errors.postcode} ...${bind('postcode')} />
        <${Field} id="patient-ville" label="Commune" autocomplete="off" error=${form.errors.city} ...${bind('city')} />
      </div>
    </fieldset>
    <${FormAlert} message=${form.formError} />
    <div class="actions">
      <${SubmitButton} busy=${form.busy} label="Créer le patient" busyLabel="Création…" />
      <a class="button link" href=${'/patients' + queryString({ nom: loc.query.get('nom'), naissance: loc.query.get('naissance') })}>Annuler</a>
    </div>
  </form>`;
}
