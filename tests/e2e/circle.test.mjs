// The care circle and the access it gives: members, periods, médecin traitant,
// territories, break-the-glass, oppositions, invitations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, login, ADMIN, DOCTOR, NURSE } from './lib/server.mjs';

const COORD = { login: 'coord.dac', password: 'parcours-demo' };
let srv, doc, nurse, coord, admin, outsider, patientId;
const api = (who, method, path, body) => request(srv, method, path, { token: who.token, body });

before(async () => {
  srv = await startServer();
  [doc, nurse, coord, admin] = await Promise.all([login(srv, DOCTOR), login(srv, NURSE), login(srv, COORD), login(srv, ADMIN)]);
  const u = await api(admin, 'POST', '/api/admin/users', { login: 'kine.roux', display_name: 'Kiné Roux', role: 'professional', password: 'kine-password-1' });
  outsider = await login(srv, { login: 'kine.roux', password: 'kine-password-1' });
  outsider.id = u.json.id;
  const p = await api(doc, 'POST', '/api/patients', { birth_family_name: 'Lemoine', birth_given_names: ['Odette'], sex: 'F', birth_date: '1938-05-06', address: { postcode: '35000', city: 'Rennes' } });
  assert.equal(p.status, 201);
  patientId = p.json.id;
});
after(async () => { await srv.close(); });

test('the creator is in the circle; others are refused (403, audited)', async () => {
  const c = await api(doc, 'GET', `/api/patients/${patientId}/circle`);
  assert.equal(c.status, 200);
  assert.deepEqual(c.json.members.map((m) => [m.role, m.user_id]), [['MEMBER', doc.user.id]]);
  for (const who of [nurse, outsider, coord]) {
    const r = await api(who, 'GET', `/api/patients/${patientId}/notes`);
    assert.equal(r.status, 403, who.user.login);
    assert.equal(r.json.code, 'access.not_in_circle');
  }
  assert.equal((await api(admin, 'GET', `/api/patients/${patientId}/notes`)).status, 403);
  const audited = await srv.auditSql(`SELECT count(*) FROM audit_event WHERE outcome = 'denied' AND patient_id = '${patientId}' AND action = 'note.read'`);
  assert.ok(Number(audited) >= 3);
});

test('adding a member gives access, is notified, and ending the period removes it', async () => {
  const add = await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'professional', role: 'NURSE', user_id: nurse.user.id });
  assert.equal(add.status, 201, add.text);
  assert.equal(add.json.member.display_name, nurse.user.display_name);
  assert.equal((await api(nurse, 'GET', `/api/patients/${patientId}/notes`)).status, 200);
  assert.equal(srv.sql(`SELECT count(*) FROM notification WHERE user_id = ${nurse.user.id} AND kind = 'circle.added'`), '1');
  const again = await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'professional', role: 'NURSE', user_id: nurse.user.id });
  assert.equal(again.status, 409);
  const end = await api(doc, 'POST', `/api/patients/${patientId}/circle/${add.json.member.id}/end`);
  assert.equal(end.status, 204);
  assert.equal((await api(nurse, 'GET', `/api/patients/${patientId}/notes`)).status, 403, 'a member whose period ended');
  // comes back: a second period
  const back = await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'professional', role: 'NURSE', user_id: nurse.user.id });
  assert.equal(back.status, 201);
  const all = await api(doc, 'GET', `/api/patients/${patientId}/circle?include_past=1`);
  const periods = all.json.members.filter((m) => m.user_id === nurse.user.id);
  assert.equal(periods.length, 2);
  assert.ok(periods.some((m) => m.end) && periods.some((m) => !m.end));
  const current = await api(doc, 'GET', `/api/patients/${patientId}/circle`);
  assert.equal(current.json.members.filter((m) => m.user_id === nurse.user.id).length, 1);
});

test('at most one current médecin traitant; related persons; validation', async () => {
  let r = await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'professional', role: 'PCP', user_id: doc.user.id });
  assert.equal(r.status, 409, 'already a member (as creator)');
  r = await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'professional', role: 'PCP', display_name: 'Dr Jean Moulin', phone: '02 99 11 22 33' });
  assert.equal(r.status, 201, r.text);
  r = await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'professional', role: 'PCP', display_name: 'Dr Autre' });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'circle.pcp_exists');
  r = await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'related', role: 'CAREGIVER', display_name: 'Paul Lemoine (fils)', phone: '06 00 00 00 00' });
  assert.equal(r.status, 201);
  for (const [body, field] of [[{ kind: 'related', role: 'PCP', display_name: 'X' }, 'role'], [{ kind: 'alien', role: 'PCP', display_name: 'X' }, 'role'],
    [{ kind: 'professional', role: 'NURSE' }, 'display_name'], [{ kind: 'professional', role: 'NURSE', user_id: '99999' }, 'user_id'],
    [{ kind: 'professional', role: 'NURSE', display_name: 'X', email: 'not-an-email' }, 'email']]) {
    const bad = await api(doc, 'POST', `/api/patients/${patientId}/circle`, body);
    assert.equal(bad.status, 422, JSON.stringify(body) + bad.text);
    assert.equal(bad.json.field, field);
  }
  const c = await api(doc, 'GET', `/api/patients/${patientId}/circle`);
  assert.equal(c.json.members[0].role, 'PCP', 'the médecin traitant comes first');
});

test('a coordinator of the patient\'s territory has access; of another territory not', async () => {
  const t = await api(admin, 'POST', '/api/admin/territories', { name: 'DAC Ille-et-Vilaine', codes: ['35000', '35200'] });
  assert.equal(t.status, 201, t.text);
  const other = await api(admin, 'POST', '/api/admin/territories', { name: 'DAC Finistère', codes: ['29000'] });
  assert.equal((await api(admin, 'POST', `/api/admin/territories/${other.json.id}/coordinators`, { user_id: coord.user.id })).status, 204);
  assert.equal((await api(coord, 'GET', `/api/patients/${patientId}/notes`)).status, 403);
  assert.equal((await api(admin, 'POST', `/api/admin/territories/${t.json.id}/coordinators`, { user_id: coord.user.id })).status, 204);
  assert.equal((await api(coord, 'GET', `/api/patients/${patientId}/notes`)).status, 200);
  assert.equal((await api(admin, 'POST', `/api/admin/territories/${t.json.id}/coordinators`, { user_id: doc.user.id })).status, 422, 'only coordinators');
  assert.equal((await api(admin, 'POST', '/api/admin/territories', { name: 'Bad', codes: ['ABCDE'] })).status, 422);
  assert.equal((await api(doc, 'POST', '/api/admin/territories', { name: 'X', codes: ['35000'] })).status, 403);
  const list = await api(admin, 'GET', '/api/admin/territories');
  assert.deepEqual(list.json.items.find((x) => x.name === 'DAC Ille-et-Vilaine').codes, ['35000', '35200']);
});

test('break-the-glass: a reason, time-limited access, audited, notifies the referent and the médecin traitant', async () => {
  // the doctor becomes referent so that they are notified
  await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'professional', role: 'REFERENT', user_id: coord.user.id });
  let r = await api(outsider, 'POST', `/api/patients/${patientId}/break-glass`, { reason: 'court' });
  assert.equal(r.status, 422);
  assert.equal(r.json.field, 'reason');
  r = await api(outsider, 'POST', `/api/patients/${patientId}/break-glass`, { reason: 'Appel du SAMU, patiente inconsciente à domicile' });
  assert.equal(r.status, 201);
  const hours = (Date.parse(r.json.expires_at) - Date.now()) / 3600e3;
  assert.ok(hours > 23.9 && hours <= 24.01, `${hours} h`);
  assert.equal((await api(outsider, 'GET', `/api/patients/${patientId}/notes`)).status, 200);
  assert.equal((await api(outsider, 'POST', `/api/patients/${patientId}/circle`, { kind: 'related', role: 'ECON', display_name: 'X' })).status, 403, 'read, not manage the circle');
  assert.equal(srv.sql(`SELECT count(*) FROM notification WHERE user_id = ${coord.user.id} AND kind = 'break_glass' AND urgent = 1`), '1');
  assert.match(await srv.auditSql(`SELECT detail FROM audit_event WHERE action = 'break_glass' AND patient_id = '${patientId}'`), /SAMU/);
  assert.match(await srv.auditSql(`SELECT detail FROM audit_event WHERE action = 'note.read' AND user_login = 'kine.roux' AND outcome = 'success' ORDER BY seq DESC LIMIT 1`), /break-the-glass/);
});

test('break-the-glass expires', async () => {
  const t = await startServer({ env: { PARCOURS_BREAK_GLASS_HOURS: '0' } });
  try {
    const d = await login(t, DOCTOR), n = await login(t, NURSE);
    const p = await request(t, 'POST', '/api/patients', { token: d.token, body: { birth_family_name: 'Court', birth_given_names: ['Ana'], sex: 'F', birth_date: '1990-01-01' } });
    const bg = await request(t, 'POST', `/api/patients/${p.json.id}/break-glass`, { token: n.token, body: { reason: 'urgence vitale au domicile' } });
    assert.equal(bg.status, 201);
    assert.equal((await request(t, 'GET', `/api/patients/${p.json.id}/notes`, { token: n.token })).status, 403);
  } finally { await t.close(); }
});

test('the patient\'s opposition refuses a professional even as a member, until lifted', async () => {
  const o = await api(doc, 'POST', `/api/patients/${patientId}/oppositions`, { user_id: nurse.user.id, reason: 'refus exprimé par la patiente le 12/11' });
  assert.equal(o.status, 201);
  const r = await api(nurse, 'GET', `/api/patients/${patientId}/notes`);
  assert.equal(r.status, 403);
  assert.equal(r.json.code, 'access.opposed');
  assert.equal((await api(nurse, 'POST', `/api/patients/${patientId}/break-glass`, { reason: 'je veux voir quand même' })).status, 403);
  const list = await api(doc, 'GET', `/api/patients/${patientId}/oppositions`);
  assert.equal(list.json.items[0].user_id, nurse.user.id);
  assert.equal((await api(doc, 'DELETE', `/api/patients/${patientId}/oppositions/${o.json.id}`)).status, 204);
  assert.equal((await api(nurse, 'GET', `/api/patients/${patientId}/notes`)).status, 200);
  assert.equal((await api(doc, 'DELETE', `/api/patients/${patientId}/oppositions/${o.json.id}`)).status, 404);
});

test('inviting a professional without an account: the invitation becomes an account', async () => {
  const inv = await api(doc, 'POST', `/api/patients/${patientId}/circle`, { kind: 'professional', role: 'PHARMACIST', display_name: 'Pharmacie du Centre', email: 'pharma@example.org', invite: true });
  assert.equal(inv.status, 201, inv.text);
  assert.ok(inv.json.invitation_token);
  assert.equal(inv.json.member.invited, true);
  const bad = await request(srv, 'POST', '/api/invitations/accept', { body: { token: 'nope', login: 'pharma.centre', password: 'pharma-password' } });
  assert.equal(bad.status, 404);
  const ok = await request(srv, 'POST', '/api/invitations/accept', { body: { token: inv.json.invitation_token, login: 'pharma.centre', password: 'pharma-password' } });
  assert.equal(ok.status, 201, ok.text);
  const ph = await login(srv, { login: 'pharma.centre', password: 'pharma-password' });
  assert.equal((await api(ph, 'GET', `/api/patients/${patientId}/notes`)).status, 200, 'the invited member has access');
  const mine = await api(ph, 'GET', '/api/me/patients');
  assert.deepEqual(mine.json.items.map((p) => p.id), [patientId]);
  const reuse = await request(srv, 'POST', '/api/invitations/accept', { body: { token: inv.json.invitation_token, login: 'pharma.two', password: 'pharma-password' } });
  assert.equal(reuse.status, 409);
});

test('"my patients" lists the circles I belong to', async () => {
  const mine = await api(doc, 'GET', '/api/me/patients');
  assert.ok(mine.json.items.some((p) => p.id === patientId));
  const none = await api(outsider, 'GET', '/api/me/patients');
  assert.deepEqual(none.json.items, []);
});

test('a merged record\'s members and oppositions count for the survivor', async () => {
  const mk = async (name) => {
    const p = await api(doc, 'POST', '/api/patients', { birth_family_name: name, birth_given_names: ['Jeanne'], sex: 'F', birth_date: '1931-07-08', confirm_duplicate: true });
    assert.equal(p.status, 201, p.text);
    return p.json.id;
  };
  const a = await mk('Carré');
  const b = await mk('Carre');
  // the nurse cares for b only; the physiotherapist is in a's circle, but b's record says no to him
  assert.equal((await api(doc, 'POST', `/api/patients/${b}/circle`, { kind: 'professional', role: 'NURSE', user_id: nurse.user.id })).status, 201);
  assert.equal((await api(doc, 'POST', `/api/patients/${a}/circle`, { kind: 'professional', role: 'PHYSIO', user_id: outsider.id })).status, 201);
  assert.equal((await api(doc, 'POST', `/api/patients/${b}/oppositions`, { user_id: outsider.id, reason: 'refus exprimé le 02/11' })).status, 201);
  assert.equal((await api(outsider, 'GET', `/api/patients/${a}/notes`)).status, 200, 'before the merge');
  assert.equal((await api(nurse, 'GET', `/api/patients/${a}/notes`)).status, 403, 'before the merge');
  const merge = await api(coord, 'POST', `/api/patients/${a}/merge`, { source_id: b });
  assert.equal(merge.status, 200, merge.text);
  assert.equal((await api(nurse, 'GET', `/api/patients/${a}/notes`)).status, 200, "a member of the merged record's circle");
  const refused = await api(outsider, 'GET', `/api/patients/${a}/notes`);
  assert.equal(refused.status, 403);
  assert.equal(refused.json.code, 'access.opposed', "the merged record's opposition");
});
