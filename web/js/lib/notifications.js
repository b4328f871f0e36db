// My notifications, shared by the shell (the tab's badge), the lists that
// show unread marks, and the screens that refresh when something happens.
//
// - Unread ones: GET /api/notifications?unread=1 at start, when the page is
//   shown again and after a reconnection (notifications made during quiet
//   hours are stored but never pushed).
// - Live ones: an EventSource on /api/notifications/stream (cookie). The
//   browser reconnects by itself after a network error, sending
//   Last-Event-ID; when it gives up (an HTTP error: 401, 503...) we reconnect
//   later with ?last_event_id=, so that nothing is missed. `session-expired`:
//   the next API call takes the application back to Connexion.
import { useState, useEffect } from '/js/lib/ui.js';
import { api, isOnline, subscribeConnectivity } from '/js/lib/api.js';

const RECONNECT_MS = [2000, 5000, 15000, 30000];
const state = { unread: new Map(), count: 0 };
const changeListeners = new Set();
const liveListeners = new Set();
let source = null;
let lastId = null;
let failures = 0;
let timer = null;
let running = false;
let stopConnectivity = null;

function changed() { for (const l of [...changeListeners]) l(); }

/* Reloads the unread ones (the feed's first 200) and the count. */
export async function refreshUnread() {
  try {
    const page = await api('GET', '/api/notifications?unread=1&limit=200');
    state.unread = new Map(page.items.map((n) => [n.id, n]));
    state.count = page.unread_count;
    for (const n of page.items) if (lastId === null || Number(n.id) > Number(lastId)) lastId = n.id;
    changed();
  } catch { /* offline or signed out: the banner or Connexion says so */ }
}

function connect() {
  clearTimeout(timer);
  if (!running || source) return;
  const url = '/api/notifications/stream' + (lastId ? `?last_event_id=${encodeURIComponent(lastId)}` : '');
  const es = new EventSource(url);
  source = es;
  let reopened = false;
  es.addEventListener('open', () => {
    if (failures > 0 || reopened) refreshUnread();
    failures = 0;
    reopened = true;
  });
  es.addEventListener('notification', (ev) => {
    let n;
    try { n = JSON.parse(ev.data); } catch { return; }
    lastId = ev.lastEventId || n.id;
    if (!n.read_at && !state.unread.has(n.id)) {
      state.unread.set(n.id, n);
      state.count++;
    }
    changed();
    for (const l of [...liveListeners]) l(n);
  });
  es.addEventListener('session-expired', () => {
    stopSource();
    api('GET', '/api/me').catch(() => { /* a 401 leads to Connexion (lib/api.js) */ });
  });
  es.addEventListener('error', () => {
    if (es.readyState !== EventSource.CLOSED) return; // the browser reconnects by itself
    stopSource();
    // refused (server stopping, too many streams, session over): try again later
    const delay = RECONNECT_MS[Math.min(failures, RECONNECT_MS.length - 1)];
    failures++;
    timer = setTimeout(() => {
      api('GET', '/api/me').then(connect, () => { if (running) timer = setTimeout(connect, delay); });
    }, delay);
  });
}

function stopSource() {
  if (source) source.close();
  source = null;
}

function onVisible() { if (document.visibilityState === 'visible' && running) refreshUnread(); }

/* Starts the feed for the signed-in person; returns stop(). */
export function startNotifications() {
  running = true;
  failures = 0;
  refreshUnread().then(connect);
  document.addEventListener('visibilitychange', onVisible);
  // back online after the browser had given up: reconnect at once
  stopConnectivity = subscribeConnectivity(() => {
    if (running && isOnline() && !source) { failures = 0; connect(); }
  });
  return () => {
    running = false;
    clearTimeout(timer);
    stopSource();
    document.removeEventListener('visibilitychange', onVisible);
    if (stopConnectivity) stopConnectivity();
    state.unread = new Map();
    state.count = 0;
    lastId = null;
  };
}

/* listener(notification) for each live notification; returns the unsubscriber. */
export function onLiveNotification(listener) {
  liveListeners.add(listener);
  return () => { liveListeners.delete(listener); };
}

/* {count, unread: [notifications]} kept up to date. */
export function useUnread() {
  const snapshot = () => ({ count: state.count, unread: [...state.unread.values()] });
  const [value, setValue] = useState(snapshot);
  useEffect(() => {
    const l = () => setValue(snapshot());
    changeListeners.add(l);
    l();
    return () => changeListeners.delete(l);
  }, []);
  return value;
}

/* Marks one unread notification read (POST /api/notifications/:id/read). */
export async function markRead(id) {
  const known = state.unread.get(id);
  state.unread.delete(id); // at once, so that a second call does not count it twice
  try {
    await api('POST', `/api/notifications/${encodeURIComponent(id)}/read`);
  } catch (err) {
    if (known) state.unread.set(id, known);
    throw err;
  }
  state.count = Math.max(0, state.count - 1);
  changed();
}

export async function markAllRead() {
  await api('POST', '/api/notifications/read-all');
  state.unread = new Map();
  state.count = 0;
  changed();
}

/* Marks read the unread notifications that `match` selects (those about a
 * note just displayed, a conversation just read); failures are ignored. */
export function markReadWhere(match) {
  for (const n of [...state.unread.values()]) if (match(n)) markRead(n.id).catch(() => {});
}
