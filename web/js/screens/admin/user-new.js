// Administration › Nouveau compte (POST /api/admin/users). The server checks
// everything; its problems come back next to the field they name.
import { html } from '/js/lib/ui.js';
import { api, queryString } from '/js/lib/api.js';
import { navigate } from '/js/lib/router.js';
import { ROLES } from '/js/lib/format.js';
import { useSubmit, useValues, requireFields, Field, SelectField, FormAlert, SubmitButton } from '/js/components/forms.js';
import { setNotice } from '/js/components/feedback.js';
import { AdminNav } from '/js/screens/admin/common.js';

export default function UserNew() {
  const { values, bind } = useValues({ display_name: '', login: '', role: 'professional', password: '' });
  const form = useSubmit(['display_name', 'login', 'role', 'password']);

  const onSubmit = (ev) => {
    ev.preventDefault();
    form.submit(async () => {
      const created = await api('POST', '/api/admin/users', {
        body: {
          display_name: values.display_name.trim(),
          login: values.login.trim().toLowerCase(), // logins are lower case (docs/api.md)
          role: values.role,
          password: values.password,
        },
      });
      setNotice(`Compte de ${created.display_name} créé, identifiant « ${created.login} ».`);
      navigate('/admin/comptes' + queryString({ q: created.login }));
    }, () => requireFields(values, {
      display_name: 'Indiquez le nom de la personne.',
      login: 'Choisissez un identifiant.',
      password: 'Choisissez un mot de passe initial.',
    }));
  };

  return html`
    <${AdminNav} />
    <h2>Nouveau compte</h2>
    <form class="card" ref=${form.formRef} onSubmit=${onSubmit} novalidate>
      <${Field} id="compte-nom" label="Nom affiché" autocomplete="off" required
        hint="Tel que les autres le verront, par exemple « Dr Claire Martin (médecin généraliste) »."
        error=${form.errors.display_name} ...${bind('display_name')} />
      <${Field} id="compte-identifiant" label="Identifiant" autocomplete="off" autocapitalize="none"
        spellcheck=${false} required hint="3 à 64 caractères : minuscules, chiffres et . _ - @"
        error=${form.errors.login} ...${bind('login')} />
      <${SelectField} id="compte-role" label="Rôle" options=${ROLES} error=${form.errors.role} ...${bind('role')} />
      <${Field} id="compte-mot-de-passe" label="Mot de passe initial" type="password" autocomplete="new-password"
        required hint="10 caractères au moins. À transmettre à la personne, qui le changera dans « Mon compte »."
        error=${form.errors.password} ...${bind('password')} />
      <${FormAlert} message=${form.formError} />
      <div class="actions">
        <${SubmitButton} busy=${form.busy} label="Créer le compte" busyLabel="Création…" />
        <a class="button link" href="/admin/comptes">Annuler</a>
      </div>
    </form>`;
}
