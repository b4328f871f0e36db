// The application's root: finds out whether a session exists (GET /api/me),
// then shows Connexion or the shell. Owns the signed-in user, shared with the
// screens through SessionContext (lib/session.js).
//
// The first load carries only what Connexion needs (the modulepreload list of
// index.html). The shell and the signed-in screens are loaded with import()
// once a session exists, or in idle time while the person types a password.
import { html, useState, useEffect, useCallback, useMemo } from '/js/lib/ui.js';
import { api, setCsrfToken, onSessionLost, ApiError, NetworkError, isAbort } from '/js/lib/api.js';
import { SessionContext } from '/js/lib/session.js';
import { useResource, useRetryWhenOnline } from '/js/lib/hooks.js';
import { LoadError, Loading, announce } from '/js/components/feedback.js';
import { Login } from '/js/screens/login.js';

// a failed import() is a module that did not arrive: say it like a network error
const loadShell = () => import('/js/screens/shell.js').catch(() => { throw new NetworkError(false); });

function BootPage({ children }) {
  return html`<main id="contenu" class="boot-page" tabindex="-1">${children}</main>`;
}

/* /invitation/:token without a session: the invitation form, loaded on demand. */
const invitationToken = () => (/^\/invitation\/([A-Za-z0-9_-]+)$/.exec(location.pathname) || [])[1];
function InvitationPage({ token, onSignedIn }) {
  const mod = useResource(() => import('/js/screens/invitation.js').catch(() => { throw new NetworkError(false); }), []);
  if (mod.status === 'error') return html`<${BootPage}><h1>parcours</h1><${LoadError} error=${mod.error} onRetry=${mod.reload} /></${BootPage}>`;
  if (!mod.data) return html`<${BootPage}><${Loading} /></${BootPage}>`;
  return html`<${mod.data.default} token=${token} onSignedIn=${onSignedIn} />`;
}

function SignedIn() {
  const mod = useResource(loadShell, []);
  if (mod.status === 'error') {
    return html`<${BootPage}><h1>parcours</h1>
      <${LoadError} error=${mod.error} onRetry=${mod.reload} /></${BootPage}>`;
  }
  if (!mod.data) return html`<${BootPage}><${Loading} /></${BootPage}>`;
  return html`<${mod.data.Shell} />`;
}

const SESSION_OVER = 'Votre session a pris fin. Veuillez vous reconnecter.';

export function App() {
  // phase: 'starting' | 'unreachable' | 'signed-out' | 'signed-in'
  const [state, setState] = useState({ phase: 'starting', user: null, message: null, error: null });

  const signOut = useCallback((message) => {
    setCsrfToken(null);
    setState({ phase: 'signed-out', user: null, message, error: null });
  }, []);

  const signIn = useCallback((user, csrfToken) => {
    setCsrfToken(csrfToken);
    setState({ phase: 'signed-in', user, message: null, error: null });
  }, []);

  // any 401 (session expired, closed elsewhere, account disabled) → Connexion
  useEffect(() => onSessionLost(() => { announce(SESSION_OVER); signOut(SESSION_OVER); }), [signOut]);

  const start = useCallback(async (signal) => {
    setState((s) => (s.phase === 'starting' ? s : { ...s, phase: 'starting' }));
    try {
      const me = await api('GET', '/api/me', { signal });
      const { csrf_token: csrf, ...user } = me;
      signIn(user, csrf);
    } catch (err) {
      if (isAbort(err)) return;
      if (err instanceof ApiError && err.status === 401) signOut(null);
      else setState({ phase: 'unreachable', user: null, message: null, error: err });
    }
  }, [signIn, signOut]);
  useEffect(() => {
    const ctrl = new AbortController();
    start(ctrl.signal);
    return () => ctrl.abort();
  }, [start]);
  // the server could not be reached: try again as soon as it can be
  useRetryWhenOnline(state.phase === 'unreachable' ? state.error : null, start);

  // while Connexion is shown, fetch the shell so that it is there after login
  const signedOut = state.phase === 'signed-out';
  useEffect(() => {
    if (!signedOut || !navigator.onLine) return undefined;
    const idle = window.requestIdleCallback || ((fn) => setTimeout(fn, 500));
    const cancel = window.cancelIdleCallback || clearTimeout;
    const id = idle(() => loadShell().catch(() => { /* loaded again after login */ }));
    return () => cancel(id);
  }, [signedOut]);

  const session = useMemo(() => ({
    user: state.user,
    updateUser: (user) => setState((s) => ({ ...s, user: { ...s.user, ...user } })),
    signOut,
  }), [state.user, signOut]);

  switch (state.phase) {
    case 'starting':
      return html`<${BootPage}><${Loading} /></${BootPage}>`;
    case 'unreachable':
      return html`<${BootPage}><h1>parcours</h1>
        <${LoadError} error=${state.error} onRetry=${() => start()} /></${BootPage}>`;
    case 'signed-out': {
      const onSignedIn = (s) => { announce(`Connecté : ${s.user.display_name}.`); signIn(s.user, s.csrf_token); };
      const token = invitationToken();
      return token ? html`<${InvitationPage} token=${token} onSignedIn=${onSignedIn} />`
        : html`<${Login} message=${state.message} onSignedIn=${onSignedIn} />`;
    }
    default:
      return html`<${SessionContext.Provider} value=${session}><${SignedIn} /></${SessionContext.Provider}>`;
  }
}
