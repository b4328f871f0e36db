// Client-side routing with the History API. The server answers index.html for
// any non-API path without a dot, so every route is a real URL that can be
// bookmarked, shared and reloaded.
//
// Internal links are plain <a href="/...">: a click on one is turned into
// navigate() here (a new tab, a download or a modified click keeps the
// browser's behaviour). Query parameters carry screen state worth keeping in
// the URL (search text, filters).
import { useState, useEffect } from '/js/lib/ui.js';

const listeners = new Set();
let key = 0;          // changes at every navigation
let moveFocus = false; // whether the shell should focus the new page's heading

function emit() { key++; for (const l of listeners) l(); }

/* The current location: {path, query (URLSearchParams), key, moveFocus}. */
export function currentLocation() {
  return { path: location.pathname, query: new URLSearchParams(location.search), key, moveFocus };
}

/* Goes to `to` (a path with an optional query). replace: no new history entry
 * (filters typed in a form). focus: move focus to the new page's heading, as
 * a screen reader user expects after following a link. */
export function navigate(to, { replace = false, focus = !replace } = {}) {
  const url = new URL(to, location.href);
  const target = url.pathname + url.search;
  if (target === location.pathname + location.search && !replace) return;
  history[replace ? 'replaceState' : 'pushState'](null, '', target);
  moveFocus = focus;
  if (!replace) window.scrollTo(0, 0);
  emit();
}

window.addEventListener('popstate', () => { moveFocus = true; emit(); });

document.addEventListener('click', (ev) => {
  if (ev.defaultPrevented || ev.button !== 0 || ev.metaKey || ev.ctrlKey || ev.shiftKey || ev.altKey) return;
  const a = ev.target.closest && ev.target.closest('a[href]');
  if (!a || a.target || a.hasAttribute('download')) return;
  const url = new URL(a.href);
  if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
  // in-page anchors (the skip link) keep the browser's behaviour
  if (url.hash && url.pathname === location.pathname && url.search === location.search) return;
  ev.preventDefault();
  navigate(url.pathname + url.search);
});

/* Re-renders the calling component at every navigation. */
export function useLocation() {
  const [loc, setLoc] = useState(currentLocation);
  useEffect(() => {
    const update = () => setLoc((prev) => (prev.key === key ? prev : currentLocation()));
    listeners.add(update);
    update(); // a navigation may have happened between render and effect
    return () => listeners.delete(update);
  }, []);
  return loc;
}

/* The first route matching `path`, as {route, params}, or null. A route's
 * path may have ":name" segments (params.name, decoded) and one last optional
 * ":name?" segment (params.name is then '' when absent): "/patients/:id/:tab?"
 * keeps one screen mounted while its sub-pages change. */
export function matchRoute(routes, path) {
  const parts = (path.length > 1 ? path.replace(/\/+$/, '') : path).split('/');
  for (const route of routes) {
    const segs = route.path.split('/');
    const optional = segs[segs.length - 1].endsWith('?');
    if (parts.length !== segs.length && !(optional && parts.length === segs.length - 1)) continue;
    const params = {};
    const ok = segs.every((seg, i) => {
      if (!seg.startsWith(':')) return seg === parts[i];
      const name = seg.slice(1).replace(/\?$/, '');
      if (parts[i] === undefined) { params[name] = ''; return true; }
      if (parts[i] === '') return false;
      try { params[name] = decodeURIComponent(parts[i]); } catch { return false; }
      return true;
    });
    if (ok) return { route, params };
  }
  return null;
}
