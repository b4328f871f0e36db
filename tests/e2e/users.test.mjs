// Account administration and role checks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, login, ADMIN, DOCTOR } from './lib/server.mjs';

let srv, admin;
before(async () => { srv = await startServer(); admin = await login(srv, ADMIN); });
after(async () => { await srv.close(); });

const newUser = (login, extra = {}) => ({ login, display_name: 'Élodie Dupont-Lefèvre', role: 'professional', password: 'correct-horse-battery', ...extra });

test('an administrator creates an account that can then log in', async () => {
  const r = await request(srv, 'POST', '/api/admin/users', { token: admin.token, body: newUser('e.dupont') });
  assert.equal(r.status, 201);
  assert.equal(r.json.login, 'e.dupont');
  assert.equal(r.json.display_name, 'Élodie Dupont-Lefèvre');
  assert.match(r.json.id, /^\d+$/);
  assert.equal(r.headers.get('location'), `/api/admin/users/${r.json.id}`);
  const s = await login(srv, { login: 'e.dupont', password: 'correct-horse-battery' });
  assert.equal(s.user.display_name, 'Élodie Dupont-Lefèvre');
  const got = await request(srv, 'GET', `/api/admin/users/${r.json.id}`, { token: admin.token });
  assert.equal(got.status, 200);
  assert.equal(got.json.login, 'e.dupont');
});

test('a taken login is a 409 and nothing changes', async () => {
  const before = srv.sql('SELECT count(*) FROM app_user');
  const r = await request(srv, 'POST', '/api/admin/users', { token: admin.token, body: newUser('dr.martin') });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'login.taken');
  assert.equal(r.json.field, 'login');
  assert.equal(srv.sql('SELECT count(*) FROM app_user'), before);
});

test('validation names the field at fault', async () => {
  const cases = [
    [newUser('X'), 'login'],
    [newUser('bad login'), 'login'],
    [newUser('ok.login', { role: 'superuser' }), 'role'],
    [newUser('ok.login', { password: 'short' }), 'password'],
    [newUser('ok.login', { display_name: 'tab\there' }), 'display_name'],
    [newUser('ok.login', { display_name: 'x'.repeat(201) }), 'display_name'],
    [newUser('ok.login', { professional_id: 'abc' }), 'professional_id'],
    [{ login: 'ok.login', role: 'professional', password: 'correct-horse-battery' }, 'display_name'],
  ];
  const before = srv.sql('SELECT count(*) FROM app_user');
  for (const [body, field] of cases) {
    const r = await request(srv, 'POST', '/api/admin/users', { token: admin.token, body });
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.equal(r.json.field, field, JSON.stringify(r.json));
    assert.ok(r.json.detail.length > 0);
  }
  assert.equal(srv.sql('SELECT count(*) FROM app_user'), before);
});

test('SQL metacharacters are stored as plain text', async () => {
  const name = "Robert'); DROP TABLE app_user; -- \"%_\\";
  const r = await request(srv, 'POST', '/api/admin/users', { token: admin.token, body: newUser('robert.tables', { display_name: name }) });
  assert.equal(r.status, 201);
  assert.equal(r.json.display_name, name);
  const list = await request(srv, 'GET', '/api/admin/users?q=' + encodeURIComponent("'); DROP"), { token: admin.token });
  assert.equal(list.status, 200);
  assert.deepEqual(list.json.items.map((u) => u.login), ['robert.tables']);
  const pct = await request(srv, 'GET', '/api/admin/users?q=' + encodeURIComponent('%'), { token: admin.token });
  assert.deepEqual(pct.json.items.map((u) => u.login), ['robert.tables'], 'a % in q matches a literal %');
});

test('the account list is paged with a cursor', async () => {
  for (let i = 0; i < 5; i++)
    assert.equal((await request(srv, 'POST', '/api/admin/users', { token: admin.token, body: newUser(`page.${i}`) })).status, 201);
  const seen = [];
  let after = 0;
  for (let guard = 0; guard < 20; guard++) {
    const r = await request(srv, 'GET', `/api/admin/users?limit=3&after=${after}`, { token: admin.token });
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length <= 3);
    seen.push(...r.json.items.map((u) => u.login));
    if (!r.json.next_after) break;
    after = r.json.next_after;
  }
  assert.equal(new Set(seen).size, seen.length, 'no account twice');
  assert.equal(seen.length, Number(srv.sql('SELECT count(*) FROM app_user')));
  const bad = await request(srv, 'GET', '/api/admin/users?limit=0', { token: admin.token });
  assert.equal(bad.status, 400);
  assert.equal(bad.json.field, 'limit');
});

test('a professional may not administer accounts (403, audited)', async () => {
  const doc = await login(srv, DOCTOR);
  for (const [m, p, body] of [['GET', '/api/admin/users'], ['POST', '/api/admin/users', newUser('sneaky')], ['GET', '/api/audit']]) {
    const r = await request(srv, m, p, { token: doc.token, body });
    assert.equal(r.status, 403, `${m} ${p}`);
    assert.equal(r.json.code, 'role.admin_required');
  }
  const denied = srv.sql("SELECT count(*) FROM audit_event WHERE outcome = 'denied' AND user_login = 'dr.martin'");
  assert.ok(Number(denied) >= 3);
});

test('disabling an account ends its sessions and blocks its logins', async () => {
  const created = await request(srv, 'POST', '/api/admin/users', { token: admin.token, body: newUser('to.disable') });
  const s = await login(srv, { login: 'to.disable', password: 'correct-horse-battery' });
  const r = await request(srv, 'PATCH', `/api/admin/users/${created.json.id}`, { token: admin.token, body: { disabled: true } });
  assert.equal(r.status, 200);
  assert.equal(r.json.disabled, true);
  assert.equal((await request(srv, 'GET', '/api/me', { token: s.token })).status, 401);
  const again = await request(srv, 'POST', '/api/session', { body: { login: 'to.disable', password: 'correct-horse-battery' } });
  assert.equal(again.status, 401);
  const back = await request(srv, 'PATCH', `/api/admin/users/${created.json.id}`, { token: admin.token, body: { disabled: false } });
  assert.equal(back.json.disabled, false);
  await login(srv, { login: 'to.disable', password: 'correct-horse-battery' });
});

test('an administrator cannot disable their own account; unknown ids are 404', async () => {
  const self = await request(srv, 'PATCH', `/api/admin/users/${admin.user.id}`, { token: admin.token, body: { disabled: true } });
  assert.equal(self.status, 409);
  for (const id of ['999999', 'abc', '-1', '1e3']) {
    const r = await request(srv, 'GET', `/api/admin/users/${id}`, { token: admin.token });
    assert.equal(r.status, 404, id);
  }
  const r = await request(srv, 'PATCH', '/api/admin/users/999999', { token: admin.token, body: { disabled: true } });
  assert.equal(r.status, 404);
});
