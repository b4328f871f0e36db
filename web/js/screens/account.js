// Mon compte: who I am (refreshed from GET /api/me, which also notices a
// session that ended meanwhile), change my password (PUT /api/me/password),
// log out (DELETE /api/session).
import { html, useState, useEffect } from '/js/lib/ui.js';
import { api, isAbort, errorMessage, ApiError } from '/js/lib/api.js';
import { navigate } from '/js/lib/router.js';
import { useSession, isAdmin } from '/js/lib/session.js';
import { roleLabel } from '/js/lib/format.js';
import { useSubmit, useValues, requireFields, Field, FormAlert, SubmitButton } from '/js/components/forms.js';
import { announce } from '/js/components/feedback.js';

function PasswordForm() {
  const empty = { current_password: '', new_password: '', confirmation: '' };
  const { values, setValues, bind } = useValues(empty);
  const [done, setDone] = useState(false);
  const form = useSubmit(['current_password', 'new_password']);

  const onSubmit = (ev) => {
    ev.preventDefault();
    setDone(false);
    form.submit(async () => {
      await api('PUT', '/api/me/password', {
        body: { current_password: values.current_password, new_password: values.new_password },
      });
      setValues(empty);
      setDone(true);
      announce('Votre mot de passe a été modifié.');
    }, () => {
      const errors = requireFields(values, {
        current_password: 'Indiquez votre mot de passe actuel.',
        new_password: 'Choisissez un nouveau mot de passe.',
        confirmation: 'Saisissez à nouveau le nouveau mot de passe.',
      });
      if (!errors.confirmation && !errors.new_password && values.confirmation !== values.new_password)
        errors.confirmation = 'Les deux saisies du nouveau mot de passe sont différentes.';
      return errors;
    });
  };

  return html`<section class="card" aria-labelledby="titre-mot-de-passe">
    <h2 id="titre-mot-de-passe">Changer de mot de passe</h2>
    <form ref=${form.formRef} onSubmit=${onSubmit} novalidate>
      <${Field} id="mdp-actuel" label="Mot de passe actuel" type="password" autocomplete="current-password"
        required error=${form.errors.current_password} ...${bind('current_password')} />
      <${Field} id="mdp-nouveau" label="Nouveau mot de passe" type="password" autocomplete="new-password"
        required hint="10 caractères au moins. Une phrase de plusieurs mots est facile à retenir."
        error=${form.errors.new_password} ...${bind('new_password')} />
      <${Field} id="mdp-confirmation" label="Confirmation du nouveau mot de passe" type="password"
        autocomplete="new-password" required error=${form.errors.confirmation} ...${bind('confirmation')} />
      <${FormAlert} message=${form.formError} />
      ${done && html`<p class="notice" role="status">Votre mot de passe a été modifié.</p>`}
      <${SubmitButton} busy=${form.busy} label="Enregistrer le mot de passe" busyLabel="Enregistrement…" />
    </form>
  </section>`;
}

function LogoutButton() {
  const { signOut } = useSession();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const logout = async () => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await api('DELETE', '/api/session');
      // on a shared phone, the next person starts from the home page
      navigate('/', { replace: true, focus: false });
      announce('Vous êtes déconnecté.');
      signOut('Vous êtes déconnecté.');
    } catch (err) {
      // a 401 means the session was already over: the app is back on Connexion
      if (!(err instanceof ApiError && err.status === 401)) {
        setBusy(false);
        setError(`Déconnexion impossible : ${errorMessage(err)}`);
      }
    }
  };
  return html`<div>
    <button type="button" class="button secondary" onClick=${logout} aria-disabled=${busy ? 'true' : undefined}>
      ${busy ? 'Déconnexion…' : 'Se déconnecter'}</button>
    <div role="alert">${error && html`<p class="form-alert">${error}</p>`}</div>
  </div>`;
}

export function Account() {
  const { user, updateUser } = useSession();

  // refresh: the name or role may have changed, and a dead session shows here
  useEffect(() => {
    const ctrl = new AbortController();
    api('GET', '/api/me', { signal: ctrl.signal }).then(
      ({ csrf_token: _csrf, ...me }) => updateUser(me),
      (err) => { if (!isAbort(err)) { /* offline: the banner says so; the page shows what we know */ } },
    );
    return () => ctrl.abort();
  }, []); // eslint-disable-line react-hooks/exhaustive-deps

  return html`
    <section class="card" aria-labelledby="titre-identite">
      <h2 id="titre-identite">Mes informations</h2>
      <dl class="facts">
        <div><dt>Nom</dt><dd>${user.display_name}</dd></div>
        <div><dt>Identifiant</dt><dd>${user.login}</dd></div>
        <div><dt>Rôle</dt><dd>${roleLabel(user.role)}</dd></div>
        ${!isAdmin(user) && html`<div><dt>Numéro de compte parcours</dt><dd><span class="mono">${user.id}</span>
          <p class="hint">À communiquer à un confrère pour qu'il vous ajoute au cercle de soins d'un patient.</p></dd></div>`}
      </dl>
      ${isAdmin(user) && html`<p><a href="/admin/comptes">Administration : comptes et journal d'audit</a></p>`}
    </section>
    <${PasswordForm} />
    <section class="card" aria-labelledby="titre-session">
      <h2 id="titre-session">Session</h2>
      <p class="muted">Sur un appareil partagé, déconnectez-vous après usage.</p>
      <${LogoutButton} />
    </section>`;
}
