// parcours web application (first screen): sign in, see who you are, sign out.
// The session lives in the HttpOnly cookie; the CSRF token is kept in memory
// only and sent on every write.
const main = document.getElementById('main');
const who = document.getElementById('who');
let csrf = null;

function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v);
  }
  for (const c of children) e.append(c); // text is inserted as text, never as HTML
  return e;
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
                                  credentials: 'same-origin' });
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  return { status: res.status, data };
}

function showLogin(message) {
  who.textContent = '';
  const error = el('p', { class: 'error', role: 'alert', id: 'login-error' }, message || '');
  const form = el('form', { 'aria-labelledby': 'login-title' },
    el('h1', { id: 'login-title' }, 'Connexion'),
    el('label', {}, 'Identifiant', el('input', { name: 'login', autocomplete: 'username', required: '' })),
    el('label', {}, 'Mot de passe',
       el('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: '' })),
    error,
    el('button', { type: 'submit' }, 'Se connecter'));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    error.textContent = '';
    const f = new FormData(form);
    try {
      const r = await api('POST', '/api/session', { login: f.get('login'), password: f.get('password') });
      if (r.status === 200) { csrf = r.data.csrf_token; showHome(r.data.user); }
      else error.textContent = (r.data && r.data.detail) || 'Connexion impossible.';
    } catch {
      error.textContent = 'Le serveur est injoignable. Vérifiez votre connexion et réessayez.';
    }
  });
  main.replaceChildren(form);
  form.querySelector('input').focus();
}

function showHome(user) {
  who.textContent = user.display_name;
  const logout = el('button', { type: 'button', class: 'secondary' }, 'Se déconnecter');
  logout.addEventListener('click', async () => {
    await api('DELETE', '/api/session');
    csrf = null;
    showLogin('Vous êtes déconnecté.');
  });
  main.replaceChildren(
    el('h1', {}, `Bonjour ${user.display_name}`),
    el('p', { class: 'muted' }, `Connecté en tant que ${user.login} (${user.role}).`),
    logout);
}

async function start() {
  try {
    const r = await api('GET', '/api/me');
    if (r.status === 200) { csrf = r.data.csrf_token; showHome(r.data); }
    else showLogin();
  } catch {
    main.replaceChildren(el('p', { class: 'error', role: 'alert' },
      'Le serveur est injoignable. Vérifiez votre connexion puis rechargez la page.'));
  }
}

start();
