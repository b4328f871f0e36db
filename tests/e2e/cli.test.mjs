// The command line: help, errors, init/serve contracts, user add.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli, freshDatabase, startServer, login, request } from './lib/server.mjs';

test('every command has --help (exit 0)', () => {
  for (const cmd of [[], ['init'], ['serve'], ['user'], ['demo'], ['audit']]) {
    const r = runCli([...cmd, '--help']);
    assert.equal(r.status, 0, cmd.join(' '));
    assert.match(r.stdout, /usage: parcours/);
  }
});

test('unknown commands and options are usage errors (exit 2)', () => {
  assert.equal(runCli(['frobnicate']).status, 2);
  assert.equal(runCli(['serve', '--no-such-flag']).status, 2);
  assert.equal(runCli(['serve', '--threads', 'many']).status, 2);
  assert.equal(runCli([]).status, 2);
});

test('serve refuses a database that was never initialised', () => {
  const db = freshDatabase();
  try {
    // a secret exists but no schema
    runCli(['init', '--db', 'sqlite:' + db.dir + '/other.db', '--secret-file', db.secret]);
    const r = runCli(['serve', '--db', db.url, '--secret-file', db.secret, '--http', '127.0.0.1:0']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /parcours init/);
  } finally { db.cleanup(); }
});

test('serve without a secret file explains what to do', () => {
  const db = freshDatabase();
  try {
    const r = runCli(['serve', '--db', db.url, '--secret-file', db.dir + '/missing', '--http', '127.0.0.1:0']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /secret.*parcours init/);
  } finally { db.cleanup(); }
});

test('an unsupported database URL is refused clearly', () => {
  const r = runCli(['init', '--db', 'mysql://x', '--secret-file', '/tmp/none']);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /unsupported database URL/);
});

test('init is idempotent; user add reads the password from stdin', async () => {
  const srv = await startServer({ demo: false });
  try {
    const again = srv.cli(['init']);
    assert.equal(again.status, 0);
    assert.match(again.stdout, /0 migrations applied/);
    let r = srv.cli(['user', 'add', 'c.coord', '--role', 'coordinator', '--name', 'Céline Coord', '--password-stdin'], { input: 'a-long-password\n' });
    assert.equal(r.status, 0, r.stderr);
    const s = await login(srv, { login: 'c.coord', password: 'a-long-password' });
    assert.equal(s.user.role, 'coordinator');
    assert.equal(s.user.display_name, 'Céline Coord');
    r = srv.cli(['user', 'add', 'c.coord', '--role', 'coordinator', '--password-stdin'], { input: 'a-long-password\n' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /déjà utilisé/);
    r = srv.cli(['user', 'add', 'x.short', '--role', 'admin', '--password-stdin'], { input: 'short\n' });
    assert.equal(r.status, 1);
    r = srv.cli(['user', 'add', 'x.role', '--role', 'root', '--password-stdin'], { input: 'a-long-password\n' });
    assert.equal(r.status, 1);
    assert.equal(srv.cli(['user', 'add', 'x.nopw', '--role', 'admin']).status, 2);
  } finally { await srv.close(); }
});

test('SIGTERM lets an in-flight request finish, then exits 0', async () => {
  const srv = await startServer();
  try {
    // a login takes ~0.1 s (argon2id): signal while it runs
    const pending = request(srv, 'POST', '/api/session', { body: { login: 'admin', password: 'parcours-admin' } });
    await new Promise((r) => setTimeout(r, 30));
    srv.child.kill('SIGTERM');
    const r = await pending;
    assert.equal(r.status, 200);
    const { code } = await srv.exited;
    assert.equal(code, 0);
  } finally { await srv.close(); }
});
