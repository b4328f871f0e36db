// Administration › Comptes: search (GET /api/admin/users?q=), pages of
// accounts by cursor (« Charger plus », after=), disable / enable (PATCH).
// The search text lives in the URL (?q=), so that back and reload keep it.
import { html, useState, useEffect, useRef } from '/js/lib/ui.js';
import { api, errorMessage, queryString } from '/js/lib/api.js';
import { useLocation, navigate } from '/js/lib/router.js';
import { usePagedList } from '/js/lib/hooks.js';
import { useSession } from '/js/lib/session.js';
import { roleLabel, plural } from '/js/lib/format.js';
import { Loading, LoadError, Notice, useNotice, announce } from '/js/components/feedback.js';
import { AdminNav } from '/js/screens/admin/common.js';

const PAGE_SIZE = 20;
const SEARCH_DELAY_MS = 300;

function AccountItem({ account, isMe, onChanged }) {
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const toggleRef = useRef(null);
  const confirmRef = useRef(null);
  const focusToggle = useRef(false);

  useEffect(() => {
    if (confirming && confirmRef.current) confirmRef.current.focus();
    if (!confirming && focusToggle.current && toggleRef.current) {
      focusToggle.current = false;
      toggleRef.current.focus();
    }
  }, [confirming, account.disabled]);

  const setDisabled = async (disabled) => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      const updated = await api('PATCH', `/api/admin/users/${encodeURIComponent(account.id)}`, { body: { disabled } });
      focusToggle.current = true;
      setConfirming(false);
      onChanged(updated);
      announce(disabled
        ? `Le compte de ${updated.display_name} est désactivé ; ses sessions sont fermées.`
        : `Le compte de ${updated.display_name} est réactivé.`);
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  const cancel = () => { focusToggle.current = true; setConfirming(false); };
  const hidden = (text) => html`<span class="visually-hidden">${text}</span>`;

  return html`<li class="card account-item" data-login=${account.login}>
    <div class="account-main">
      <p class="account-name">${account.display_name}${isMe && html` <span class="muted">(vous)</span>`}</p>
      <p class="account-meta"><span class="mono">${account.login}</span> · ${roleLabel(account.role)} · <span
        class=${account.disabled ? 'badge badge-off' : 'badge badge-on'}>${account.disabled ? 'Désactivé' : 'Actif'}</span></p>
    </div>
    ${confirming ? html`
      <div class="confirm" role="group" aria-label=${`Désactivation du compte de ${account.display_name}`}>
        <p>Désactiver ce compte ? Ses sessions en cours seront fermées.</p>
        <div class="actions">
          <button type="button" class="button danger" ref=${confirmRef} onClick=${() => setDisabled(true)}
            aria-disabled=${busy ? 'true' : undefined}>${busy ? 'Désactivation…' : 'Confirmer la désactivation'}</button>
          <button type="button" class="button secondary" onClick=${cancel}>Annuler</button>
        </div>
      </div>` : html`
      <div class="actions">
        <a class="button link" href=${`/admin/journal${queryString({ utilisateur: account.login })}`}>
          Journal${hidden(` de ${account.display_name}`)}</a>
        ${!isMe && (account.disabled
          ? html`<button type="button" class="button secondary" ref=${toggleRef} onClick=${() => setDisabled(false)}
              aria-disabled=${busy ? 'true' : undefined}>Réactiver${hidden(` le compte de ${account.display_name}`)}</button>`
          : html`<button type="button" class="button secondary" ref=${toggleRef} onClick=${() => setConfirming(true)}>
              Désactiver${hidden(` le compte de ${account.display_name}`)}</button>`)}
      </div>`}
    ${error && html`<p class="form-alert" role="alert">${error}</p>`}
  </li>`;
}

export default function Users() {
  const { user: me } = useSession();
  const loc = useLocation();
  const q = loc.query.get('q') || '';
  const [text, setText] = useState(q);
  const pushed = useRef(q);
  const notice = useNotice();

  // the URL changed by itself (back, link): show its search text
  useEffect(() => { if (q !== pushed.current) { pushed.current = q; setText(q); } }, [q]);
  // typing searches after a pause, without a history entry per key
  const search = (value) => {
    pushed.current = value;
    navigate('/admin/comptes' + queryString({ q: value }), { replace: true });
  };
  useEffect(() => {
    const wanted = text.trim();
    if (wanted === q) return undefined;
    const timer = setTimeout(() => search(wanted), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text]); // eslint-disable-line react-hooks/exhaustive-deps

  const list = usePagedList(
    (after, signal) => api('GET', '/api/admin/users' + queryString({ q, limit: PAGE_SIZE, after }), { signal })
      .then((page) => ({ items: page.items, next: page.next_after })),
    [q],
  );

  let summary = '';
  if (list.status === 'ok') {
    summary = list.items.length === 0
      ? (q ? `Aucun compte ne correspond à « ${q} ».` : 'Aucun compte.')
      : plural(list.items.length, 'compte affiché', 'comptes affichés') + (list.hasMore ? ', d\'autres suivent' : '');
  }

  return html`
    <${AdminNav} />
    <div class="section-head">
      <h2>Comptes</h2>
      <a class="button" href="/admin/comptes/nouveau">Créer un compte</a>
    </div>
    <${Notice}>${notice}</${Notice}>
    <form class="search" role="search" onSubmit=${(ev) => { ev.preventDefault(); search(text.trim()); }}>
      <label for="recherche-comptes">Rechercher un compte (nom ou identifiant)</label>
      <div class="search-row">
        <input id="recherche-comptes" type="search" name="q" value=${text} autocomplete="off"
          autocapitalize="none" spellcheck=${false} onInput=${(ev) => setText(ev.currentTarget.value)} />
        <button type="submit" class="button secondary">Rechercher</button>
      </div>
    </form>
    <p class="summary" role="status">${summary}</p>
    ${list.status === 'error' && html`<${LoadError} error=${list.error} onRetry=${list.reload} />`}
    ${list.status === 'loading' && html`<${Loading} />`}
    <ul class="cards" aria-label="Comptes" aria-busy=${list.status === 'loading' ? 'true' : 'false'}>
      ${list.items.map((a) => html`<${AccountItem} key=${a.id} account=${a} isMe=${a.id === me.id}
        onChanged=${(updated) => list.replaceItem((x) => x.id === updated.id, updated)} />`)}
    </ul>
    ${list.moreError && html`<${LoadError} error=${list.moreError} onRetry=${list.loadMore} />`}
    ${list.status === 'ok' && list.hasMore && html`<p class="more">
      <button type="button" class="button secondary" onClick=${list.loadMore}
        aria-disabled=${list.loadingMore ? 'true' : undefined}>
        ${list.loadingMore ? 'Chargement…' : 'Charger plus'}</button></p>`}`;
}
