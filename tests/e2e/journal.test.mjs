// The journal (cahier de liaison): notes, replies, attachments, corrections,
// deletion, read receipts, paging and filters, merged records.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, login, ADMIN, DOCTOR, NURSE } from './lib/server.mjs';

const COORD = { login: 'coord.dac', password: 'parcours-demo' };
// a 1×1 PNG
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000' +
  '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082', 'hex');
let srv, doc, nurse, coord, pid;
const api = (who, method, path, body, headers) => request(srv, method, path, { token: who.token, body, headers });
const notes = (who, q = '') => api(who, 'GET', `/api/patients/${pid}/notes${q}`);
const post = (who, body) => api(who, 'POST', `/api/patients/${pid}/notes`, body);

before(async () => {
  srv = await startServer({ env: { PARCOURS_MAX_ATTACHMENT: '200000' } });
  [doc, nurse, coord] = await Promise.all([login(srv, DOCTOR), login(srv, NURSE), login(srv, COORD)]);
  const p = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Guerin', birth_given_names: ['Jules'], sex: 'M', birth_date: '1944-02-02' });
  pid = p.json.id;
  assert.equal((await api(doc, 'POST', `/api/patients/${pid}/circle`, { kind: 'professional', role: 'NURSE', user_id: nurse.user.id })).status, 201);
});
after(async () => { await srv.close(); });

test('a note with its type, urgency and visibility; the circle is notified (urgent stands out)', async () => {
  const r = await post(doc, { type: 'OBS', text: 'Escarre talon gauche, pansement refait.\nÀ revoir jeudi.', urgent: true, visibility: 'professionals' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.type, 'OBS');
  assert.equal(r.json.urgent, true);
  assert.equal(r.json.visibility, 'professionals');
  assert.equal(r.json.author.id, doc.user.id);
  assert.equal(r.json.text, 'Escarre talon gauche, pansement refait.\nÀ revoir jeudi.');
  const n = srv.sql(`SELECT kind || ':' || urgent || ':' || title FROM notification WHERE user_id = ${nurse.user.id} AND object_id = '${r.json.id}'`);
  assert.equal(n, 'note.new:1:Nouvelle note URGENTE');
  assert.equal(srv.sql(`SELECT count(*) FROM notification WHERE user_id = ${doc.user.id} AND object_id = '${r.json.id}'`), '0', 'not the author');
});

test('bad notes are refused and nothing is written', async () => {
  const before = srv.sql('SELECT count(*) FROM note');
  for (const [body, field] of [[{ type: 'XYZ', text: 'a' }, 'type'], [{ type: 'GEN', text: '' }, 'text'], [{ type: 'GEN', text: '   \n ' }, 'text'],
    [{ type: 'GEN', text: 'bip\u0007' }, 'text'], [{ type: 'GEN', text: 'x'.repeat(20001) }, 'text'], [{ type: 'GEN', text: 'ok', visibility: 'public' }, 'visibility'],
    [{ type: 'GEN', text: 'ok', reply_to: '999999' }, 'reply_to'], [{ type: 'GEN' }, 'text'], [{ type: 'GEN', text: 'ok', urgent: 'yes' }, 'urgent']]) {
    const r = await post(doc, body);
    assert.equal(r.status, 422, JSON.stringify(body).slice(0, 80) + ' ' + r.text);
    assert.equal(r.json.field, field);
  }
  assert.equal(srv.sql('SELECT count(*) FROM note'), before);
});

test('replies notify the parent\'s author as a reply', async () => {
  const parent = await post(nurse, { type: 'DEM-AVIS', text: 'Avis sur la douleur nocturne ?' });
  const reply = await post(doc, { type: 'GEN', text: 'Augmenter le palier, je passe demain.', reply_to: parent.json.id });
  assert.equal(reply.status, 201);
  assert.equal(reply.json.reply_to, parent.json.id);
  assert.equal(srv.sql(`SELECT kind FROM notification WHERE user_id = ${nurse.user.id} AND object_id = '${reply.json.id}'`), 'note.reply');
});

test('timeline: newest first, cursor paging, filters', async () => {
  for (let i = 0; i < 7; i++) await post(i % 2 ? nurse : doc, { type: i % 3 ? 'GEN' : 'INTERV', text: `Passage ${i}`, urgent: i === 5 });
  const all = [];
  let before = '';
  for (let guard = 0; guard < 20; guard++) {
    const r = await notes(doc, `?limit=4${before ? '&before=' + before : ''}`);
    assert.equal(r.status, 200);
    all.push(...r.json.items);
    if (!r.json.next_before) break;
    before = r.json.next_before;
  }
  const ids = all.map((n) => Number(n.id));
  assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first');
  assert.equal(new Set(ids).size, ids.length);
  assert.equal(ids.length, Number(srv.sql(`SELECT count(*) FROM note WHERE patient_id = ${pid}`)));
  const interv = await notes(doc, '?type=INTERV');
  assert.ok(interv.json.items.length >= 2 && interv.json.items.every((n) => n.type === 'INTERV'));
  const urgent = await notes(doc, '?urgent=1');
  assert.ok(urgent.json.items.every((n) => n.urgent));
  const byNurse = await notes(doc, `?author=${nurse.user.id}`);
  assert.ok(byNurse.json.items.length >= 3 && byNurse.json.items.every((n) => n.author.id === nurse.user.id));
  assert.deepEqual((await notes(doc, '?from=2999-01-01')).json.items, []);
  assert.equal((await notes(doc, '?type=nope')).status, 422);
  assert.equal((await notes(doc, '?limit=1000')).status, 400);
});

test('attachments: a photo round-trips; type, content and size are checked', async () => {
  const n = await post(doc, { type: 'OBS', text: 'Photo de la plaie' });
  const base = `/api/patients/${pid}/notes/${n.json.id}/attachments`;
  let r = await api(doc, 'POST', base + '?filename=plaie.png', PNG, { 'content-type': 'image/png' });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.size, PNG.length);
  const res = await fetch(srv.base + `${base}/${r.json.id}`, { headers: { authorization: `Bearer ${nurse.token}` } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/png');
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), PNG);
  const listed = (await notes(doc)).json.items.find((x) => x.id === n.json.id);
  assert.equal(listed.attachments.length, 1);
  assert.equal(listed.attachments[0].filename, 'plaie.png');
  r = await api(doc, 'POST', base, Buffer.from('MZ\x90\x00 not an exe really'), { 'content-type': 'application/x-msdownload' });
  assert.equal(r.status, 415);
  r = await api(doc, 'POST', base, Buffer.from('<html>hi</html>'), { 'content-type': 'image/png' });
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'attachment.content');
  r = await api(doc, 'POST', base, Buffer.concat([PNG, Buffer.alloc(300000)]), { 'content-type': 'image/png' });
  assert.equal(r.status, 413);
  r = await api(nurse, 'POST', base, PNG, { 'content-type': 'image/png' });
  assert.equal(r.status, 403, 'only the author attaches');
  assert.equal(srv.sql(`SELECT count(*) FROM note_attachment WHERE note_id = ${n.json.id}`), '1');
});

test('corrections keep the earlier text; only the author corrects; concurrent edits: one wins', async () => {
  const n = await post(doc, { type: 'GEN', text: 'Tension 15/9' });
  const path = `/api/patients/${pid}/notes/${n.json.id}`;
  assert.equal((await api(nurse, 'PATCH', path, { text: 'hack', version: 1 })).status, 403);
  const c = await api(doc, 'PATCH', path, { text: 'Tension 13/8 (erreur de saisie)', version: 1 });
  assert.equal(c.status, 200, c.text);
  assert.equal(c.json.version, 2);
  assert.equal(c.json.corrected, true);
  const revs = await api(doc, 'GET', path + '/revisions');
  assert.deepEqual(revs.json.items.map((x) => x.text), ['Tension 15/9']);
  // in the timeline: a note never corrected shows updated_at = created_at (the
  // page formats that date once), a corrected one the date of its correction
  const plain = await post(doc, { type: 'GEN', text: 'Tension 12/7' });
  const later = await post(doc, { type: 'GEN', text: 'Tension 12/8' });
  await new Promise((r) => setTimeout(r, 5));
  assert.equal((await api(doc, 'PATCH', `/api/patients/${pid}/notes/${later.json.id}`, { text: 'Tension 12/9', version: 1 })).status, 200);
  const page = (await notes(doc)).json.items;
  const unchanged = page.find((x) => x.id === plain.json.id), changed = page.find((x) => x.id === later.json.id);
  const iso = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
  assert.match(unchanged.created_at, iso);
  assert.equal(unchanged.updated_at, unchanged.created_at);
  assert.match(changed.updated_at, iso);
  assert.ok(Date.parse(changed.updated_at) >= Date.parse(changed.created_at) + 5, `${changed.created_at} then ${changed.updated_at}`);
  const racers = await Promise.all([1, 2, 3].map((i) => api(doc, 'PATCH', path, { text: 'v' + i, version: 2 })));
  assert.deepEqual(racers.map((x) => x.status).sort(), [200, 409, 409]);
});

test('deletion leaves a trace without the text', async () => {
  const n = await post(doc, { type: 'GEN', text: 'Note saisie sur le mauvais patient' });
  const path = `/api/patients/${pid}/notes/${n.json.id}`;
  assert.equal((await api(nurse, 'DELETE', path)).status, 403);
  assert.equal((await api(doc, 'DELETE', path)).status, 204);
  assert.equal((await api(doc, 'DELETE', path)).status, 409);
  const listed = (await notes(doc)).json.items.find((x) => x.id === n.json.id);
  assert.equal(listed.deleted, true);
  assert.equal(listed.text, null);
  assert.match(srv.sql(`SELECT action FROM audit_event WHERE object_id = '${n.json.id}' AND object_type = 'note' ORDER BY seq DESC LIMIT 1`), /note\.delete/);
  assert.equal((await api(doc, 'PATCH', path, { text: 'x', version: 2 })).status, 409);
});

test('read receipts: who in the circle has read a note', async () => {
  const n = await post(doc, { type: 'INST', text: 'Arrêter le traitement X' });
  const path = `/api/patients/${pid}/notes/${n.json.id}`;
  let reads = await api(doc, 'GET', path + '/reads');
  assert.deepEqual(reads.json.items.map((x) => x.user_id), [doc.user.id], 'the author has read it');
  assert.equal((await api(nurse, 'POST', path + '/read')).status, 204);
  assert.equal((await api(nurse, 'POST', path + '/read')).status, 204, 'idempotent');
  reads = await api(doc, 'GET', path + '/reads');
  assert.deepEqual(reads.json.items.map((x) => x.user_id).sort(), [doc.user.id, nurse.user.id].sort());
  assert.equal((await notes(doc)).json.items.find((x) => x.id === n.json.id).read_count, 2);
  assert.equal((await api(doc, 'GET', path)).json.read_count, 2, 'the same count on the note alone');
});

test('non-members, unknown patients and notes of another patient are refused', async () => {
  assert.equal((await post(coord, { type: 'GEN', text: 'intrus' })).status, 403);
  assert.equal((await api(doc, 'POST', '/api/patients/999999/notes', { type: 'GEN', text: 'x' })).status, 404);
  const other = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Autre', birth_given_names: ['Zoé'], sex: 'F', birth_date: '2000-02-02' });
  const n = await api(doc, 'POST', `/api/patients/${other.json.id}/notes`, { type: 'GEN', text: 'ailleurs' });
  assert.equal((await api(doc, 'GET', `/api/patients/${pid}/notes/${n.json.id}`)).status, 404);
});

test('a note on a merged record goes to, and is read with, the survivor', async () => {
  const a = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Perrin', birth_given_names: ['Luc'], sex: 'M', birth_date: '1950-10-10' });
  const b = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Perin', birth_given_names: ['Luc'], sex: 'M', birth_date: '1950-10-10', confirm_duplicate: true });
  const before = await api(doc, 'POST', `/api/patients/${b.json.id}/notes`, { type: 'GEN', text: 'écrite avant la fusion' });
  assert.equal((await api(coord, 'POST', `/api/patients/${a.json.id}/merge`, { source_id: b.json.id })).status, 200);
  const after = await api(doc, 'POST', `/api/patients/${b.json.id}/notes`, { type: 'GEN', text: 'écrite après la fusion' });
  assert.equal(after.status, 201);
  assert.equal(after.json.patient_id, a.json.id);
  const list = await api(doc, 'GET', `/api/patients/${a.json.id}/notes`);
  assert.deepEqual(list.json.items.map((x) => x.text).sort(), ['écrite après la fusion', 'écrite avant la fusion']);
  assert.equal(before.status, 201);
});

test('the timeline of merged records pages through both, newest first, whichever record the cursor is in', async () => {
  const a = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Garnier', birth_given_names: ['Rose'], sex: 'F', birth_date: '1941-02-03' });
  const b = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Garnié', birth_given_names: ['Rose'], sex: 'F', birth_date: '1941-02-03', confirm_duplicate: true });
  const written = [];
  for (let i = 0; i < 9; i++) {
    const on = i % 3 === 0 ? a : b; // interleaved ids across the two records
    const r = await api(doc, 'POST', `/api/patients/${on.json.id}/notes`, { type: i % 2 ? 'OBS' : 'GEN', text: `note ${i}` });
    assert.equal(r.status, 201, r.text);
    written.push(Number(r.json.id));
  }
  assert.equal((await api(coord, 'POST', `/api/patients/${a.json.id}/merge`, { source_id: b.json.id })).status, 200);
  for (const query of ['', '&type=OBS']) {
    for (const limit of [1, 2, 4]) {
      const seen = [];
      let before = '';
      for (let guard = 0; guard < 20; guard++) {
        const r = await api(doc, 'GET', `/api/patients/${a.json.id}/notes?limit=${limit}${query}${before ? '&before=' + before : ''}`);
        assert.equal(r.status, 200, r.text);
        seen.push(...r.json.items.map((x) => Number(x.id)));
        if (!r.json.next_before) break;
        before = r.json.next_before;
      }
      const expected = written.filter((_, i) => !query || i % 2).sort((x, y) => y - x);
      assert.deepEqual(seen, expected, `limit ${limit}${query}`);
    }
  }
});
