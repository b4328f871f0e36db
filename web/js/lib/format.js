// French labels for the API's codes, and dates for people. Unknown codes are
// shown as they are (a newer server may send codes this page does not know).

export const ROLES = [
  { value: 'professional', label: 'Professionnel de santé' },
  { value: 'coordinator', label: 'Coordinateur DAC' },
  { value: 'admin', label: 'Administrateur' },
];

export function roleLabel(role) {
  const r = ROLES.find((x) => x.value === role);
  return r ? r.label : role;
}

/* Audit actions recorded by the server (core/*.c), in the order of the filter. */
export const AUDIT_ACTIONS = [
  { value: 'session.login', label: 'Connexion' },
  { value: 'session.logout', label: 'Déconnexion' },
  { value: 'user.create', label: 'Création de compte' },
  { value: 'user.disable', label: 'Désactivation de compte' },
  { value: 'user.enable', label: 'Réactivation de compte' },
  { value: 'user.password', label: 'Changement de mot de passe' },
  { value: 'access.denied', label: 'Accès refusé' },
  { value: 'audit.read', label: 'Consultation du journal' },
];

export function actionLabel(action) {
  const a = AUDIT_ACTIONS.find((x) => x.value === action);
  return a ? a.label : action;
}

const OUTCOMES = { success: 'Réussite', failure: 'Échec', denied: 'Refus' };
export const outcomeLabel = (outcome) => OUTCOMES[outcome] || outcome;

/* The server's audit details are short English notes for operators. */
const DETAILS = {
  'wrong password': 'mot de passe erroné',
  'unknown login': 'identifiant inconnu',
  'account disabled': 'compte désactivé',
  throttled: 'trop de tentatives',
  'no session': 'aucune session',
  'administrator role required': 'rôle administrateur requis',
  'missing or wrong CSRF token': 'jeton CSRF absent ou invalide',
  'wrong current password': 'mot de passe actuel erroné',
  'session.expired': 'session expirée',
  'session.invalid': 'session inconnue ou close',
};
export const detailLabel = (detail) => (detail && DETAILS[detail]) || detail;

/* Formatters are made on first use: the first Intl.DateTimeFormat loads the
 * locale's data, 30 to 150 ms measured here, which Connexion does not need. */
const formatters = new Map();
function formatter(options) {
  const key = JSON.stringify(options);
  if (!formatters.has(key)) formatters.set(key, new Intl.DateTimeFormat('fr-FR', options));
  return formatters.get(key);
}

/* "23/11/2026 19:12:23" in the device's time zone (overseas territories included). */
export function formatDateTime(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter({ dateStyle: 'short', timeStyle: 'medium' }).format(d);
}

export function formatDate(iso) {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : formatter({ dateStyle: 'long' }).format(d);
}

/* The UTC instant at which local day `yyyy-mm-dd` starts, plus `days`: the
 * audit API's from/to are instants, the person picks days in local time. */
export function localDayStart(yyyyMmDd, days = 0) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(yyyyMmDd || '');
  if (!m) return null;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]) + days).toISOString();
}

/* "3 comptes", "1 compte", "aucun compte". */
export function plural(n, one, many, none) {
  if (n === 0 && none) return none;
  return `${n} ${n > 1 ? many : one}`;
}

// ---- patients, circle, journal -------------------------------------------

/* Identity status (RNIV): code → French label, shown as a badge. */
export const IDENTITY_STATUS = {
  PROV: 'Provisoire', RECUP: 'Récupérée', VALI: 'Validée', QUAL: 'Qualifiée',
};
export const statusLabel = (s) => IDENTITY_STATUS[s] || s;

export const SEXES = [
  { value: 'F', label: 'Féminin' }, { value: 'M', label: 'Masculin' }, { value: 'I', label: 'Indéterminé' },
];
export const sexLabel = (s) => (SEXES.find((x) => x.value === s) || { label: s }).label;

/* "1948-03-12" → "12/03/1948"; "1948-03" → "03/1948" (partial dates stay partial). */
export function formatBirthDate(d) {
  return d ? String(d).split('-').reverse().join('/') : '';
}

/* « Né le », « Née le », « Né(e) le » by sex. */
export function bornLabel(sex) {
  return sex === 'F' ? 'Née le' : sex === 'M' ? 'Né le' : 'Né(e) le';
}

/* "DUPONT Jeanne Marie": the birth family name then the birth given names. */
export function patientName(p) {
  const given = Array.isArray(p.birth_given_names) ? p.birth_given_names.join(' ') : (p.birth_given_names || '');
  return `${p.birth_family_name || ''} ${given}`.trim();
}

/* Care-circle roles (docs/api.md), by kind of member. */
export const CIRCLE_ROLES = {
  professional: [
    ['PCP', 'Médecin traitant'], ['REFERENT', 'Référent du parcours'], ['NURSE', 'Infirmier ou infirmière'],
    ['PHARMACIST', 'Pharmacien'], ['PHYSIO', 'Masseur-kinésithérapeute'], ['SPECIALIST', 'Médecin spécialiste'],
    ['SOCIAL_WORKER', 'Travailleur social'], ['HOSPITAL', 'Professionnel hospitalier'], ['MEMBER', 'Membre du cercle'],
  ],
  organisation: [['HOSPITAL', 'Établissement de santé'], ['REFERENT', 'Structure référente'], ['MEMBER', 'Structure membre']],
  related: [
    ['CAREGIVER', 'Aidant'], ['TRUSTED_PERSON', 'Personne de confiance'], ['LEGAL_GUARDIAN', 'Représentant légal'],
    ['ECON', "Contact en cas d'urgence"],
  ],
  patient: [['PATIENT', 'Patient']],
};
export function circleRoleLabel(role, kind) {
  const found = (CIRCLE_ROLES[kind] || []).find((r) => r[0] === role)
    || Object.values(CIRCLE_ROLES).flat().find((r) => r[0] === role);
  return found ? found[1] : role;
}

/* Note types (JDV_J23), in the order of the select. */
export const NOTE_TYPES = [
  { value: 'GEN', label: 'Général' }, { value: 'OBS', label: 'Observation' },
  { value: 'INTERV', label: 'Intervention' }, { value: 'INST', label: 'Instruction' },
  { value: 'DEM-AVIS', label: "Demande d'avis" },
];
export const noteTypeLabel = (t) => (NOTE_TYPES.find((x) => x.value === t) || { label: t }).label;

/* "à l'instant", "il y a 5 min", "il y a 3 h", else the date and time. */
export function formatWhen(iso) {
  const d = new Date(iso);
  const s = (Date.now() - d.getTime()) / 1000;
  if (Number.isNaN(s)) return iso;
  if (s < 60) return "à l'instant";
  if (s < 3600) return `il y a ${Math.floor(s / 60)} min`;
  if (s < 6 * 3600) return `il y a ${Math.floor(s / 3600)} h`;
  return formatter({ dateStyle: 'short', timeStyle: 'short' }).format(d);
}

/* A date typed by a person → the API's form: "12/03/1948", "12031948" or
 * "1948-03-12" → "1948-03-12"; "03/1948" → "1948-03"; "1948" → "1948" (birth
 * dates may be partial). '' when blank, null when not a date. */
export function parseDate(text) {
  const t = String(text || '').trim();
  if (!t) return '';
  let m = /^(\d{1,2})[/. -](\d{1,2})[/. -](\d{4})$/.exec(t) || /^(\d{2})(\d{2})(\d{4})$/.exec(t);
  let y, mo, d;
  if (m) [, d, mo, y] = m;
  else if ((m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(t))) [, y, mo, d] = m;
  else if ((m = /^(\d{1,2})[/. -](\d{4})$/.exec(t))) return Number(m[1]) >= 1 && Number(m[1]) <= 12 ? `${m[2]}-${m[1].padStart(2, '0')}` : null;
  else if (/^\d{4}$/.test(t)) return t;
  else return null;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(mo) - 1 || date.getUTCDate() !== Number(d)) return null;
  return `${y}-${String(mo).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
