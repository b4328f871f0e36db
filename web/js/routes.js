// The signed-in screens: the navigation tabs and the routes. To add a screen,
// add a route here (and a tab when it is one). The home screen (Mes patients)
// and Mon compte come with the shell; the others are loaded on demand with
// import(), the patient's record in idle time after the shell (screens/shell.js).
import { html } from '/js/lib/ui.js';
import { Account } from '/js/screens/account.js';
import { Patients } from '/js/screens/patients.js';

/* The tab bar, in order: four tabs, what fits under a thumb on a 360 px
 * phone. Administration (administrators only) is a link in the header. */
export const TABS = [
  { id: 'patients', href: '/patients', label: 'Patients', icon: 'patients' },
  { id: 'notifications', href: '/notifications', label: 'Notifications', icon: 'notifications' },
  { id: 'annuaire', href: '/annuaire', label: 'Annuaire', icon: 'directory' },
  { id: 'compte', href: '/compte', label: 'Mon compte', icon: 'account' },
];

/* Paths that stand for another one (replaced in the history). */
export const REDIRECTS = { '/': '/patients', '/admin': '/admin/comptes' };

/* path; title: the page's <h1>; docTitle: the window title when more precise;
 * tab: the current tab ('admin': the header's Administration link); admin:
 * administrators only; view: a component, or
 * load: () => import() of a module whose default export is the component. */
export const ROUTES = [
  { path: '/patients', title: 'Patients', tab: 'patients', view: Patients },
  {
    path: '/patients/nouveau', title: 'Nouveau patient', tab: 'patients',
    load: () => import('/js/screens/patient-new.js'),
  },
  {
    // :tab is '' (Synthèse), cercle, journal or conversation
    path: '/patients/:id/:tab?', title: 'Patient', tab: 'patients',
    load: () => import('/js/screens/patient.js'),
  },
  {
    path: '/notifications', title: 'Notifications', tab: 'notifications',
    load: () => import('/js/screens/notifications.js'),
  },
  {
    path: '/annuaire', title: 'Annuaire', tab: 'annuaire',
    load: () => import('/js/screens/directory.js'),
  },
  { path: '/compte', title: 'Mon compte', tab: 'compte', view: Account },
  {
    path: '/invitation/:token', title: 'Invitation',
    view: () => html`<div class="card"><p>Ce lien d'invitation sert à créer un compte. Vous êtes déjà connecté :
      pour l'utiliser, déconnectez-vous d'abord (« Mon compte »).</p><p><a href="/patients">Revenir à mes patients</a></p></div>`,
  },
  {
    path: '/admin/comptes', title: 'Administration', docTitle: 'Comptes — Administration', tab: 'admin',
    admin: true, load: () => import('/js/screens/admin/users.js'),
  },
  {
    path: '/admin/comptes/nouveau', title: 'Administration', docTitle: 'Nouveau compte — Administration',
    tab: 'admin', admin: true, load: () => import('/js/screens/admin/user-new.js'),
  },
  {
    path: '/admin/journal', title: 'Administration', docTitle: "Journal d'audit — Administration", tab: 'admin',
    admin: true, load: () => import('/js/screens/admin/audit.js'),
  },
];
