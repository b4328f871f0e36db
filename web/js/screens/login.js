// Connexion: the only screen shown without a session. Shown at any URL, so
// that after logging in the person lands on the page they asked for.
import { html, useState, useEffect } from '/js/lib/ui.js';
import { api } from '/js/lib/api.js';
import { useSubmit, useValues, requireFields, Field, FormAlert, SubmitButton } from '/js/components/forms.js';
import { OfflineBanner } from '/js/components/feedback.js';

/* message: why we are here (« Vous êtes déconnecté. », session over...).
 * onSignedIn(session): the POST /api/session answer. */
export function Login({ message, onSignedIn }) {
  const { values, bind } = useValues({ login: '', password: '' });
  const [showPassword, setShowPassword] = useState(false);
  const form = useSubmit(['login', 'password']);

  useEffect(() => {
    document.title = 'Connexion — parcours';
    // measured by tests/e2e/web/first-load.test.mjs (time to a usable form)
    performance.mark('parcours:login-form');
  }, []);

  const onSubmit = (ev) => {
    ev.preventDefault();
    // logins are lower case (docs/api.md); phones capitalise the first letter
    const login = values.login.trim().toLowerCase();
    form.submit(async () => {
      const session = await api('POST', '/api/session', { body: { login, password: values.password } });
      onSignedIn(session);
    }, () => requireFields(values, {
      login: 'Indiquez votre identifiant.',
      password: 'Indiquez votre mot de passe.',
    }));
  };

  return html`<main id="contenu" class="login-page" tabindex="-1">
    <${OfflineBanner} />
    <div class="login-card">
      <p class="login-brand"><img src="/favicon.svg" alt="" width="40" height="40" />
        <span><span class="brand-name">parcours</span><br />
        <span class="brand-tagline">Coordination des parcours de santé</span></span></p>
      <h1>Connexion</h1>
      ${message && html`<p class="notice" role="status">${message}</p>`}
      <form ref=${form.formRef} onSubmit=${onSubmit} novalidate aria-busy=${form.busy ? 'true' : 'false'}>
        <${Field} id="connexion-identifiant" label="Identifiant" error=${form.errors.login}
          autocomplete="username" autocapitalize="none" autocorrect="off" spellcheck=${false}
          required ...${bind('login')} />
        <div class="field-with-toggle">
          <${Field} id="connexion-mot-de-passe" label="Mot de passe" error=${form.errors.password}
            type=${showPassword ? 'text' : 'password'} autocomplete="current-password" required
            ...${bind('password')} />
          <button type="button" class="button link toggle-password" aria-pressed=${showPassword ? 'true' : 'false'}
            aria-controls="connexion-mot-de-passe" onClick=${() => setShowPassword((v) => !v)}>
            Afficher le mot de passe</button>
        </div>
        <${FormAlert} message=${form.formError} />
        <${SubmitButton} busy=${form.busy} label="Se connecter" busyLabel="Connexion…" />
      </form>
      <p class="muted small">Mot de passe oublié ? Adressez-vous à l'administrateur de la plateforme
        de votre territoire.</p>
    </div>
  </main>`;
}
