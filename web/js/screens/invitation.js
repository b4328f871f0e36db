// /invitation/:token, without a session: a professional invited into a care
// circle chooses a login and a password (POST /api/invitations/accept), then
// is signed in; the account is already a member of the circle(s) it was
// invited to. The token leaves the address bar once used.
import { html } from '/js/lib/ui.js';
import { api } from '/js/lib/api.js';
import { useSubmit, useValues, requireFields, Field, FormAlert, SubmitButton } from '/js/components/forms.js';
import { OfflineBanner } from '/js/components/feedback.js';

export default function Invitation({ token, onSignedIn }) {
  const { values, bind } = useValues({ login: '', password: '', confirmation: '' });
  const form = useSubmit(['login', 'password', 'token']);
  const onSubmit = (ev) => {
    ev.preventDefault();
    const login = values.login.trim().toLowerCase();
    form.submit(async () => {
      await api('POST', '/api/invitations/accept', { body: { token, login, password: values.password } });
      const session = await api('POST', '/api/session', { body: { login, password: values.password } });
      history.replaceState(null, '', '/patients');
      onSignedIn(session);
    }, () => {
      const e = requireFields(values, {
        login: 'Choisissez un identifiant.', password: 'Choisissez un mot de passe.', confirmation: 'Saisissez à nouveau le mot de passe.',
      });
      if (!e.password && !e.confirmation && values.password !== values.confirmation) e.confirmation = 'Les deux saisies sont différentes.';
      return e;
    });
  };
  return html`<main id="contenu" class="login-page" tabindex="-1">
    <${OfflineBanner} />
    <div class="login-card">
      <p class="login-brand"><img src="/favicon.svg" alt="" width="40" height="40" />
        <span><span class="brand-name">parcours</span><br />
        <span class="brand-tagline">Coordination des parcours de santé</span></span></p>
      <h1>Rejoindre un cercle de soins</h1>
      <p>Un confrère vous a invité à coordonner la prise en charge d'un patient. Créez votre compte : vous rejoindrez
        son cercle de soins.</p>
      ${form.errors.token && html`<p class="form-alert" role="alert">${form.errors.token}</p>`}
      <form ref=${form.formRef} onSubmit=${onSubmit} novalidate>
        <${Field} id="invitation-identifiant" label="Identifiant" autocomplete="username" autocapitalize="none"
          spellcheck=${false} hint="3 à 64 caractères : minuscules, chiffres et . _ - @" error=${form.errors.login} ...${bind('login')} />
        <${Field} id="invitation-mot-de-passe" label="Mot de passe" type="password" autocomplete="new-password"
          hint="10 caractères au moins." error=${form.errors.password} ...${bind('password')} />
        <${Field} id="invitation-confirmation" label="Confirmation du mot de passe" type="password" autocomplete="new-password"
          error=${form.errors.confirmation} ...${bind('confirmation')} />
        <${FormAlert} message=${form.formError} />
        <${SubmitButton} busy=${form.busy} label="Créer mon compte" busyLabel="Création…" />
      </form>
      <p class="muted small">Vous avez déjà un compte ? <a href="/">Connectez-vous</a> et demandez à votre confrère de
        vous ajouter avec votre numéro de compte.</p>
    </div>
  </main>`;
}
