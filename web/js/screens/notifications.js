// Notifications: my feed (GET /api/notifications, newest first, « Charger
// plus »), mark one or all read, new ones on top as they arrive on the live
// stream (lib/notifications.js). Each leads to what it is about; the
// patient's name comes from GET /api/me/patients (one call, not one per line).
import { html, useState, useEffect, useMemo } from '/js/lib/ui.js';
import { api, errorMessage, queryString } from '/js/lib/api.js';
import { usePagedList, useResource } from '/js/lib/hooks.js';
import { useUnread, onLiveNotification, markRead, markAllRead } from '/js/lib/notifications.js';
import { formatWhen, formatDateTime, patientName } from '/js/lib/format.js';
import { Loading, LoadError, announce } from '/js/components/feedback.js';
import { notificationHref, notificationBody } from '/js/components/patient.js';

const KINDS = {
  'note.new': 'Note', 'note.reply': 'Réponse', 'circle.added': 'Cercle de soins', 'circle.removed': 'Cercle de soins',
  mention: 'Mention', message: 'Message', break_glass: 'Bris de glace',
};


function Item({ n, patient, onRead }) {
  const [error, setError] = useState('');
  const unread = !n.read_at;
  const read = async () => {
    setError('');
    try { await onRead(n); } catch (err) { setError(errorMessage(err)); }
  };
  return html`<li class=${'card notification' + (unread ? ' unread' : '') + (n.urgent ? ' urgent' : '')} data-notification=${n.id}>
    <p class="note-meta">${unread && html`<span class="badge badge-unread">Non lue</span> `}
      ${n.urgent && html`<span class="badge badge-urgent">Urgent</span> `}
      <span class="muted small">${KINDS[n.kind] || n.kind} · <time datetime=${n.created_at} title=${formatDateTime(n.created_at)}>${formatWhen(n.created_at)}</time></span></p>
    <p class="notification-title"><a class="card-link" href=${notificationHref(n)} onClick=${() => { if (unread) onRead(n).catch(() => {}); }}>${n.title}</a></p>
    ${patient && html`<p class="small">Patient : ${patientName(patient)}</p>`}
    ${n.body && html`<p class="notification-body clamp">${notificationBody(n)}</p>`}
    ${unread && html`<p class="on-top"><button type="button" class="button link small" onClick=${read}>Marquer comme lue<span
      class="visually-hidden"> : ${n.title}</span></button></p>`}
    ${error && html`<p class="form-alert" role="alert">${error}</p>`}
  </li>`;
}

export default function Notifications() {
  const [onlyUnread, setOnlyUnread] = useState(false);
  const { count } = useUnread();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const list = usePagedList(
    (before, signal) => api('GET', '/api/notifications' + queryString({ limit: 30, before, unread: onlyUnread ? 1 : '' }), { signal })
      .then((p) => ({ items: p.items, next: p.next_before })),
    [onlyUnread],
  );
  const patients = useResource((signal) => api('GET', '/api/me/patients?limit=500', { signal }).catch(() => ({ items: [] })), []);
  const byId = useMemo(() => new Map(((patients.data && patients.data.items) || []).map((p) => [p.id, p])), [patients.data]);
  useEffect(() => onLiveNotification((n) => list.prepend([n])), []); // eslint-disable-line react-hooks/exhaustive-deps

  const readOne = async (n) => {
    await markRead(n.id);
    list.replaceItem((x) => x.id === n.id, { ...n, read_at: new Date().toISOString() });
    announce('Notification marquée comme lue.');
  };
  const readAll = async () => {
    if (busy) return;
    setBusy(true);
    setError('');
    try {
      await markAllRead();
      const now = new Date().toISOString();
      for (const n of list.items) if (!n.read_at) list.replaceItem((x) => x.id === n.id, { ...n, read_at: now });
      announce('Toutes les notifications sont marquées comme lues.');
    } catch (err) { setError(errorMessage(err)); } finally { setBusy(false); }
  };

  return html`
    <div class="section-head">
      <p class="summary" role="status">${count === 0 ? 'Aucune notification non lue.' : `${count} non lue${count > 1 ? 's' : ''}.`}</p>
      ${count > 0 && html`<button type="button" class="button secondary small" onClick=${readAll}
        aria-disabled=${busy ? 'true' : undefined}>${busy ? 'Enregistrement…' : 'Tout marquer comme lu'}</button>`}
    </div>
    ${error && html`<p class="form-alert" role="alert">${error}</p>`}
    <div class="field checkbox"><label for="notif-non-lues"><input type="checkbox" id="notif-non-lues" checked=${onlyUnread}
      onChange=${(e) => setOnlyUnread(e.currentTarget.checked)} /><span>Non lues seulement</span></label></div>
    ${list.status === 'error' && html`<${LoadError} error=${list.error} onRetry=${list.reload} />`}
    ${list.status === 'loading' && html`<${Loading} />`}
    ${list.status === 'ok' && list.items.length === 0 && html`<p class="summary">${onlyUnread ? 'Tout est lu.' : 'Aucune notification pour le moment.'}</p>`}
    <ul class="cards" aria-label="Notifications, les plus récentes d'abord">
      ${list.items.map((n) => html`<${Item} key=${n.id} n=${n} patient=${byId.get(n.patient_id)} onRead=${readOne} />`)}
    </ul>
    ${list.moreError && html`<${LoadError} error=${list.moreError} onRetry=${list.loadMore} />`}
    ${list.status === 'ok' && list.hasMore && html`<p class="more"><button type="button" class="button secondary"
      onClick=${list.loadMore} aria-disabled=${list.loadingMore ? 'true' : undefined}>${list.loadingMore ? 'Chargement…' : 'Charger plus'}</button></p>`}`;
}
