// Bad input gets a precise error and leaves the database as it was.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer, request, login, ADMIN } from './lib/server.mjs';

let srv, admin;
before(async () => { srv = await startServer({ args: ['--max-body', '65536'] }); admin = await login(srv, ADMIN); });
after(async () => { await srv.close(); });

const users = () => srv.sql('SELECT count(*) FROM app_user');
const post = (body, headers = { 'content-type': 'application/json' }) =>
  request(srv, 'POST', '/api/admin/users', { token: admin.token, body, headers });

test('malformed JSON: 400 with the position', async () => {
  const n = users();
  for (const body of ['{', '{"login": }', '{"login":"a",}', 'nul', '[1,2', '{"a":"\\u12"}']) {
    const r = await post(body);
    assert.equal(r.status, 400, body);
    assert.equal(r.json.code, 'json.malformed');
    assert.match(r.json.detail, /octet \d+/);
  }
  assert.equal(users(), n);
});

test('JSON that is not an object, trailing garbage, unknown fields', async () => {
  let r = await post('[]');
  assert.equal(r.json.code, 'json.not_object');
  r = await post('"text"');
  assert.equal(r.json.code, 'json.not_object');
  r = await post('{"login":"a"} {"x":1}');
  assert.equal(r.status, 400);
  r = await post(JSON.stringify({ login: 'x.y', display_name: 'X', role: 'admin', password: 'aaaaaaaaaaaa', is_root: true }));
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'field.unknown');
  assert.equal(r.json.field, 'is_root');
});

test('wrong types are named', async () => {
  const r = await post(JSON.stringify({ login: 42, display_name: 'X', role: 'admin', password: 'aaaaaaaaaaaa' }));
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'field.type');
  assert.equal(r.json.field, 'login');
});

test('wrong or missing content type: 415', async () => {
  const body = JSON.stringify({ login: 'ct.test', display_name: 'X', role: 'admin', password: 'aaaaaaaaaaaa' });
  for (const ct of ['text/plain', 'application/x-www-form-urlencoded', 'application/jsonp', '']) {
    const r = await request(srv, 'POST', '/api/admin/users', { token: admin.token, body, headers: ct ? { 'content-type': ct } : {} });
    assert.equal(r.status, 415, ct);
  }
  const ok = await request(srv, 'POST', '/api/admin/users', { token: admin.token, body, headers: { 'content-type': 'application/json; charset=utf-8' } });
  assert.equal(ok.status, 201);
});

test('invalid UTF-8 in the body: 400', async () => {
  const n = users();
  const bytes = Buffer.concat([Buffer.from('{"login":"u8.test","display_name":"'), Buffer.from([0xc3, 0x28]),
    Buffer.from('","role":"admin","password":"aaaaaaaaaaaa"}')]);
  const r = await post(bytes);
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'json.invalid_utf8');
  assert.equal(users(), n);
});

test('an oversized body: 413, and the server keeps serving', async () => {
  const big = JSON.stringify({ login: 'big', display_name: 'x'.repeat(70000), role: 'admin', password: 'aaaaaaaaaaaa' });
  const r = await post(big);
  assert.equal(r.status, 413);
  assert.equal(r.json.code, 'body.too_large');
  assert.equal((await request(srv, 'GET', '/healthz')).status, 200);
});

test('an oversized chunked body (no Content-Length): 413', async () => {
  const status = await new Promise((resolve, reject) => {
    const sock = net.connect(srv.port, '127.0.0.1');
    let data = '';
    sock.on('data', (d) => { data += d; if (data.includes('\r\n\r\n')) { resolve(data.split(' ')[1]); sock.destroy(); } });
    sock.on('error', () => resolve(data.split(' ')[1]));
    sock.write(`POST /api/admin/users HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${admin.token}\r\n` +
      'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n');
    const chunk = 'x'.repeat(8192);
    let sent = 0;
    const pump = () => {
      while (sent < 16 && !sock.destroyed) {
        sent++;
        if (!sock.write(`${chunk.length.toString(16)}\r\n${chunk}\r\n`)) { sock.once('drain', pump); return; }
      }
      if (!sock.destroyed) sock.write('0\r\n\r\n');
    };
    pump();
    setTimeout(() => reject(new Error('no answer')), 10000);
  });
  assert.equal(status, '413');
});

test('garbage on the socket does not take the server down', async () => {
  for (const junk of ['\x00\x01\x02\r\n\r\n', 'GET / HTTP/9.9\r\n\r\n', 'GARBAGE\r\n\r\n', 'GET /' + 'a'.repeat(100000) + ' HTTP/1.1\r\n\r\n']) {
    await new Promise((resolve) => {
      const sock = net.connect(srv.port, '127.0.0.1', () => sock.end(junk));
      sock.on('data', () => {});
      sock.on('error', resolve);
      sock.on('close', resolve);
      setTimeout(() => { sock.destroy(); resolve(); }, 3000);
    });
  }
  assert.equal((await request(srv, 'GET', '/healthz')).status, 200);
});

test('login: missing fields and wrong JSON are precise', async () => {
  let r = await request(srv, 'POST', '/api/session', { body: { login: 'admin' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.field, 'password');
  r = await request(srv, 'POST', '/api/session', { body: '{"login":', headers: { 'content-type': 'application/json' } });
  assert.equal(r.status, 400);
  r = await request(srv, 'POST', '/api/session', { body: { login: "admin' OR '1'='1", password: "' OR '1'='1" } });
  assert.equal(r.status, 401);
});

test('query parameters are checked', async () => {
  for (const q of ['limit=abc', 'limit=-5', 'limit=100000', 'before=x', 'from=2024-02-30', 'to=yesterday', 'user_id=1.5']) {
    const r = await request(srv, 'GET', '/api/audit?' + q, { token: admin.token });
    assert.equal(r.status, 400, q);
    assert.equal(r.json.code, 'query.invalid');
  }
});

test('an escaped NUL is refused rather than silently cutting the value', async () => {
  const n = users();
  const r = await post('{"login":"nul.test","display_name":"Jean\\u0000Admin","role":"admin","password":"aaaaaaaaaaaa"}');
  assert.equal(r.status, 400);
  assert.equal(r.json.code, 'json.nul');
  assert.equal(users(), n);
});
