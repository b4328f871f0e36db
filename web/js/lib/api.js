// HTTP client of the web application: every call to /api goes through api().
//
// Contracts (see docs/api.md):
// - The session is the HttpOnly cookie set by POST /api/session; this module
//   never sees it and nothing is kept in localStorage or sessionStorage. The
//   CSRF token (from POST /api/session or GET /api/me) lives in memory only
//   and is sent as X-CSRF-Token on every write.
// - A failure is thrown as ApiError (the server's problem+json: status, stable
//   code, French detail, field at fault) or NetworkError (no answer at all).
//   An aborted call (caller's AbortSignal) rejects with the browser's
//   AbortError, which callers ignore.
// - A 401 on any call but the login itself means the session is over (expired,
//   logged out elsewhere, account disabled): the handler registered with
//   onSessionLost() runs before the error is thrown, and the application goes
//   back to Connexion.
// - Reads (GET) are retried after a network error; writes are not, because a
//   write whose answer was lost may have been applied: the form shows the
//   error and the person decides.
// - Connectivity (for the offline banner) = navigator.onLine and the outcome
//   of the last call: a call that got no answer marks the application offline
//   until one gets an answer, the browser reports that the network is back,
//   or a probe of GET /healthz (every 5 s meanwhile) gets an answer.

const RETRY_DELAYS_MS = [400, 1200];
const TIMEOUT_MS = 15000;
const UPLOAD_TIMEOUT_MS = 120000; // a photo over a slow mobile network
const LOGIN_PATH = '/api/session';

let csrfToken = null;
let sessionLost = () => {};

export function setCsrfToken(token) { csrfToken = token || null; }
export function onSessionLost(handler) { sessionLost = handler; }

export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    const detail = (problem && (problem.detail || problem.title)) || statusText(status);
    super(detail);
    this.name = 'ApiError';
    this.status = status;
    this.code = (problem && problem.code) || null;
    this.field = (problem && problem.field) || null;
    this.detail = detail;
    this.problem = problem || {}; // the whole problem+json (409 candidates...)
    this.retryAfter = retryAfter; // seconds, from Retry-After (429), or null
  }
}

export class NetworkError extends Error {
  constructor(timedOut) {
    super(timedOut ? 'Le serveur ne répond pas.' : 'Le serveur est injoignable.');
    this.name = 'NetworkError';
  }
}

function statusText(status) {
  if (status >= 500) return `Le serveur a rencontré une erreur (${status}). Réessayez dans un instant.`;
  if (status === 404) return 'Ressource introuvable.';
  if (status === 403) return 'Accès refusé.';
  return `La demande a échoué (${status}).`;
}

/* A French sentence for any error thrown by api(), for people. */
export function errorMessage(err) {
  if (err instanceof NetworkError) return `${err.message} Vérifiez votre connexion puis réessayez.`;
  if (err instanceof ApiError) {
    if (err.status === 429 && err.retryAfter) {
      const minutes = Math.max(1, Math.ceil(err.retryAfter / 60));
      return `${err.detail} (dans ${minutes} minute${minutes > 1 ? 's' : ''} environ)`;
    }
    return err.detail;
  }
  return 'Une erreur inattendue est survenue. Rechargez la page.';
}

// ---- connectivity -------------------------------------------------------

const PROBE_MS = 5000;
const connectivityListeners = new Set();
let lastCallFailed = false;
let probeTimer = null;

export function isOnline() { return navigator.onLine && !lastCallFailed; }

/* listener() runs whenever isOnline() may have changed; returns the unsubscriber. */
export function subscribeConnectivity(listener) {
  connectivityListeners.add(listener);
  return () => { connectivityListeners.delete(listener); };
}

function notifyConnectivity() { for (const l of [...connectivityListeners]) l(); }

function setLastCallFailed(failed) {
  if (failed === lastCallFailed) return;
  lastCallFailed = failed;
  clearTimeout(probeTimer);
  if (failed) probeTimer = setTimeout(probe, PROBE_MS);
  notifyConnectivity();
}

/* While calls fail with the browser online (the server or a proxy is down),
 * ask the server's health route now and then: any answer means it is back. */
async function probe() {
  if (navigator.onLine) {
    try {
      await fetch('/healthz', { cache: 'no-store', credentials: 'omit' });
      setLastCallFailed(false);
      return;
    } catch { /* still no answer */ }
  }
  probeTimer = setTimeout(probe, PROBE_MS);
}

window.addEventListener('online', () => { setLastCallFailed(false); notifyConnectivity(); });
window.addEventListener('offline', notifyConnectivity);

// ---- calls --------------------------------------------------------------

function sleep(ms, signal) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => { clearTimeout(timer); reject(signal.reason); }, { once: true });
  });
}

async function callOnce(method, path, { body, signal, file, blob }) {
  const headers = { Accept: blob ? '*/*' : 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (file) headers['Content-Type'] = file.type;
  if (method !== 'GET' && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  // our own controller: the caller's signal cancels, the timer times out
  const ctrl = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => { timedOut = true; ctrl.abort(); }, file ? UPLOAD_TIMEOUT_MS : TIMEOUT_MS);
  const cancel = () => ctrl.abort(signal.reason);
  signal?.addEventListener('abort', cancel, { once: true });
  let res;
  try {
    res = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store', signal: ctrl.signal,
      body: file || (body === undefined ? undefined : JSON.stringify(body)),
    });
  } catch (err) {
    if (signal?.aborted) throw err;
    setLastCallFailed(true);
    throw new NetworkError(timedOut);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', cancel);
  }
  setLastCallFailed(false);
  if (res.status === 204) return null;
  if (blob && res.ok) return res.blob();
  let data = null;
  try { data = await res.json(); } catch { /* not JSON (a proxy's error page): data stays null */ }
  if (res.ok) {
    if (data === null) throw new ApiError(res.status, { detail: 'Réponse illisible du serveur.' }, null);
    return data;
  }
  const retryAfter = Number(res.headers.get('Retry-After')) || null;
  const err = new ApiError(res.status, data && typeof data === 'object' ? data : null, retryAfter);
  if (res.status === 401 && path !== LOGIN_PATH) sessionLost(err);
  throw err;
}

/* One API call. body: a value sent as JSON (writes); file: a Blob sent as
 * is, with its type as Content-Type (uploads); blob: resolve with the
 * response's Blob instead of JSON (attachments). signal: AbortSignal.
 * Resolves with the decoded JSON (null for 204). */
export async function api(method, path, { body, signal, file, blob } = {}) {
  for (let attempt = 0; ; attempt++) {
    try {
      return await callOnce(method, path, { body, signal, file, blob });
    } catch (err) {
      const retry = err instanceof NetworkError && method === 'GET' && attempt < RETRY_DELAYS_MS.length;
      if (!retry) throw err;
      await sleep(RETRY_DELAYS_MS[attempt], signal);
    }
  }
}

export const isAbort = (err) => err && err.name === 'AbortError';

/* "?a=1&b=2" from an object, leaving out empty values. */
export function queryString(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? '?' + s : '';
}
