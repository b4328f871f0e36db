// Data-loading hooks shared by the screens. They own the loading / error /
// retry states, so that every screen behaves the same way: a loading message,
// an error with « Réessayer », and a new attempt by itself when the
// application is back online (lib/api.js: connectivity).
import { useState, useEffect, useCallback, useRef } from '/js/lib/ui.js';
import { NetworkError, isAbort, isOnline, subscribeConnectivity } from '/js/lib/api.js';

/* Whether the application believes it can reach the server. */
export function useOnline() {
  const [online, setOnline] = useState(isOnline);
  useEffect(() => subscribeConnectivity(() => setOnline(isOnline())), []);
  return online;
}

/* Calls `retry` when the application is back online, while `failed` is a
 * network error (a server error would not go away by itself). */
export function useRetryWhenOnline(failed, retry) {
  useEffect(() => {
    if (!(failed instanceof NetworkError)) return undefined;
    return subscribeConnectivity(() => { if (isOnline()) retry(); });
  }, [failed, retry]);
}

/* Loads once per change of `deps`: load(signal) → Promise of data.
 * Returns {status: 'loading'|'ok'|'error', data, error, reload}. A newer load
 * cancels the previous one, so a late answer never overwrites a fresh one. */
export function useResource(load, deps) {
  const [state, setState] = useState({ status: 'loading', data: undefined, error: null });
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  useEffect(() => {
    const ctrl = new AbortController();
    setState((s) => ({ status: 'loading', data: s.data, error: null }));
    load(ctrl.signal).then(
      (data) => setState({ status: 'ok', data, error: null }),
      (error) => { if (!isAbort(error)) setState((s) => ({ status: 'error', data: s.data, error })); },
    );
    return () => ctrl.abort();
  }, [...deps, attempt]); // eslint-disable-line react-hooks/exhaustive-deps
  useRetryWhenOnline(state.error, reload);
  return { ...state, reload };
}

/* A list read page by page with a cursor: fetchPage(cursor, signal) →
 * Promise of {items, next} (next: the cursor of the following page, or null).
 * The first page is loaded again when `deps` change; loadMore() appends the
 * next one. Returns {status, items, hasMore, loadingMore, error, moreError,
 * loadMore, reload, replaceItem, prepend}. */
export function usePagedList(fetchPage, deps) {
  const [state, setState] = useState({ status: 'loading', items: [], next: null, error: null });
  const [more, setMore] = useState({ loading: false, error: null });
  const [attempt, setAttempt] = useState(0);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const ctrlRef = useRef(null);
  useEffect(() => {
    const ctrl = new AbortController();
    ctrlRef.current = ctrl;
    setState((s) => ({ ...s, status: 'loading', error: null }));
    setMore({ loading: false, error: null });
    fetchPage(null, ctrl.signal).then(
      (page) => setState({ status: 'ok', items: page.items, next: page.next, error: null }),
      (error) => { if (!isAbort(error)) setState((s) => ({ ...s, status: 'error', error })); },
    );
    return () => ctrl.abort();
  }, [...deps, attempt]); // eslint-disable-line react-hooks/exhaustive-deps
  useRetryWhenOnline(state.error, reload);

  const loadMore = async () => {
    if (more.loading || state.next === null) return;
    const ctrl = ctrlRef.current; // aborted when the filters change
    setMore({ loading: true, error: null });
    try {
      const page = await fetchPage(state.next, ctrl.signal);
      setState((s) => ({ ...s, items: s.items.concat(page.items), next: page.next }));
      setMore({ loading: false, error: null });
    } catch (error) {
      if (!isAbort(error)) setMore({ loading: false, error });
    }
  };
  const replaceItem = (match, item) =>
    setState((s) => ({ ...s, items: s.items.map((x) => (match(x) ? item : x)) }));
  /* Puts newer items (a live update, one's own post) on top, once each. */
  const prepend = (items, key = (x) => x.id) => setState((s) => {
    const known = new Set(s.items.map(key));
    return { ...s, items: items.filter((x) => !known.has(key(x))).concat(s.items) };
  });

  return {
    status: state.status, items: state.items, error: state.error, hasMore: state.next !== null,
    loadingMore: more.loading, moreError: more.error, loadMore, reload, replaceItem, prepend,
  };
}
