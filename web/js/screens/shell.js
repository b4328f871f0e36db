// The signed-in frame: header with the person's name (and, for
// administrators, the Administration link), the navigation (a tab bar at the
// bottom of phones, a bar under the header on wider screens), the offline
// banner, and the current screen under its <h1>.
//
// After an in-app navigation, focus moves to the new page's <h1> and the
// window title changes, so that screen-reader users hear where they are.
// Administration routes are refused here for non-administrators (the server
// refuses their API calls anyway: this only avoids showing a broken page).
import { html, useEffect, useRef } from '/js/lib/ui.js';
import { useLocation, matchRoute, navigate } from '/js/lib/router.js';
import { NetworkError } from '/js/lib/api.js';
import { useResource } from '/js/lib/hooks.js';
import { useSession, isAdmin } from '/js/lib/session.js';
import { ROUTES, TABS, REDIRECTS } from '/js/routes.js';
import { Icon } from '/js/components/icons.js';
import { Loading, LoadError, OfflineBanner } from '/js/components/feedback.js';

function TabBar({ current }) {
  return html`<nav class="tabbar" aria-label="Navigation principale"><ul>
    ${TABS.map((t) => html`<li key=${t.id}>
      <a href=${t.href} aria-current=${t.id === current ? 'page' : undefined}>
        <${Icon} name=${t.icon} /><span>${t.label}</span></a></li>`)}
  </ul></nav>`;
}

/* A screen loaded on demand: route.load() → module with a default component. */
function LazyView({ route }) {
  const mod = useResource(
    () => route.load().catch(() => { throw new NetworkError(false); }), // a failed import = no answer
    [route],
  );
  if (mod.status === 'error') return html`<${LoadError} error=${mod.error} onRetry=${mod.reload} />`;
  if (!mod.data) return html`<${Loading} />`;
  const View = mod.data.default;
  return html`<${View} />`;
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
  const redirect = REDIRECTS[loc.path];
  const route = matchRoute(ROUTES, loc.path);
  const refused = Boolean(route && route.admin && !isAdmin(user));
  let title = 'Page introuvable';
  let view = html`<${NotFound} path=${loc.path} />`;
  if (refused) {
    title = 'Accès refusé';
    view = html`<${Refused} />`;
  } else if (route) {
    title = route.title;
    view = route.load ? html`<${LazyView} key=${route.path} route=${route} />` : html`<${route.view} />`;
  }
  const docTitle = (!refused && route && route.docTitle) || title;

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
    <main id="contenu" tabindex="-1">
      ${redirect ? html`<${Loading} />` : html`
        <h1 ref=${heading} tabindex="-1">${title}</h1>
        ${view}`}
    </main>
  </div>`;
}
