// Login, logout, bearer and cookie sessions, expiry, throttling, CSRF.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startServer, request, login, ADMIN, DOCTOR } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.close(); });

test('login returns a token, a CSRF token and an HttpOnly SameSite=Strict cookie', async () => {
  const r = await request(srv, 'POST', '/api/session', { body: DOCTOR });
  assert.equal(r.status, 200);
  assert.match(r.json.token, /^[A-Za-z0-9_-]{43}$/);
  assert.match(r.json.csrf_token, /^[0-9a-f]{32}$/);
  assert.equal(r.json.user.login, 'dr.martin');
  assert.equal(r.json.user.role, 'professional');
  assert.equal(r.json.user.password_hash, undefined);
  const cookie = r.headers.get('set-cookie');
  assert.match(cookie, /^parcours_session=[A-Za-z0-9_-]{43};/);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  assert.match(cookie, /Path=\//);
});

test('GET /api/me works with the bearer token and with the cookie', async () => {
  const s = await login(srv, DOCTOR);
  const byToken = await request(srv, 'GET', '/api/me', { token: s.token });
  assert.equal(byToken.status, 200);
  assert.equal(byToken.json.login, 'dr.martin');
  assert.equal(byToken.json.csrf_token, s.csrf);
  const byCookie = await request(srv, 'GET', '/api/me', { cookie: s.cookie });
  assert.equal(byCookie.status, 200);
  assert.equal(byCookie.json.login, 'dr.martin');
});

test('wrong password and unknown login get the same 401', async () => {
  const a = await request(srv, 'POST', '/api/session', { body: { login: 'dr.martin', password: 'nope-nope-nope' } });
  const b = await request(srv, 'POST', '/api/session', { body: { login: 'nobody', password: 'nope-nope-nope' } });
  assert.equal(a.status, 401);
  assert.equal(b.status, 401);
  assert.equal(a.json.code, 'login.invalid');
  assert.equal(a.json.detail, b.json.detail);
  assert.equal(a.headers.get('set-cookie'), null);
});

test('missing, forged and malformed tokens are refused', async () => {
  for (const headers of [{}, { authorization: 'Bearer ' + 'A'.repeat(43) }, { authorization: 'Bearer short' },
    { authorization: 'Basic YWRtaW46eA==' }, { cookie: 'parcours_session=' + 'B'.repeat(43) }]) {
    const r = await request(srv, 'GET', '/api/me', { headers });
    assert.equal(r.status, 401, JSON.stringify(headers));
    assert.match(r.headers.get('content-type'), /problem\+json/);
  }
});

test('logout ends the session for every later request', async () => {
  const s = await login(srv, DOCTOR);
  const out = await request(srv, 'DELETE', '/api/session', { token: s.token });
  assert.equal(out.status, 204);
  assert.match(out.headers.get('set-cookie'), /Max-Age=0/);
  const me = await request(srv, 'GET', '/api/me', { token: s.token });
  assert.equal(me.status, 401);
});

test('CSRF: a cookie-authenticated write needs the X-CSRF-Token header', async () => {
  const s = await login(srv, DOCTOR);
  const body = { current_password: 'parcours-demo', new_password: 'parcours-demo' };
  const none = await request(srv, 'PUT', '/api/me/password', { cookie: s.cookie, body });
  assert.equal(none.status, 403);
  assert.equal(none.json.code, 'csrf.invalid');
  const wrong = await request(srv, 'PUT', '/api/me/password', { cookie: s.cookie, csrf: '0'.repeat(32), body });
  assert.equal(wrong.status, 403);
  const ok = await request(srv, 'PUT', '/api/me/password', { cookie: s.cookie, csrf: s.csrf, body });
  assert.equal(ok.status, 204);
  // logout by cookie is a write too
  const out = await request(srv, 'DELETE', '/api/session', { cookie: s.cookie });
  assert.equal(out.status, 403);
  // bearer clients are not exposed to CSRF: no header needed
  const bearer = await request(srv, 'PUT', '/api/me/password', { token: s.token, body });
  assert.equal(bearer.status, 204);
});

test('changing the password needs the current one and a long enough new one', async () => {
  const s = await login(srv, DOCTOR);
  let r = await request(srv, 'PUT', '/api/me/password', { token: s.token, body: { current_password: 'wrong-wrong', new_password: 'another-password' } });
  assert.equal(r.status, 403);
  assert.equal(r.json.field, 'current_password');
  r = await request(srv, 'PUT', '/api/me/password', { token: s.token, body: { current_password: 'parcours-demo', new_password: 'short' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.field, 'new_password');
});

test('idle and absolute expiry', async () => {
  const idle = await startServer({ args: ['--session-idle', '2'] });
  try {
    const s = await login(idle, ADMIN);
    assert.equal((await request(idle, 'GET', '/api/me', { token: s.token })).status, 200);
    await sleep(2500);
    const r = await request(idle, 'GET', '/api/me', { token: s.token });
    assert.equal(r.status, 401);
    assert.equal(r.json.code, 'session.expired');
  } finally { await idle.close(); }
  const short = await startServer({ args: ['--session-max', '3'] });
  try {
    const s = await login(short, ADMIN);
    const t0 = Date.now();
    // activity does not extend the absolute limit
    for (let i = 0; i < 3; i++) {
      assert.equal((await request(short, 'GET', '/api/me', { token: s.token })).status, 200);
      await sleep(300);
    }
    await sleep(Math.max(0, 3300 - (Date.now() - t0)));
    assert.equal((await request(short, 'GET', '/api/me', { token: s.token })).status, 401);
  } finally { await short.close(); }
});

test('throttling per account: after 5 failures even the right password gets 429', async () => {
  const t = await startServer();
  try {
    for (let i = 0; i < 5; i++) {
      const r = await request(t, 'POST', '/api/session', { body: { login: 'dr.martin', password: 'wrong-' + i } });
      assert.equal(r.status, 401);
    }
    const r = await request(t, 'POST', '/api/session', { body: DOCTOR });
    assert.equal(r.status, 429);
    assert.equal(r.json.code, 'login.throttled');
    const retry = Number(r.headers.get('retry-after'));
    assert.ok(retry > 0 && retry <= 900, `Retry-After ${retry}`);
    // another account from the same address is not locked by this one
    assert.equal((await request(t, 'POST', '/api/session', { body: ADMIN })).status, 200);
  } finally { await t.close(); }
});

test('throttling per client address across logins', async () => {
  const t = await startServer({ env: { PARCOURS_LOGIN_MAX_FAILURES_ADDR: '3', PARCOURS_LOGIN_WINDOW: '6' } });
  try {
    const t0 = Date.now();
    const failures = await Promise.all(['a.one', 'b.two', 'c.three'].map((l) =>
      request(t, 'POST', '/api/session', { body: { login: l, password: 'xxxxxxxxxxxx' } })));
    assert.deepEqual(failures.map((f) => f.status), [401, 401, 401]);
    const r = await request(t, 'POST', '/api/session', { body: ADMIN });
    assert.equal(r.status, 429);
    // the window passes, the address may try again
    await sleep(Math.max(0, 6300 - (Date.now() - t0)));
    assert.equal((await request(t, 'POST', '/api/session', { body: ADMIN })).status, 200);
  } finally { await t.close(); }
});

test('a successful login clears the account failure count', async () => {
  const t = await startServer();
  try {
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 4; i++)
        assert.equal((await request(t, 'POST', '/api/session', { body: { login: 'dr.martin', password: 'bad-password' } })).status, 401);
      assert.equal((await request(t, 'POST', '/api/session', { body: DOCTOR })).status, 200);
    }
  } finally { await t.close(); }
});
