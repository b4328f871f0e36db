// The signed-in frame: header with the person's name (and, for
// administrators, the Administration link), the navigation (a tab bar at the
// bottom of phones, a bar under the header on wider screens), the offline
// banner, and the current screen under its <h1>.
//
// After an in-app navigation, focus moves to the new page's <h1> and the
// window title changes, so that screen-reader users hear where they are.
// Administration routes are refused here for non-administrators (the server
// refuses their API calls anyway: this only avoids showing a broken page).
//
// The shell also runs the notification feed (lib/notifications.js): the
// unread count on the Notifications tab, and a short message when a live
// notification arrives, wherever the person is.
import { html, useState, useEffect, useRef } from '/js/lib/ui.js';
import { useLocation, matchRoute, navigate } from '/js/lib/router.js';
import { NetworkError } from '/js/lib/api.js';
import { useResource } from '/js/lib/hooks.js';
import { useSession, isAdmin } from '/js/lib/session.js';
import { PageContext } from '/js/lib/page.js';
import { startNotifications, useUnread, onLiveNotification, markRead } from '/js/lib/notifications.js';
import { ROUTES, TABS, REDIRECTS } from '/js/routes.js';
import { Icon } from '/js/components/icons.js';
import { Loading, LoadError, OfflineBanner } from '/js/components/feedback.js';
import { notificationHref, notificationBody } from '/js/components/patient.js';

function TabBar({ current }) {
  const { count } = useUnread();
  return html`<nav class="tabbar" aria-label="Navigation principale"><ul>
    ${TABS.map((t) => html`<li key=${t.id}>
      <a href=${t.href} aria-current=${t.id === current ? 'page' : undefined}>
        <span class="tab-icon"><${Icon} name=${t.icon} />${t.id === 'notifications' && count > 0 && html`
          <span class="tab-badge" aria-hidden="true">${count > 99 ? '99+' : count}</span>`}</span>
        <span>${t.label}${t.id === 'notifications' && count > 0 && html`<span class="visually-hidden"
          >${` (${count} non lue${count > 1 ? 's' : ''})`}</span>`}</span></a></li>`)}
  </ul></nav>`;
}

const TOAST_MS = 10000;

/* The latest live notification, for a few seconds, with a link to it. */
function LiveToast({ path }) {
  const [shown, setShown] = useState(null);
  // not for what the page shown already displays (the feed, the journal...), unless urgent
  useEffect(() => onLiveNotification((n) => {
    if (location.pathname === '/notifications') return;
    if (n.urgent || notificationHref(n) !== location.pathname) setShown(n);
  }), []);
  useEffect(() => { if (shown && (path === notificationHref(shown) || path === '/notifications')) setShown(null); }, [path]); // eslint-disable-line
  useEffect(() => {
    if (!shown) return undefined;
    const t = setTimeout(() => setShown(null), TOAST_MS);
    return () => clearTimeout(t);
  }, [shown]);
  return html`<div class="toast-slot" role="status">${shown && html`
    <div class=${'toast' + (shown.urgent ? ' urgent' : '')}>
      <p><strong>${shown.title}</strong>${shown.body && html`<br /><span class="toast-body">${notificationBody(shown)}</span>`}</p>
      <div class="actions">
        <a class="button secondary small" href=${notificationHref(shown)}
          onClick=${() => { markRead(shown.id).catch(() => {}); setShown(null); }}>Voir</a>
        <button type="button" class="button link small" onClick=${() => setShown(null)}>Fermer<span
          class="visually-hidden"> le message</span></button>
      </div>
    </div>`}</div>`;
}

/* A screen loaded on demand: route.load() → module with a default component. */
function LazyView({ route, params }) {
  const mod = useResource(
    () => route.load().catch(() => { throw new NetworkError(false); }), // a failed import = no answer
    [route],
  );
  if (mod.status === 'error') return html`<${LoadError} error=${mod.error} onRetry=${mod.reload} />`;
  if (!mod.data) return html`<${Loading} />`;
  const View = mod.data.default;
  return html`<${View} params=${params} />`;
}

function Refused() {
  return html`<div class="card"><p>Cette page est réservée aux administrateurs de la plateforme.</p>
    <p><a href="/patients">Revenir à l'accueil</a></p></div>`;
}

function NotFound({ path }) {
  return html`<div class="card"><p>L'adresse « ${path} » ne correspond à aucune page.</p>
    <p><a href="/patients">Revenir à l'accueil</a></p></div>`;
}

export function Shell() {
  const { user } = useSession();
  const loc = useLocation();
  const heading = useRef(null);
  const [pageTitle, setPageTitle] = useState(null); // from the screen (lib/page.js)
  const redirect = REDIRECTS[loc.path];
  const match = matchRoute(ROUTES, loc.path);
  const route = match && match.route;
  const refused = Boolean(route && route.admin && !isAdmin(user));
  let title = 'Page introuvable';
  let view = html`<${NotFound} path=${loc.path} />`;
  if (refused) {
    title = 'Accès refusé';
    view = html`<${Refused} />`;
  } else if (route) {
    title = route.title;
    view = route.load
      ? html`<${LazyView} key=${route.path} route=${route} params=${match.params} />`
      : html`<${route.view} params=${match.params} />`;
  }
  let docTitle = (!refused && route && route.docTitle) || title;
  if (pageTitle && !refused && route) ({ title, docTitle } = pageTitle);

  useEffect(() => startNotifications(), []);
  // the patient's record is the next screen most people open: fetch it in idle time
  useEffect(() => {
    if (isAdmin(user)) return undefined;
    const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 1500));
    const cancel = window.cancelIdleCallback || clearTimeout;
    const handle = idle(() => import('/js/screens/patient.js').catch(() => { /* loaded again when opened */ }));
    return () => cancel(handle);
  }, []); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => { if (redirect) navigate(redirect, { replace: true, focus: loc.moveFocus }); }, [redirect]);
  useEffect(() => { document.title = `${docTitle} — parcours`; }, [docTitle]);
  useEffect(() => { if (loc.moveFocus && heading.current) heading.current.focus(); }, [loc.key]);

  return html`<div class="shell">
    <header class="app-header">
      <div class="identity">
        <a class="brand" href="/patients"><img src="/favicon.svg" alt="" width="28" height="28" />
          <span class="brand-name">parcours</span></a>
        <p class="who"><span class="visually-hidden">Connecté : </span><span class="who-name">${user.display_name}</span></p>
      </div>
      ${isAdmin(user) && html`<a class="header-link" href="/admin/comptes"
        aria-current=${route && route.tab === 'admin' ? 'page' : undefined}>
        <${Icon} name="admin" /><span>Administration</span></a>`}
    </header>
    <${TabBar} current=${route && route.tab} />
    <${OfflineBanner} />
    <${LiveToast} path=${loc.path} />
    <main id="contenu" tabindex="-1">
      ${redirect ? html`<${Loading} />` : html`
        <h1 ref=${heading} tabindex="-1">${title}</h1>
        <${PageContext.Provider} value=${setPageTitle}>${view}</${PageContext.Provider}>`}
    </main>
  </div>`;
}
