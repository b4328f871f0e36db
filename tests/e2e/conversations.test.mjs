// Conversations: a patient's (circle members, authz_patient, audited) and
// direct ones between professionals; messages, validation, pages, unread
// counters, mentions and the notifications they produce.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, login, ADMIN, DOCTOR, NURSE } from './lib/server.mjs';

const COORD = { login: 'coord.dac', password: 'parcours-demo' };
let srv, doc, nurse, coord, admin;

before(async () => {
  srv = await startServer();
  [doc, nurse, coord, admin] = await Promise.all([login(srv, DOCTOR), login(srv, NURSE), login(srv, COORD), login(srv, ADMIN)]);
});
after(async () => {
  const { code } = await srv.stop();
  await srv.close();
  // with the sanitizer build, a report (leak, overflow, UB) fails the suite
  assert.doesNotMatch(srv.stderr(), /Sanitizer|runtime error/);
  assert.equal(code, 0);
});

const api = (who, method, path, body) => request(srv, method, path, { token: who.token, body });
const count = (table, where = '1 = 1') => Number(srv.sql(`SELECT count(*) FROM ${table} WHERE ${where}`));
const audits = (q) => api(admin, 'GET', '/api/audit?' + new URLSearchParams(q));

let seq = 0;
async function newPatient() {
  seq++;
  const r = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Échange', birth_given_names: ['Lise'], sex: 'F', birth_date: `1950-01-${String(seq).padStart(2, '0')}` });
  assert.equal(r.status, 201, r.text);
  return r.json.id;
}
async function addToCircle(patientId, who, role = 'NURSE') {
  const r = await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'professional', role, user_id: who.user.id });
  assert.equal(r.status, 201, r.text);
  return r.json.member.id;
}
async function direct(members, title) {
  const r = await api(doc, 'POST', '/api/conversations', { members, title });
  assert.equal(r.status, 201, r.text);
  return r.json.conversation;
}
const post = (who, path, text) => api(who, 'POST', path, { text });
const lastNotification = (who) => srv.sql(`SELECT kind || '|' || title FROM notification WHERE user_id = ${who.user.id} ORDER BY id DESC LIMIT 1`);

test('patient conversation: created on first use, members read and write, audited', async () => {
  const pid = await newPatient();
  const path = `/api/patients/${pid}/conversation/messages`;
  let r = await api(doc, 'GET', path);
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.conversation.kind, 'patient');
  assert.equal(r.json.conversation.patient_id, pid);
  assert.deepEqual(r.json.items, []);
  assert.equal(r.json.next_before, null);
  const cid = r.json.conversation.id;

  r = await post(doc, path, 'Bonjour à l\'équipe.\nPremier passage demain.');
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.conversation_id, cid);
  assert.equal(r.json.author.id, doc.user.id);
  assert.equal(r.json.text, 'Bonjour à l\'équipe.\nPremier passage demain.');
  const mid = r.json.id;

  // the same conversation by its id
  r = await api(doc, 'GET', `/api/conversations/${cid}/messages`);
  assert.equal(r.status, 200);
  assert.equal(r.json.items[0].id, mid);
  assert.equal((await api(doc, 'GET', `/api/conversations/${cid}`)).json.conversation.patient_id, pid);

  const reads = await audits({ action: 'conversation.read', patient_id: pid });
  assert.ok(reads.json.items.some((e) => e.outcome === 'success' && e.user_id === doc.user.id));
  const writes = await audits({ action: 'message.create', patient_id: pid });
  assert.ok(writes.json.items.some((e) => e.object_id === mid));
});

test('patient conversation: refused to a non-member (403, audited), to an admin, and after leaving the circle', async () => {
  const pid = await newPatient();
  const path = `/api/patients/${pid}/conversation/messages`;
  assert.equal((await post(doc, path, 'Suivi')).status, 201);
  const before = count('message');
  for (const [method, body] of [['GET'], ['POST', { text: 'je ne suis pas du cercle' }]]) {
    const r = await api(nurse, method, path, body);
    assert.equal(r.status, 403, r.text);
    assert.equal(r.json.code, 'access.not_in_circle');
  }
  assert.equal(count('message'), before, 'nothing written');
  const denied = await audits({ patient_id: pid, user_id: nurse.user.id });
  assert.ok(denied.json.items.some((e) => e.action === 'conversation.read' && e.outcome === 'denied'));
  assert.ok(denied.json.items.some((e) => e.action === 'message.create' && e.outcome === 'denied'));
  const cid = (await api(doc, 'GET', path)).json.conversation.id;
  let r = await api(nurse, 'GET', `/api/conversations/${cid}/messages`);
  assert.equal(r.status, 403);
  r = await api(admin, 'GET', path);
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'access.admin');
  assert.equal((await api(doc, 'GET', '/api/patients/99999999/conversation/messages')).status, 404);

  // a member reads; once their membership ends, they no longer do
  const member = await addToCircle(pid, nurse);
  r = await api(nurse, 'GET', path);
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 1);
  assert.ok((await api(nurse, 'GET', '/api/conversations')).json.items.some((c) => c.id === cid));
  assert.equal((await api(doc, 'POST', `/api/patients/${pid}/circle/${member}/end`)).status, 204);
  assert.equal((await api(nurse, 'GET', path)).status, 403);
  assert.ok(!(await api(nurse, 'GET', '/api/conversations')).json.items.some((c) => c.id === cid));
});

test('direct conversations: members only (non-member 403, audited); creation is validated', async () => {
  const conv = await direct([nurse.user.id], 'Tournée du mardi');
  assert.equal(conv.kind, 'direct');
  assert.equal(conv.title, 'Tournée du mardi');
  assert.deepEqual(conv.members.map((m) => m.login).sort(), ['dr.martin', 'inf.bernard']);
  const path = `/api/conversations/${conv.id}/messages`;
  assert.equal((await post(nurse, path, 'Reçu.')).status, 201);
  const before = count('message');
  for (const [method, p, body] of [['GET', path], ['POST', path, { text: 'intrus' }], ['GET', `/api/conversations/${conv.id}`], ['POST', `/api/conversations/${conv.id}/read`, { last_read_id: '1' }]]) {
    const r = await api(coord, method, p, body);
    assert.equal(r.status, 403, `${method} ${p}: ${r.text}`);
    assert.equal(r.json.code, 'conversation.not_member');
  }
  assert.equal((await api(admin, 'GET', path)).status, 403);
  assert.equal(count('message'), before);
  const denied = await audits({ user_id: coord.user.id, action: 'conversation.read' });
  assert.ok(denied.json.items.some((e) => e.outcome === 'denied' && e.object_id === conv.id));
  assert.ok(!(await api(coord, 'GET', '/api/conversations')).json.items.some((c) => c.id === conv.id));
  assert.equal((await api(doc, 'GET', '/api/conversations/99999999/messages')).status, 404);
  assert.equal((await api(doc, 'GET', '/api/conversations/abc/messages')).status, 404);

  const n = count('conversation');
  const bad = [
    [{}, 422, 'field.required', 'members'],
    [{ members: [] }, 422, 'field.required', 'members'],
    [{ members: [doc.user.id] }, 422, 'conversation.members_required', 'members'],
    [{ members: ['99999'] }, 422, 'conversation.member', 'members'],
    [{ members: [admin.user.id] }, 422, 'conversation.member', 'members'],
    [{ members: ['abc'] }, 422, 'field.type', 'members'],
    [{ members: [1.5] }, 422, 'field.type', 'members'],
    [{ members: nurse.user.id }, 422, 'field.type', 'members'],
    [{ members: Array.from({ length: 21 }, (_, i) => String(i + 1)) }, 422, 'field.type', 'members'],
    [{ members: [nurse.user.id], title: 'a\u0007b' }, 422, 'conversation.title', 'title'],
    [{ members: [nurse.user.id], title: 'x'.repeat(201) }, 422, 'field.too_long', 'title'],
    [{ members: [nurse.user.id], extra: true }, 422, 'field.unknown', 'extra'],
  ];
  for (const [body, status, code, field] of bad) {
    const r = await api(doc, 'POST', '/api/conversations', body);
    assert.equal(r.status, status, JSON.stringify(body) + r.text);
    assert.equal(r.json.code, code, r.text);
    assert.equal(r.json.field, field);
  }
  assert.equal(count('conversation'), n, 'nothing created');
  // repeats are folded; without a title is fine; the creator is added
  const r = await api(doc, 'POST', '/api/conversations', { members: [nurse.user.id, Number(nurse.user.id), coord.user.id] });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.conversation.members.length, 3);
  assert.equal(r.headers.get('location'), `/api/conversations/${r.json.conversation.id}`);
});

test('message validation: empty, too long, control characters, invalid UTF-8 — nothing stored', async () => {
  const conv = await direct([nurse.user.id]);
  const path = `/api/conversations/${conv.id}/messages`;
  const before = count('message');
  const cases = [
    [{ text: '' }, 422, 'field.required'],
    [{}, 422, 'field.required'],
    [{ text: null }, 422, 'field.required'],
    [{ text: 42 }, 422, 'field.type'],
    [{ text: '   \n  ' }, 422, 'message.empty'],
    [{ text: 'x'.repeat(5001) }, 422, 'field.too_long'],
    [{ text: 'é'.repeat(2501) }, 422, 'field.too_long'],
    [{ text: 'x'.repeat(10 * 1024 + 1) }, 422, 'field.too_long'],
    [{ text: 'bip\u0007' }, 422, 'message.control_char'],
    [{ text: 'tab\there' }, 422, 'message.control_char'],
    [{ text: 'cr\r\nlf' }, 422, 'message.control_char'],
    [{ text: 'nul\u0000' }, 400, 'json.nul'],
    [{ text: 'c1\u0085' }, 422, 'message.control_char'],
    [{ text: 'del\u007f' }, 422, 'message.control_char'],
    [{ text: 'ok', extra: 1 }, 422, 'field.unknown'],
  ];
  for (const [body, status, code] of cases) {
    const r = await api(doc, 'POST', path, body);
    assert.equal(r.status, status, JSON.stringify(body).slice(0, 80) + r.text);
    assert.equal(r.json.code, code, r.text);
    if (status === 422 && code !== 'field.unknown') assert.equal(r.json.field, 'text');
  }
  // bytes that are not UTF-8, and an escaped lone surrogate
  let r = await request(srv, 'POST', path, { token: doc.token, body: Buffer.from([0x7b, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d]), headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'json.invalid_utf8');
  r = await request(srv, 'POST', path, { token: doc.token, body: '{"text":"\\ud800"}', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status >= 400 && r.status < 500, true, r.text);
  r = await request(srv, 'POST', path, { token: doc.token, body: 'text=hello', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(r.status, 415);
  assert.equal(count('message'), before, 'nothing stored');

  // the limits themselves are accepted: 5000 bytes, newlines, emoji
  r = await api(doc, 'POST', path, { text: 'é'.repeat(2500) });
  assert.equal(r.status, 201, r.text);
  r = await api(doc, 'POST', path, { text: 'Ligne 1\nLigne 2 🙂' });
  assert.equal(r.status, 201);
  assert.equal(r.json.text, 'Ligne 1\nLigne 2 🙂');
});

test('pages: newest first with a before cursor; bad queries are refused', async () => {
  const conv = await direct([nurse.user.id]);
  const path = `/api/conversations/${conv.id}/messages`;
  const ids = [];
  for (let i = 1; i <= 7; i++) ids.push((await post(doc, path, `m${i}`)).json.id);
  const seen = [];
  let cursor = null;
  do {
    const r = await api(nurse, 'GET', path + '?limit=3' + (cursor ? `&before=${cursor}` : ''));
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length <= 3);
    seen.push(...r.json.items.map((m) => m.text));
    cursor = r.json.next_before;
  } while (cursor);
  assert.deepEqual(seen, ['m7', 'm6', 'm5', 'm4', 'm3', 'm2', 'm1']);
  for (const q of ['?limit=0', '?limit=201', '?before=x', '?before=-3']) {
    const r = await api(nurse, 'GET', path + q);
    assert.equal(r.status, 400, q);
    assert.equal(r.json.code, 'query.invalid');
  }
});

test('unread counters per conversation and mark read (forward only, own messages never unread)', async () => {
  const conv = await direct([nurse.user.id], 'Compteurs');
  const path = `/api/conversations/${conv.id}/messages`;
  const ids = [];
  for (let i = 1; i <= 4; i++) ids.push((await post(doc, path, `n${i}`)).json.id);
  const mine = async (who) => (await api(who, 'GET', '/api/conversations')).json.items.find((c) => c.id === conv.id);
  let c = await mine(nurse);
  assert.equal(c.unread, 4);
  assert.equal(c.title, 'Compteurs');
  assert.equal(c.members.length, 2);
  assert.equal(c.last_message_id, ids[3]);
  assert.ok(c.last_message_at);
  assert.equal((await mine(doc)).unread, 0, 'one\'s own messages are never unread');

  let r = await api(nurse, 'POST', `/api/conversations/${conv.id}/read`, { last_read_id: ids[1] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json, { last_read_id: ids[1], unread: 2 });
  c = await mine(nurse);
  assert.equal(c.unread, 2);
  assert.equal(c.last_read_id, ids[1]);
  // backwards does not move the marker
  r = await api(nurse, 'POST', `/api/conversations/${conv.id}/read`, { last_read_id: ids[0] });
  assert.deepEqual(r.json, { last_read_id: ids[1], unread: 2 });
  r = await api(nurse, 'GET', path + '?limit=1');
  assert.equal(r.json.conversation.unread, 2);
  assert.equal(r.json.conversation.last_read_id, ids[1]);

  // a message of another conversation, an unknown one, a bad body
  const other = await direct([coord.user.id]);
  const foreign = (await post(doc, `/api/conversations/${other.id}/messages`, 'ailleurs')).json.id;
  for (const [body, code] of [[{ last_read_id: foreign }, 'conversation.last_read_id'], [{ last_read_id: '99999999' }, 'conversation.last_read_id'], [{}, 'field.required'], [{ last_read_id: 'x' }, 'field.type']]) {
    r = await api(nurse, 'POST', `/api/conversations/${conv.id}/read`, body);
    assert.equal(r.status, 422, r.text);
    assert.equal(r.json.code, code);
  }
  r = await api(nurse, 'POST', `/api/conversations/${conv.id}/read`, { last_read_id: ids[3] });
  assert.equal(r.json.unread, 0);
  assert.equal((await mine(nurse)).unread, 0);

  // writing in a conversation reads it: a reply leaves nothing unread for its author
  await post(doc, path, 'n5');
  assert.equal((await mine(nurse)).unread, 1);
  await post(nurse, path, 'réponse');
  assert.equal((await mine(nurse)).unread, 0);
  assert.equal((await mine(doc)).unread, 1);
});

test('my conversations: my patients\' and my direct ones, most recent first', async () => {
  const pid = await newPatient();
  await addToCircle(pid, nurse);
  const pconv = (await post(doc, `/api/patients/${pid}/conversation/messages`, 'pour le cercle')).json.conversation_id;
  const conv = await direct([nurse.user.id]);
  await post(doc, `/api/conversations/${conv.id}/messages`, 'plus récent');
  const r = await api(nurse, 'GET', '/api/conversations?limit=200');
  assert.equal(r.status, 200);
  const ids = r.json.items.map((c) => c.id);
  assert.ok(ids.indexOf(conv.id) >= 0 && ids.indexOf(pconv) > ids.indexOf(conv.id), 'most recent first');
  const p = r.json.items.find((c) => c.id === pconv);
  assert.equal(p.kind, 'patient');
  assert.equal(p.patient_id, pid);
  assert.equal(p.unread, 1);
  assert.ok(!('members' in p));
  const coordList = (await api(coord, 'GET', '/api/conversations')).json.items.map((c) => c.id);
  assert.ok(!coordList.includes(pconv) && !coordList.includes(conv.id));
  assert.equal((await api(nurse, 'GET', '/api/conversations?limit=0')).status, 400);
  assert.equal((await api(nurse, 'GET', '/api/conversations?limit=1')).json.items.length, 1);
});

test('mentions notify participants who may read; the others get "message"; preferences apply', async () => {
  const pid = await newPatient();
  await addToCircle(pid, nurse);
  const path = `/api/patients/${pid}/conversation/messages`;
  const coordBefore = count('notification', `user_id = ${coord.user.id}`);
  let r = await post(doc, path, 'Merci @INF.BERNARD. Et @coord.dac, pouvez-vous voir ? (écrire à x@inf.bernard)');
  assert.equal(r.status, 201, r.text);
  assert.match(lastNotification(nurse), /^mention\|/);
  const n = srv.sql(`SELECT patient_id || '|' || object_id || '|' || body FROM notification WHERE user_id = ${nurse.user.id} ORDER BY id DESC LIMIT 1`);
  assert.ok(n.startsWith(`${pid}|${r.json.conversation_id}|Dr Claire Martin`), n);
  assert.equal(count('notification', `user_id = ${coord.user.id}`), coordBefore, 'not a participant: not notified');
  assert.equal(count('notification', `user_id = ${doc.user.id} AND kind IN ('mention', 'message') AND body LIKE '%coord.dac%'`), 0, 'never the author');

  r = await post(doc, path, 'Sans mention');
  assert.match(lastNotification(nurse), /^message\|/);

  // the nurse does not want "message" notifications: mentions still come
  await api(nurse, 'PUT', '/api/me/notification-preferences', { disabled_kinds: ['message'] });
  const before = count('notification', `user_id = ${nurse.user.id}`);
  await post(doc, path, 'Encore sans mention');
  assert.equal(count('notification', `user_id = ${nurse.user.id}`), before);
  await post(doc, path, '@inf.bernard urgent ?');
  assert.equal(count('notification', `user_id = ${nurse.user.id}`), before + 1);
  await api(nurse, 'PUT', '/api/me/notification-preferences', { disabled_kinds: [] });

  // direct conversation: a mention of a non-member is ignored
  const conv = await direct([nurse.user.id]);
  const coordCount = count('notification', `user_id = ${coord.user.id}`);
  await post(doc, `/api/conversations/${conv.id}/messages`, '@coord.dac @inf.bernard');
  assert.equal(count('notification', `user_id = ${coord.user.id}`), coordCount);
  assert.match(lastNotification(nurse), /^mention\|Dr Claire Martin/);
});

test('merged records: the survivor\'s conversation shows the messages of the merged one', async () => {
  const a = await newPatient();
  const b = await newPatient();
  await addToCircle(a, nurse);
  const ma = await post(doc, `/api/patients/${a}/conversation/messages`, 'sur le dossier A');
  const mb = await post(doc, `/api/patients/${b}/conversation/messages`, 'sur le dossier B');
  assert.equal(mb.status, 201);
  const merged = await api(coord, 'POST', `/api/patients/${a}/merge`, { source_id: b, reason: 'doublon vérifié' });
  assert.equal(merged.status, 200, merged.text);
  let r = await api(doc, 'GET', `/api/patients/${a}/conversation/messages`);
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((m) => m.text), ['sur le dossier B', 'sur le dossier A']);
  // the merged record's id and its conversation's id lead to the same thread
  r = await api(doc, 'GET', `/api/patients/${b}/conversation/messages`);
  assert.equal(r.json.conversation.id, ma.json.conversation_id);
  r = await api(doc, 'GET', `/api/conversations/${mb.json.conversation_id}/messages`);
  assert.equal(r.json.conversation.id, ma.json.conversation_id);
  assert.equal(r.json.items.length, 2);
  r = await api(nurse, 'GET', `/api/patients/${a}/conversation/messages`);
  assert.equal(r.json.conversation.unread, 2);
  r = await api(nurse, 'POST', `/api/conversations/${ma.json.conversation_id}/read`, { last_read_id: mb.json.id });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.unread, 0);
});
