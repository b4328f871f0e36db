import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, login, ADMIN, BACKEND } from './lib/server.mjs';

let srv;
before(async () => { srv = await startServer(); });
after(async () => { await srv.close(); });

test('GET /healthz answers ok and names the backend', async () => {
  const r = await request(srv, 'GET', '/healthz');
  assert.equal(r.status, 200);
  assert.deepEqual(r.json, { status: 'ok', database: BACKEND });
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
});

test('a plain X-Request-Id is kept, a strange one is replaced', async () => {
  let r = await request(srv, 'GET', '/healthz', { headers: { 'x-request-id': 'abc-123' } });
  assert.equal(r.headers.get('x-request-id'), 'abc-123');
  r = await request(srv, 'GET', '/healthz', { headers: { 'x-request-id': 'a"b<c>' } });
  assert.match(r.headers.get('x-request-id'), /^[0-9a-f]{16}$/);
});

test('unknown API route: 404 problem+json', async () => {
  const r = await request(srv, 'GET', '/api/nope');
  assert.equal(r.status, 404);
  assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  assert.equal(r.json.code, 'not_found');
  assert.equal(r.json.status, 404);
  assert.ok(r.json.request_id);
});

test('wrong method: 405 with Allow', async () => {
  const r = await request(srv, 'PUT', '/api/session');
  assert.equal(r.status, 405);
  assert.equal(r.headers.get('allow'), 'POST, DELETE');
  assert.equal(r.json.code, 'method.not_allowed');
});

test('security headers on every response', async () => {
  const r = await request(srv, 'GET', '/healthz');
  assert.match(r.headers.get('content-security-policy'), /script-src 'self'/);
  assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(r.headers.get('x-frame-options'), 'DENY');
});

test('/metrics counts requests by route and status and has a latency histogram', async () => {
  const s = await login(srv, ADMIN);
  await request(srv, 'GET', '/api/me', { token: s.token });
  await request(srv, 'GET', '/api/me');
  const r = await request(srv, 'GET', '/metrics');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/plain/);
  assert.match(r.text, /parcours_http_requests_total\{route="GET \/api\/me",status="200"\} [1-9]/);
  assert.match(r.text, /parcours_http_requests_total\{route="GET \/api\/me",status="401"\} [1-9]/);
  assert.match(r.text, /parcours_http_request_duration_seconds_bucket\{le="\+Inf"\} [1-9]/);
  assert.match(r.text, /parcours_db_errors_total \d+/);
});

test('the web application is served at / with a CSP and no inline script', async () => {
  const r = await request(srv, 'GET', '/');
  assert.equal(r.status, 200);
  assert.match(r.headers.get('content-type'), /^text\/html/);
  assert.match(r.text, /<html lang="fr"/);
  assert.doesNotMatch(r.text, /<script>(?!<\/script>)/);
  const missing = await request(srv, 'GET', '/nope.js');
  assert.equal(missing.status, 404);
  const traversal = await request(srv, 'GET', '/..%2F..%2Fetc%2Fpasswd');
  assert.notEqual(traversal.status, 500);
  assert.doesNotMatch(traversal.text, /root:/);
});
