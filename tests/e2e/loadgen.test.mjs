// bench/loadgen.c, the open-loop load generator of the benchmarks: its
// figures are only worth something if it offers the rate it says, counts
// latency from each request's arrival (so that a slow server cannot hide its
// queue), and reports failures instead of dropping them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { spawnSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { startServer, login, DOCTOR, BACKEND } from './lib/server.mjs';

const skip = BACKEND === 'postgres' ? 'the load generator does not depend on the storage backend' : false;
const SRC = new URL('../../bench/loadgen.c', import.meta.url).pathname;
let dir, loadgen;

before(() => {
  if (skip) return;
  dir = mkdtempSync(join(tmpdir(), 'parcours-loadgen-'));
  loadgen = join(dir, 'loadgen');
  const cc = spawnSync('cc', ['-O2', '-std=c17', '-D_GNU_SOURCE', '-Wall', '-Wextra', '-Werror',
    SRC, '-lm', '-o', loadgen], { encoding: 'utf8' });
  assert.equal(cc.status, 0, cc.stderr);
});
after(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/* Runs loadgen (asynchronously: the test's HTTP server lives in this process);
 * returns its exit status, its key=value figures and stderr. */
async function run(args) {
  const child = spawn(loadgen, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '', err = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { err += d; });
  const [status] = await once(child, 'exit');
  const figures = {};
  for (const [, k, v] of out.matchAll(/(\w+)=([0-9.]+)/g)) figures[k] = Number(v);
  return { status, figures, out, err };
}

/* A test server answering each request after `delay` ms; counts requests. */
async function slowServer({ delay = 0, close = false, reset = false } = {}) {
  const seen = { total: 0, paths: new Map(), header: 0 };
  const srv = http.createServer((req, res) => {
    seen.total++;
    seen.paths.set(req.url, (seen.paths.get(req.url) || 0) + 1);
    if (req.headers['x-bench'] === 'yes') seen.header++;
    if (reset && seen.total % 10 === 0) { req.socket.destroy(); return; }
    setTimeout(() => {
      const body = req.url === '/missing' ? 'no' : 'bonjour';
      res.writeHead(req.url === '/missing' ? 404 : 200, {
        'Content-Type': 'text/plain', 'Content-Length': body.length,
        ...(close ? { Connection: 'close' } : {}),
      });
      res.end(body);
    }, delay);
  });
  srv.keepAliveTimeout = 60000;
  srv.listen(0, '127.0.0.1');
  await once(srv, 'listening');
  return { srv, seen, url: `http://127.0.0.1:${srv.address().port}` };
}

test('offers the requested rate, spreads it over the paths, sends the headers', { skip }, async () => {
  const s = await slowServer({ delay: 20 });
  try {
    const paths = join(dir, 'paths');
    writeFileSync(paths, '/a\n/b?x=1\n\n/c\n');
    const r = await run(['-r', '200', '-d', '2', '-w', '0.5', '-c', '8', '-H', 'X-Bench: yes',
      '-p', paths, `${s.url}/`]);
    assert.equal(r.status, 0, r.out + r.err);
    // Poisson arrivals: 300 measured on average (1.5 s at 200/s), 400 sent
    assert.ok(r.figures.measured > 220 && r.figures.measured < 380, r.out);
    assert.ok(s.seen.total > 300 && s.seen.total < 500, `server saw ${s.seen.total}`);
    assert.equal(s.seen.header, s.seen.total, 'every request carries the -H header');
    assert.deepEqual([...s.seen.paths.keys()].sort(), ['/a', '/b?x=1', '/c']);
    for (const n of s.seen.paths.values()) assert.ok(Math.abs(n - s.seen.total / 3) <= 1, 'paths taken in turn');
    assert.equal(r.figures.failed, 0);
    assert.equal(r.figures.non2xx, 0);
    assert.equal(r.figures.incomplete, 0);
    // every answer takes 20 ms; 8 connections are plenty for 200/s
    assert.ok(r.figures.p50_ms >= 20 && r.figures.p50_ms < 60, r.out);
  } finally { s.srv.close(); s.srv.closeAllConnections(); }
});

test('a server slower than the arrivals: the wait for a connection is in the latency', { skip }, async () => {
  // one connection, 20 ms per answer = 50 answers/s at most, 100/s arriving:
  // a closed loop would report ~20 ms for every request
  const s = await slowServer({ delay: 20 });
  try {
    const r = await run(['-r', '100', '-d', '2', '-w', '0', '-c', '1', `${s.url}/`]);
    assert.equal(r.status, 0, r.out + r.err);
    assert.equal(r.figures.incomplete, 0, 'the queue is drained after the end');
    assert.ok(r.figures.measured > 150, r.out);
    assert.ok(r.figures.achieved < 70, 'the server answered at most ~50/s' + r.out);
    assert.ok(r.figures.p99_ms > 500, `queued requests count their wait: ${r.out}`);
    assert.ok(r.figures.p50_ms > 100, r.out);
  } finally { s.srv.close(); s.srv.closeAllConnections(); }
});

test('non-2xx answers, closed connections and lost requests are counted, not hidden', { skip }, async () => {
  const closing = await slowServer({ close: true });
  try {
    const r = await run(['-r', '300', '-d', '1', '-w', '0', '-c', '4', `${closing.url}/missing`]);
    assert.equal(r.status, 0, r.out + r.err);
    assert.ok(r.figures.measured > 200, r.out);
    assert.equal(r.figures.non2xx, r.figures.measured, 'every 404 counted');
    assert.equal(r.figures.failed, 0, 'Connection: close is followed by a new connection, not a failure');
  } finally { closing.srv.close(); closing.srv.closeAllConnections(); }

  const resetting = await slowServer({ reset: true });
  try {
    const r = await run(['-r', '300', '-d', '1', '-w', '0', '-c', '4', '-t', '2', `${resetting.url}/`]);
    assert.equal(r.status, 2, 'exit 2 when requests were lost: ' + r.out + r.err);
    // a tenth lost: they count in the percentiles as the timeout, 2 s
    assert.equal(r.figures.p99_ms, 2000, r.out);
    assert.ok(r.figures.p50_ms < 100, r.out);
    const lost = Math.floor(resetting.seen.total / 10);
    assert.ok(Math.abs(r.figures.failed - lost) <= 1, `${lost} connections reset, ${r.out}`);
    assert.equal(r.figures.measured + r.figures.failed, resetting.seen.total, r.out);
  } finally { resetting.srv.close(); resetting.srv.closeAllConnections(); }
});

test('refuses anything but a loopback address, and bad arguments', { skip }, async () => {
  let r = await run(['-r', '10', '-d', '1', '-w', '0', 'http://10.1.2.3:80/']);
  assert.equal(r.status, 1);
  assert.match(r.err, /loopback/);
  r = await run(['-r', '10', '-d', '1', '-w', '0', 'http://localhost:80/']);
  assert.equal(r.status, 1);
  assert.match(r.err, /numeric IPv4/);
  r = await run(['-r', '0', '-d', '1', '-w', '0', 'http://127.0.0.1:80/']);
  assert.equal(r.status, 1);
  r = await run(['-r', '10', '-d', '1', '-w', '2', 'http://127.0.0.1:80/']);
  assert.equal(r.status, 1, 'warm-up longer than the run');
  r = await run(['-r', '10', '-d', '1', '-w', '0', '-p', join(dir, 'none'), 'http://127.0.0.1:80/']);
  assert.equal(r.status, 1);
});

test('measures the real server: authenticated GET /api/me at a fixed rate', { skip }, async () => {
  const srv = await startServer();
  try {
    const doc = await login(srv, DOCTOR);
    const r = await run(['-r', '500', '-d', '2', '-w', '0.5', '-c', '16',
      '-H', `Authorization: Bearer ${doc.token}`, `${srv.base}/api/me`]);
    assert.equal(r.status, 0, r.out + r.err);
    assert.ok(r.figures.measured > 600 && r.figures.measured < 900, r.out);
    assert.equal(r.figures.non2xx, 0, 'the token is accepted on every request');
    assert.ok(r.figures.p50_ms > 0 && r.figures.p50_ms < r.figures.max_ms + 1e-9, r.out);
    const anon = await run(['-r', '200', '-d', '1', '-w', '0', `${srv.base}/api/me`]);
    assert.equal(anon.figures.non2xx, anon.figures.measured, 'without the token: every answer is a 401');
  } finally { await srv.close(); }
});
