// The signed-in screens: the navigation tabs and the routes. To add a screen,
// add a route here (and a tab when it is one). Everyday screens come with the
// shell; those that most people never open (administration) are loaded on
// demand with import().
import { html } from '/js/lib/ui.js';
import { Placeholder } from '/js/screens/placeholder.js';
import { Account } from '/js/screens/account.js';

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
  {
    path: '/patients', title: 'Patients', tab: 'patients',
    view: () => html`<${Placeholder}>La liste de vos patients, leur cercle de soins et le cahier de
      liaison, consultables entre deux visites.</${Placeholder}>`,
  },
  {
    path: '/notifications', title: 'Notifications', tab: 'notifications',
    view: () => html`<${Placeholder}>Les nouvelles notes, les messages et les alertes
      d'hospitalisation concernant vos patients.</${Placeholder}>`,
  },
  {
    path: '/annuaire', title: 'Annuaire', tab: 'annuaire',
    view: () => html`<${Placeholder}>L'annuaire des professionnels et des structures du
      territoire, pour inviter un confrère dans un cercle de soins.</${Placeholder}>`,
  },
  { path: '/compte', title: 'Mon compte', tab: 'compte', view: Account },
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
