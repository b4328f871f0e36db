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
