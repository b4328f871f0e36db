// The patient's conversation (GET/POST /api/patients/:id/conversation/
// messages): the circle's chat about this patient, oldest at the top, older
// pages on demand, new ones live (notifications `message` and `mention`,
// whose object is the conversation). What is shown is marked read (POST
// /api/conversations/:id/read) with the notifications about it.
import { html, useState, useEffect, useRef } from '/js/lib/ui.js';
import { api, errorMessage, queryString, ApiError } from '/js/lib/api.js';
import { useResource } from '/js/lib/hooks.js';
import { useSession } from '/js/lib/session.js';
import { onLiveNotification, markReadWhere } from '/js/lib/notifications.js';
import { formatWhen, formatDateTime } from '/js/lib/format.js';
import { FormAlert, SubmitButton } from '/js/components/forms.js';
import { TextArea } from '/js/components/fields.js';
import { Loading, LoadError, announce } from '/js/components/feedback.js';

const PAGE = 30;
const newestFirst = (a, b) => Number(b.id) - Number(a.id);

export default function Conversation({ id }) {
  const { user } = useSession();
  const path = `/api/patients/${encodeURIComponent(id)}/conversation/messages`;
  const first = useResource((signal) => api('GET', path + queryString({ limit: PAGE }), { signal }), [id]);
  const [messages, setMessages] = useState([]); // newest first
  const [next, setNext] = useState(null);
  const [conv, setConv] = useState(null);
  const [older, setOlder] = useState({ busy: false, error: null });
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const readUpTo = useRef(null);
  const endRef = useRef(null);

  useEffect(() => {
    if (first.status !== 'ok') return;
    setMessages(first.data.items);
    setNext(first.data.next_before);
    setConv(first.data.conversation);
    readUpTo.current = first.data.conversation.last_read_id;
  }, [first.data]); // eslint-disable-line react-hooks/exhaustive-deps

  const merge = (items) => setMessages((m) => {
    const known = new Set(m.map((x) => x.id));
    return items.filter((x) => !known.has(x.id)).concat(m).sort(newestFirst);
  });

  // mark what is shown as read, once per newer message
  useEffect(() => {
    if (!conv || !messages.length) return;
    const newest = messages[0];
    if (readUpTo.current && Number(readUpTo.current) >= Number(newest.id)) return;
    readUpTo.current = newest.id;
    api('POST', `/api/conversations/${encodeURIComponent(conv.id)}/read`, { body: { last_read_id: newest.id } }).catch(() => {});
    markReadWhere((n) => (n.kind === 'message' || n.kind === 'mention') && n.object_id === conv.id);
  }, [conv, messages]);

  useEffect(() => onLiveNotification((n) => {
    if ((n.kind !== 'message' && n.kind !== 'mention') || !conv || n.object_id !== conv.id) return;
    api('GET', path + queryString({ limit: PAGE })).then((page) => {
      merge(page.items);
      announce('Nouveau message dans la conversation.');
    }, () => {});
  }), [conv, path]); // eslint-disable-line react-hooks/exhaustive-deps

  const loadOlder = async () => {
    if (older.busy || !next) return;
    setOlder({ busy: true, error: null });
    try {
      const page = await api('GET', path + queryString({ limit: PAGE, before: next }));
      merge(page.items);
      setNext(page.next_before);
      setOlder({ busy: false, error: null });
    } catch (err) { setOlder({ busy: false, error: err }); }
  };

  const send = async (ev) => {
    ev.preventDefault();
    if (busy) return;
    if (!text.trim()) { setError('Écrivez votre message.'); ev.currentTarget.querySelector('textarea').focus(); return; }
    setError('');
    setFormError('');
    setBusy(true);
    try {
      const m = await api('POST', path, { body: { text } });
      readUpTo.current = m.id;
      merge([m]);
      setText('');
      announce('Message envoyé.');
      setTimeout(() => endRef.current && endRef.current.scrollIntoView({ block: 'nearest' }), 0);
    } catch (err) {
      if (err instanceof ApiError && err.field === 'text') setError(err.detail);
      else setFormError(errorMessage(err));
    } finally { setBusy(false); }
  };

  const lastRead = first.data && first.data.conversation.last_read_id;
  const shown = [...messages].reverse();
  const firstUnread = shown.find((m) => m.author.id !== user.id && (!lastRead || Number(m.id) > Number(lastRead)));

  return html`<section aria-labelledby="titre-conversation">
    <h2 id="titre-conversation">Conversation du cercle de soins</h2>
    <p class="hint">Visible par les membres du cercle de soins. Écrivez @identifiant pour alerter une personne.</p>
    ${first.status === 'loading' && !first.data && html`<${Loading} />`}
    ${first.status === 'error' && html`<${LoadError} error=${first.error} onRetry=${first.reload} />`}
    ${first.data && html`
      ${next && html`<p class="more"><button type="button" class="button secondary small" onClick=${loadOlder}
        aria-disabled=${older.busy ? 'true' : undefined}>${older.busy ? 'Chargement…' : 'Messages plus anciens'}</button></p>`}
      ${older.error && html`<${LoadError} error=${older.error} onRetry=${loadOlder} />`}
      ${shown.length === 0 && html`<p class="summary">Aucun message pour le moment. Écrivez le premier.</p>`}
      <ol class="messages" aria-label="Messages, les plus anciens d'abord">${shown.map((m) => html`
        ${m === firstUnread && html`<li class="unread-separator" key="sep"><span>Nouveaux messages</span></li>`}
        <li key=${m.id} class=${'message' + (m.author.id === user.id ? ' mine' : '')} data-message=${m.id}>
          <p class="message-meta"><strong>${m.author.id === user.id ? 'Vous' : m.author.display_name}</strong> · <time datetime=${m.created_at} title=${formatDateTime(m.created_at)}>${formatWhen(m.created_at)}</time></p>
          <p class="message-text">${m.text}</p>
        </li>`)}</ol>
      <div ref=${endRef}></div>
      <form class="composer card" onSubmit=${send} novalidate aria-label="Écrire un message">
        <${TextArea} id="message-texte" label="Votre message" rows="3" maxlength="5000" error=${error} value=${text}
          onInput=${(e) => setText(e.currentTarget.value)} />
        <${FormAlert} message=${formError} />
        <div class="actions"><${SubmitButton} busy=${busy} label="Envoyer" busyLabel="Envoi…" /></div>
      </form>`}
  </section>`;
}
