// Starts the real `parcours` binary on a fresh database (SQLite file or a new
// PostgreSQL database, by PARCOURS_TEST_BACKEND) and talks HTTP to it.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';

export const BIN = process.env.PARCOURS_BIN || new URL('../../../build/release/parcours', import.meta.url).pathname;
export const BACKEND = process.env.PARCOURS_TEST_BACKEND || 'sqlite';
const PG = process.env.PARCOURS_TEST_PG || '';

export const ADMIN = { login: 'admin', password: 'parcours-admin' };
export const DOCTOR = { login: 'dr.martin', password: 'parcours-demo' };
export const NURSE = { login: 'inf.bernard', password: 'parcours-demo' };

/* Runs a parcours command synchronously; returns {status, stdout, stderr}. */
export function runCli(args, { env = {}, input } = {}) {
  const r = spawnSync(BIN, args, {
    env: { ...process.env, ...env },
    input,
    encoding: 'utf8',
    timeout: 60000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function psql(url, sql) {
  const r = spawnSync('psql', [url, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`psql failed: ${r.stderr}`);
  return r.stdout.trim();
}

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = '/' + name;
  return u.toString();
}

/* A database of its own for one server: created here, dropped by cleanup(). */
export function freshDatabase() {
  const dir = mkdtempSync(join(tmpdir(), 'parcours-e2e-'));
  if (BACKEND === 'postgres') {
    if (!PG) throw new Error('PARCOURS_TEST_PG is not set');
    const name = 'parcours_' + randomBytes(6).toString('hex');
    psql(PG, `CREATE DATABASE ${name}`);
    return {
      dir,
      url: withDatabase(PG, name),
      secret: join(dir, 'secret'),
      sql: (q) => psql(withDatabase(PG, name), q),
      cleanup() {
        try { psql(PG, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`); } catch { /* best effort */ }
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const file = join(dir, 'parcours.db');
  return {
    dir,
    url: 'sqlite:' + file,
    secret: join(dir, 'secret'),
    sql(q) {
      const r = spawnSync('sqlite3', ['-batch', file, q], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`sqlite3 failed: ${r.stderr}`);
      return r.stdout.trim();
    },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

/* Starts `parcours serve` on a fresh, initialised database with the demo
 * accounts. Options: args (extra serve flags), env, demo (default true), db
 * (an existing database), setup (default true: run init, and demo if asked). */
export async function startServer({ args = [], env = {}, demo = true, db, setup = true } = {}) {
  const database = db || freshDatabase();
  const common = ['--db', database.url, '--secret-file', database.secret];
  let r;
  if (setup) {
    r = runCli(['init', ...common]);
    if (r.status !== 0) throw new Error(`init failed: ${r.stderr}`);
  }
  if (setup && demo) {
    r = runCli(['demo', ...common]);
    if (r.status !== 0) throw new Error(`demo failed: ${r.stderr}`);
  }
  const child = spawn(BIN, ['serve', ...common, '--http', '127.0.0.1:0', '--threads', '2', ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; if (stderr.length > 1e6) stderr = stderr.slice(-5e5); });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error('server did not start: ' + stderr)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/listening on http:\/\/127\.0\.0\.1:(\d+)\//);
      if (m) { clearTimeout(timer); resolve(Number(m[1])); }
    });
    exited.then(({ code }) => { clearTimeout(timer); reject(new Error(`server exited ${code}: ${stderr}`)); });
  });
  const base = `http://127.0.0.1:${port}`;
  const server = {
    base, port, child, db: database, common, exited,
    stderr: () => stderr,
    /* SIGTERM and wait; returns {code, signal}. */
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async close() { await server.stop(); database.cleanup(); },
    cli: (a, opts) => runCli([...a, ...common], opts),
    sql: (q) => database.sql(q),
    /* sql() once the events of the requests answered so far are in the trail:
     * a read's event is written to the audit spool before the answer, and
     * moved into audit_event a moment later. */
    async auditSql(q) {
      for (let i = 0; i < 200; i++) {
        const m = await fetch(`${base}/metrics`).then((r) => r.text());
        if (/^parcours_audit_spooled_events 0$/m.test(m)) break;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return database.sql(q);
    },
  };
  return server;
}

/* A second `serve` process on the database (and secret) of a running server,
 * as behind a load balancer. Its close() only stops it: the database belongs
 * to the first server. */
export async function startPeer(server, { args = [], env = {} } = {}) {
  const peer = await startServer({ args, env, db: server.db, setup: false });
  peer.close = async () => { await peer.stop(); };
  return peer;
}

/* One HTTP request. body: an object (sent as JSON) or a string/Buffer (sent
 * as is). Returns {status, headers, text, json}. */
export async function request(server, method, path, { token, cookie, csrf, body, headers = {} } = {}) {
  const h = { ...headers };
  if (token) h.authorization = `Bearer ${token}`;
  if (cookie) h.cookie = cookie;
  if (csrf) h['x-csrf-token'] = csrf;
  let payload;
  if (body !== undefined) {
    if (typeof body === 'string' || Buffer.isBuffer(body)) payload = body;
    else { payload = JSON.stringify(body); h['content-type'] ??= 'application/json'; }
  }
  const res = await fetch(server.base + path, { method, headers: h, body: payload, redirect: 'manual' });
  const text = await res.text();
  let json;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  return { status: res.status, headers: res.headers, text, json };
}

/* Logs in; returns {token, csrf, cookie, user}. Throws unless 200. */
export async function login(server, who) {
  const r = await request(server, 'POST', '/api/session', { body: who });
  if (r.status !== 200) throw new Error(`login ${who.login} failed: ${r.status} ${r.text}`);
  const setCookie = r.headers.get('set-cookie') || '';
  return { token: r.json.token, csrf: r.json.csrf_token, cookie: setCookie.split(';')[0], user: r.json.user };
}
