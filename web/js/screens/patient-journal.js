// Journal (cahier de liaison): the notes, newest first, page by page
// (« Charger plus », before=), filtered by type and urgency (in the URL);
// a new note with its type, urgency, visibility and a photo from the phone's
// camera (uploaded as raw bytes after the note); replies; correction and
// deletion by the author. A note shown on screen is marked read (POST
// .../read) with the notifications about it. New notes from others arrive
// live (lib/notifications.js) or when the page is shown again.
import { html, useState, useEffect, useRef } from '/js/lib/ui.js';
import { api, errorMessage, queryString, ApiError } from '/js/lib/api.js';
import { useLocation, navigate } from '/js/lib/router.js';
import { usePagedList } from '/js/lib/hooks.js';
import { useSession } from '/js/lib/session.js';
import { onLiveNotification, markReadWhere } from '/js/lib/notifications.js';
import { NOTE_TYPES, noteTypeLabel, formatWhen, formatDateTime } from '/js/lib/format.js';
import { SelectField, FormAlert, SubmitButton } from '/js/components/forms.js';
import { Checkbox, TextArea } from '/js/components/fields.js';
import { Loading, LoadError, announce } from '/js/components/feedback.js';

const PAGE = 20;
const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp'];
const PHOTO_MAX_BYTES = 1.5 * 1024 * 1024; // larger photos are scaled down before sending
const PHOTO_MAX_SIDE = 2048;

const notesPath = (id) => `/api/patients/${encodeURIComponent(id)}/notes`;

/* A photo ready to send: as chosen when small and of an accepted type, else
 * scaled down and re-encoded as JPEG (a phone's photo is several MB). */
async function preparePhoto(file) {
  if (PHOTO_TYPES.includes(file.type) && file.size <= PHOTO_MAX_BYTES) return file;
  let bitmap;
  try { bitmap = await createImageBitmap(file); } catch {
    throw new Error('Cette image ne peut pas être lue : choisissez une photo JPEG, PNG ou WebP.');
  }
  const scale = Math.min(1, PHOTO_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, 'image/jpeg', 0.85));
  if (!blob) throw new Error("La photo n'a pas pu être préparée.");
  return new File([blob], (file.name || 'photo').replace(/\.[^.]*$/, '') + '.jpg', { type: 'image/jpeg' });
}

/* An object URL of a blob for as long as the component lives. */
function useObjectUrl(blob) {
  const [url, setUrl] = useState(null);
  useEffect(() => {
    if (!blob) { setUrl(null); return undefined; }
    const u = URL.createObjectURL(blob);
    setUrl(u);
    return () => URL.revokeObjectURL(u);
  }, [blob]);
  return url;
}

/* An attachment: fetched with the session's cookie into a blob (the page's
 * CSP allows blob: images); a photo as a thumbnail that opens full size. */
function Attachment({ att }) {
  const [blob, setBlob] = useState(null);
  const [error, setError] = useState(null);
  const [attempt, setAttempt] = useState(0);
  const image = att.content_type.startsWith('image/');
  useEffect(() => {
    if (!image) return undefined;
    const ctrl = new AbortController();
    setError(null);
    api('GET', att.url, { blob: true, signal: ctrl.signal }).then(setBlob, (e) => { if (e.name !== 'AbortError') setError(e); });
    return () => ctrl.abort();
  }, [att.url, attempt]); // eslint-disable-line react-hooks/exhaustive-deps
  const url = useObjectUrl(blob);
  const size = att.size > 1024 * 1024 ? `${(att.size / 1048576).toFixed(1)} Mo` : `${Math.max(1, Math.round(att.size / 1024))} Ko`;
  if (!image) {
    const download = async () => {
      try {
        const b = await api('GET', att.url, { blob: true });
        const a = document.createElement('a');
        a.href = URL.createObjectURL(b);
        a.download = att.filename || 'document.pdf';
        a.click();
        setTimeout(() => URL.revokeObjectURL(a.href), 60000);
      } catch (e) { setError(e); }
    };
    return html`<li><button type="button" class="button secondary small" onClick=${download}>
      Télécharger ${att.filename || 'le document'} (PDF, ${size})</button>
      ${error && html`<p class="form-alert" role="alert">${errorMessage(error)}</p>`}</li>`;
  }
  return html`<li class="thumb">${url
    ? html`<a href=${url} target="_blank" rel="noopener"><img src=${url} alt=${`Photo jointe ${att.filename || ''}`.trim()}
        width="96" height="96" /><span class="visually-hidden"> (ouvrir en grand)</span></a>`
    : error ? html`<button type="button" class="button link small" onClick=${() => setAttempt((n) => n + 1)}>Photo non chargée :
        réessayer</button>`
      : html`<span class="thumb-loading" role="img" aria-label="Chargement de la photo…"></span>`}</li>`;
}

/* A note's form: a new note, or a reply (replyTo). onPosted(note). */
function NoteForm({ id, replyTo, onPosted, onCancel, autoFocus }) {
  const [values, setValues] = useState({ type: 'GEN', text: '', urgent: false, professionals: false });
  const [photo, setPhoto] = useState(null);
  const [pending, setPending] = useState(null); // a posted note whose photo did not go
  const [errors, setErrors] = useState({});
  const [formError, setFormError] = useState('');
  const [busy, setBusy] = useState(false);
  const textRef = useRef(null);
  const preview = useObjectUrl(photo);
  const prefix = replyTo ? `reponse-${replyTo.id}` : 'note';
  useEffect(() => { if (autoFocus && textRef.current) textRef.current.querySelector('textarea').focus(); }, []); // eslint-disable-line

  const upload = async (note) => {
    const file = await preparePhoto(photo);
    const att = await api('POST', `${notesPath(id)}/${encodeURIComponent(note.id)}/attachments${queryString({ filename: file.name || 'photo' })}`, { file });
    return { ...note, attachments: [...(note.attachments || []), { ...att, url: `${notesPath(id)}/${note.id}/attachments/${att.id}` }] };
  };

  const submit = async (ev) => {
    ev.preventDefault();
    if (busy) return;
    if (!pending && !values.text.trim()) {
      setErrors({ text: photo ? 'Décrivez la photo en quelques mots.' : 'Écrivez le texte de la note.' });
      textRef.current.querySelector('textarea').focus();
      return;
    }
    setErrors({});
    setFormError('');
    setBusy(true);
    let note = pending;
    try {
      if (!note) {
        note = await api('POST', notesPath(id), {
          body: {
            type: values.type, text: values.text, urgent: values.urgent,
            visibility: values.professionals ? 'professionals' : 'all', ...(replyTo ? { reply_to: replyTo.id } : {}),
          },
        });
      }
      if (photo) {
        try { note = await upload(note); } catch (err) {
          setPending(note);
          onPosted(note);
          setFormError(`La note est publiée, mais la photo n'a pas été envoyée : ${err instanceof ApiError || err.name === 'NetworkError' ? errorMessage(err) : err.message} Réessayez l'envoi ou retirez la photo.`);
          return;
        }
      }
      setPending(null);
      setPhoto(null);
      setValues({ type: 'GEN', text: '', urgent: false, professionals: false });
      onPosted(note, true);
      announce(replyTo ? 'Réponse publiée.' : 'Note publiée.');
    } catch (err) {
      if (err instanceof ApiError && err.field === 'text') setErrors({ text: err.detail });
      else setFormError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  return html`<form class=${'note-form' + (replyTo ? ' reply-form' : ' card')} onSubmit=${submit} novalidate
    aria-label=${replyTo ? `Répondre à la note de ${replyTo.author.display_name}` : 'Nouvelle note'}>
    ${!replyTo && html`<${SelectField} id=${`${prefix}-type`} label="Type de note" options=${NOTE_TYPES} value=${values.type}
      onInput=${(e) => { const v = e.currentTarget.value; setValues((s) => ({ ...s, type: v })); }} />`}
    <div ref=${textRef}><${TextArea} id=${`${prefix}-texte`} label=${replyTo ? 'Votre réponse' : 'Texte de la note'} rows="4"
      error=${errors.text} value=${values.text} disabled=${Boolean(pending)}
      onInput=${(e) => { const v = e.currentTarget.value; setValues((s) => ({ ...s, text: v })); }} /></div>
    <${Checkbox} id=${`${prefix}-urgent`} label="Urgent : le cercle de soins est alerté" checked=${values.urgent}
      onChange=${(v) => setValues((s) => ({ ...s, urgent: v }))} />
    <${Checkbox} id=${`${prefix}-pro`} label="Visible par les professionnels seulement (pas par le patient ni ses proches)"
      checked=${values.professionals} onChange=${(v) => setValues((s) => ({ ...s, professionals: v }))} />
    <div class="photo-field">
      <input type="file" id=${`${prefix}-photo`} class="file-input" accept="image/*" capture="environment"
        onChange=${(e) => { const f = e.currentTarget.files && e.currentTarget.files[0]; if (f) setPhoto(f); e.currentTarget.value = ''; }} />
      <label for=${`${prefix}-photo`} class="button secondary small">${photo ? 'Changer la photo' : 'Ajouter une photo'}</label>
      ${preview && html`<div class="photo-preview"><img src=${preview} alt="Aperçu de la photo à envoyer" width="72" height="72" />
        <button type="button" class="button link small" onClick=${() => { setPhoto(null); setPending(null); }}>Retirer la photo</button></div>`}
    </div>
    <${FormAlert} message=${formError} />
    <div class="actions">
      <${SubmitButton} busy=${busy} label=${pending ? "Réessayer l'envoi de la photo" : replyTo ? 'Répondre' : 'Publier la note'}
        busyLabel="Envoi…" />
      ${onCancel && html`<button type="button" class="button link" onClick=${onCancel}>Annuler</button>`}
    </div>
  </form>`;
}

const readSent = new Set(); // "user:note" marked read since the page was loaded (a shared phone: per user)

/* Marks a note read once it is on screen (half of it, for a moment). */
function useMarkRead(ref, note, mine, userId) {
  const key = `${userId}:${note.id}`;
  useEffect(() => {
    if (mine || note.deleted || readSent.has(key) || !ref.current || !('IntersectionObserver' in window)) return undefined;
    const obs = new IntersectionObserver((entries) => {
      if (!entries.some((e) => e.isIntersecting)) return;
      obs.disconnect();
      readSent.add(key);
      api('POST', `${notesPath(note.patient_id)}/${encodeURIComponent(note.id)}/read`).catch(() => readSent.delete(key));
      markReadWhere((n) => (n.kind === 'note.new' || n.kind === 'note.reply') && n.object_id === note.id);
    }, { threshold: 0.5 });
    obs.observe(ref.current);
    return () => obs.disconnect();
  }, [note.id, mine]); // eslint-disable-line react-hooks/exhaustive-deps
}

function Note({ note: n, id, parent, fresh, onChanged, onPosted }) {
  const { user } = useSession();
  const mine = n.author.id === user.id;
  const ref = useRef(null);
  const [mode, setMode] = useState(null); // 'reply' | 'edit' | 'delete'
  const [text, setText] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);
  useMarkRead(ref, n, mine, user.id);
  const act = async (fn) => {
    if (busy) return;
    setBusy(true);
    setError('');
    try { await fn(); setMode(null); } catch (err) { setError(errorMessage(err)); } finally { setBusy(false); }
  };
  const save = (ev) => {
    ev.preventDefault();
    if (!text.trim()) { setError('Le texte ne peut pas être vide.'); return; }
    act(async () => {
      const updated = await api('PATCH', `${notesPath(id)}/${encodeURIComponent(n.id)}`, { body: { text, version: n.version } });
      onChanged({ ...n, ...updated, attachments: n.attachments, read_count: n.read_count });
      announce('Note corrigée.');
    });
  };
  const remove = () => act(async () => {
    await api('DELETE', `${notesPath(id)}/${encodeURIComponent(n.id)}`);
    onChanged({ ...n, deleted: true, text: null, attachments: [] });
    announce('Note supprimée.');
  });
  const who = n.author.display_name;
  return html`<li class=${'note card' + (n.urgent ? ' urgent' : '') + (fresh ? ' fresh' : '')} ref=${ref} data-note=${n.id}>
    <p class="note-meta">
      <span class="badge badge-type">${noteTypeLabel(n.type)}</span>
      ${n.urgent && html` <span class="badge badge-urgent">Urgent</span>`}
      ${n.visibility === 'professionals' && html` <span class="badge">Professionnels</span>`}
      ${fresh && html` <span class="badge badge-new">Nouveau</span>`}
    </p>
    <p class="note-author"><strong>${who}</strong> · <time datetime=${n.created_at} title=${formatDateTime(n.created_at)}>${formatWhen(n.created_at)}</time>
      ${n.corrected && !n.deleted && html` · <span class="muted">corrigée</span>`}</p>
    ${n.reply_to && html`<p class="note-parent">${parent
      ? html`En réponse à ${parent.author.display_name}${parent.text ? html` : « <span class="clamp-1">${parent.text}</span> »` : ''}`
      : 'En réponse à une note plus ancienne'}</p>`}
    ${n.deleted ? html`<p class="muted note-deleted">Note supprimée par son auteur.</p>`
      : mode === 'edit' ? html`<form class="edit-form" onSubmit=${save} novalidate>
          <${TextArea} id=${`correction-${n.id}`} label="Texte corrigé" rows="4" value=${text} error=${error}
            onInput=${(e) => setText(e.currentTarget.value)} hint="Le texte précédent reste consultable dans l'historique." />
          <div class="actions"><${SubmitButton} busy=${busy} label="Enregistrer la correction" busyLabel="Enregistrement…" />
            <button type="button" class="button link" onClick=${() => { setMode(null); setError(''); }}>Annuler</button></div>
        </form>`
      : html`<p class="note-text">${n.text}</p>`}
    ${!n.deleted && n.attachments && n.attachments.length > 0 && html`<ul class="attachments" aria-label="Pièces jointes">
      ${n.attachments.map((a) => html`<${Attachment} key=${a.id} att=${a} />`)}</ul>`}
    ${!n.deleted && mode !== 'edit' && html`<div class="note-actions">
      ${/* read_count counts the author */ (n.read_count > 1 || mine) && html`<span class="muted small">${n.read_count > 1
        ? `Lue par ${n.read_count - 1} autre${n.read_count > 2 ? 's' : ''} membre${n.read_count > 2 ? 's' : ''}` : 'Pas encore lue par les autres'}</span>`}
      <button type="button" class="button link small" onClick=${() => setMode(mode === 'reply' ? null : 'reply')}
        aria-expanded=${mode === 'reply' ? 'true' : 'false'}>Répondre<span class="visually-hidden"> à ${who}</span></button>
      ${mine && html`<button type="button" class="button link small" onClick=${() => { setText(n.text || ''); setError(''); setMode('edit'); }}>Corriger</button>
        <button type="button" class="button link small danger-link" onClick=${() => setMode('delete')}>Supprimer</button>`}
    </div>`}
    ${mode === 'delete' && html`<div class="confirm" role="group" aria-label="Suppression de la note">
      <p>Supprimer cette note ? Elle restera visible comme « supprimée » pour la traçabilité.</p>
      <div class="actions"><button type="button" class="button danger" onClick=${remove} aria-disabled=${busy ? 'true' : undefined}>
        ${busy ? 'Suppression…' : 'Confirmer la suppression'}</button>
        <button type="button" class="button secondary" onClick=${() => setMode(null)}>Annuler</button></div></div>`}
    ${mode === 'reply' && html`<${NoteForm} id=${id} replyTo=${n} autoFocus onCancel=${() => setMode(null)}
      onPosted=${(note, done) => { onPosted(note); if (done) setMode(null); }} />`}
    ${error && mode !== 'edit' && html`<p class="form-alert" role="alert">${error}</p>`}
  </li>`;
}

export default function Journal({ id }) {
  const loc = useLocation();
  const type = loc.query.get('type') || '';
  const urgent = loc.query.get('urgent') === '1';
  const [writing, setWriting] = useState(false);
  const [fresh, setFresh] = useState(() => new Set());
  const list = usePagedList(
    (before, signal) => api('GET', notesPath(id) + queryString({ limit: PAGE, before, type, urgent: urgent ? 1 : '' }), { signal })
      .then((page) => ({ items: page.items, next: page.next_before })),
    [id, type, urgent],
  );
  const listRef = useRef(list);
  listRef.current = list;

  // newer notes (live, or when the page is shown again): on top, marked
  // « Nouveau »; notes already shown are updated when they changed (a photo
  // uploaded after its note, a correction)
  const fetchNewer = async () => {
    try {
      const page = await api('GET', notesPath(id) + queryString({ limit: PAGE, type, urgent: urgent ? 1 : '' }));
      const known = new Map(listRef.current.items.map((n) => [n.id, n]));
      for (const n of page.items) {
        const old = known.get(n.id);
        if (old && (old.version !== n.version || (old.attachments || []).length !== (n.attachments || []).length))
          listRef.current.replaceItem((x) => x.id === n.id, n);
      }
      const added = page.items.filter((n) => !known.has(n.id));
      if (!added.length) return;
      listRef.current.prepend(added);
      setFresh((s) => new Set([...s, ...added.map((n) => n.id)]));
      announce(added.length > 1 ? `${added.length} nouvelles notes dans le journal.` : `Nouvelle note de ${added[0].author.display_name}.`);
    } catch { /* the banner says when offline; the next event tries again */ }
  };
  // the notification comes with the note, before its photo is uploaded (a
  // second request): look again a little later
  useEffect(() => {
    const timers = [];
    const stop = onLiveNotification((n) => {
      if (n.patient_id !== id || (n.kind !== 'note.new' && n.kind !== 'note.reply')) return;
      fetchNewer();
      timers.push(setTimeout(fetchNewer, 2500), setTimeout(fetchNewer, 10000));
    });
    return () => { stop(); timers.forEach(clearTimeout); };
  }, [id, type, urgent]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    const onVisible = () => { if (document.visibilityState === 'visible') fetchNewer(); };
    document.addEventListener('visibilitychange', onVisible);
    return () => document.removeEventListener('visibilitychange', onVisible);
  }, [id, type, urgent]); // eslint-disable-line react-hooks/exhaustive-deps

  const setFilter = (k, v) => {
    const q = { type, urgent: urgent ? '1' : '', [k]: v };
    navigate(loc.path + queryString(q), { replace: true, focus: false });
  };
  const posted = (note) => list.prepend([note]);
  const byId = new Map(list.items.map((n) => [n.id, n]));

  return html`<section aria-labelledby="titre-journal">
    <div class="section-head">
      <h2 id="titre-journal">Journal</h2>
      ${!writing && html`<button type="button" class="button" onClick=${() => setWriting(true)}>Nouvelle note</button>`}
    </div>
    ${writing && html`<${NoteForm} id=${id} autoFocus onCancel=${() => setWriting(false)}
      onPosted=${(note, done) => { posted(note); if (done) setWriting(false); }} />`}
    <form class="filters journal-filters" aria-label="Filtrer le journal" onSubmit=${(e) => e.preventDefault()}>
      <${SelectField} id="filtre-type" label="Type" value=${type} onInput=${(e) => setFilter('type', e.currentTarget.value)}
        options=${[{ value: '', label: 'Tous les types' }, ...NOTE_TYPES]} />
      <${Checkbox} id="filtre-urgent" label="Urgentes seulement" checked=${urgent} onChange=${(v) => setFilter('urgent', v ? '1' : '')} />
    </form>
    ${list.status === 'error' && html`<${LoadError} error=${list.error} onRetry=${list.reload} />`}
    ${list.status === 'loading' && html`<${Loading} />`}
    ${list.status === 'ok' && list.items.length === 0 && html`<p class="summary" role="status">${type || urgent
      ? 'Aucune note ne correspond à ces filtres.' : 'Aucune note pour le moment.'}</p>`}
    <ol class="timeline" aria-label="Notes, les plus récentes d'abord" aria-busy=${list.status === 'loading' ? 'true' : 'false'}>
      ${list.items.map((n) => html`<${Note} key=${n.id} note=${n} id=${id} parent=${n.reply_to && byId.get(n.reply_to)}
        fresh=${fresh.has(n.id)} onPosted=${posted}
        onChanged=${(u) => list.replaceItem((x) => x.id === u.id, u)} />`)}
    </ol>
    ${list.moreError && html`<${LoadError} error=${list.moreError} onRetry=${list.loadMore} />`}
    ${list.status === 'ok' && list.hasMore && html`<p class="more"><button type="button" class="button secondary"
      onClick=${list.loadMore} aria-disabled=${list.loadingMore ? 'true' : undefined}>
      ${list.loadingMore ? 'Chargement…' : 'Charger plus'}</button></p>`}
  </section>`;
}
