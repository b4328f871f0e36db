// The worker threads share the connections: a burst of keep-alive connections
// (a reverse proxy's upstream pool, a page's parallel requests) must not all
// land on one worker while the others idle. The listener hands each new
// connection to the event loop holding the fewest; /metrics shows the split.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { startServer } from './lib/server.mjs';

/* Reads one whole answer (Content-Length framed) from a raw socket. */
async function readAnswer(sock) {
  const closed = new Promise((_, reject) => sock.once('close', () => reject(new Error('closed without an answer'))));
  closed.catch(() => {});
  let got = Buffer.alloc(0);
  for (;;) {
    const [chunk] = await Promise.race([once(sock, 'data'), closed]);
    got = Buffer.concat([got, chunk]);
    const end = got.indexOf('\r\n\r\n');
    if (end < 0) continue;
    const head = got.subarray(0, end).toString();
    const length = Number((head.match(/\r\ncontent-length: *(\d+)/i) || [])[1]);
    assert.ok(Number.isInteger(length), head);
    if (got.length >= end + 4 + length)
      return { status: Number(head.slice(9, 12)), head, body: got.subarray(end + 4, end + 4 + length).toString() };
  }
}

/* Opens n connections at once; each sends one keep-alive request and waits
 * for its whole answer, so that the server holds them all. */
async function openMany(port, n) {
  return Promise.all(Array.from({ length: n }, async () => {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {}); // readAnswer sees it; a reset must not be an uncaught error
    await once(s, 'connect');
    s.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    assert.equal((await readAnswer(s)).status, 200);
    return s;
  }));
}

async function loops(srv) {
  const r = await fetch(`${srv.base}/metrics`, { headers: { Connection: 'close' } });
  const text = await r.text();
  return [...text.matchAll(/^parcours_http_connections\{loop="(\d+)"\} (\d+)$/gm)].map((m) => Number(m[2]));
}

for (const threads of [2, 4]) {
  test(`60 connections opened at once are shared by the ${threads} worker threads`, async () => {
    const srv = await startServer({ args: ['--threads', String(threads)] });
    let socks = [];
    try {
      socks = await openMany(srv.port, 60);
      const open = await loops(srv);
      assert.equal(open.length, threads, 'one gauge per event loop');
      // 60 held + the /metrics request's own connection
      assert.equal(open.reduce((a, b) => a + b, 0), 61, `open connections: ${open}`);
      for (const n of open) assert.ok(Math.abs(n - 60 / threads) <= 1, `split ${open}`);

      // closed connections are counted out: a later burst fills the gaps
      for (const s of socks.slice(0, 30)) s.destroy();
      let after = [];
      for (let i = 0; i < 100; i++) {
        after = await loops(srv);
        if (after.reduce((a, b) => a + b, 0) === 31) break;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(after.reduce((a, b) => a + b, 0), 31, `after closing 30: ${after}`);
      socks = socks.slice(30).concat(await openMany(srv.port, 30));
      const refilled = await loops(srv);
      for (const n of refilled) assert.ok(Math.abs(n - 60 / threads) <= 1, `after refilling: ${refilled}`);
    } finally {
      for (const s of socks) s.destroy();
      await srv.close();
    }
  });
}

test('beyond PARCOURS_HTTP_MAX_CONN new connections are closed, and served again once others leave', async () => {
  const srv = await startServer({ env: { PARCOURS_HTTP_MAX_CONN: '8' } });
  let socks = [];
  try {
    socks = await openMany(srv.port, 8);
    const extra = net.connect(srv.port, '127.0.0.1');
    await once(extra, 'connect'); // the kernel accepts; the server closes it
    extra.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    let answered = false;
    extra.on('data', () => { answered = true; });
    extra.on('error', () => {}); // closed with our request unread: a reset
    // (not events.once: it would reject on the reset's 'error' before 'close')
    await Promise.race([new Promise((r) => extra.once('close', r)), new Promise((_, no) => setTimeout(() => no(new Error('not closed')), 5000))]);
    assert.equal(answered, false, 'no answer beyond the limit');
    socks.shift().destroy();
    // the count goes down when the server sees the close: retry a moment
    let served = null;
    for (let i = 0; i < 50 && !served; i++) {
      try { [served] = await openMany(srv.port, 1); } catch { await new Promise((r) => setTimeout(r, 50)); }
    }
    assert.ok(served, 'a connection is served again once one left');
    socks.push(served);
  } finally {
    for (const s of socks) s.destroy();
    await srv.close();
  }
});

test('while stopping: requests on open connections get 503, new connections are refused, the one in flight finishes', async () => {
  const srv = await startServer();
  const [idle] = await openMany(srv.port, 1);
  const slow = net.connect(srv.port, '127.0.0.1');
  try {
    await once(slow, 'connect');
    // a login whose body is not all sent yet: in flight, so the stop waits for it
    const body = JSON.stringify({ login: 'admin', password: 'parcours-admin' });
    slow.write(`POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 10)}`);
    await new Promise((r) => setTimeout(r, 200));
    srv.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(srv.child.exitCode, null, 'still waiting for the request in flight');

    // a new request on a connection that was open before the stop: refused at once, closed
    idle.write('GET /api/me HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const refused = await readAnswer(idle);
    assert.equal(refused.status, 503, refused.head);
    assert.equal(JSON.parse(refused.body).code, 'server.stopping');
    await once(idle, 'close');

    // a new connection: refused
    const late = net.connect(srv.port, '127.0.0.1');
    const [err] = await once(late, 'error');
    assert.equal(err.code, 'ECONNREFUSED');

    // the request in flight completes, then the server exits 0
    slow.write(body.slice(10));
    const done = await readAnswer(slow);
    assert.equal(done.status, 200, done.body);
    assert.ok(JSON.parse(done.body).token);
    const { code, signal } = await srv.exited;
    assert.equal(signal, null);
    assert.equal(code, 0, srv.stderr());
  } finally {
    idle.destroy();
    slow.destroy();
    await srv.close();
  }
});
