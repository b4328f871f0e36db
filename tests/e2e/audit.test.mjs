// The audit trail: what is recorded, how it is read, and that tampering shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { startServer, freshDatabase, request, login, ADMIN, DOCTOR, BACKEND } from './lib/server.mjs';

let srv, admin;
before(async () => { srv = await startServer(); admin = await login(srv, ADMIN); });
after(async () => { await srv.close(); });

test('logins, failures and refusals are audited with who, where and the request id', async () => {
  await request(srv, 'POST', '/api/session', { body: { login: 'dr.martin', password: 'wrong-password' } });
  const doc = await login(srv, DOCTOR);
  const refused = await request(srv, 'GET', '/api/audit', { token: doc.token });
  assert.equal(refused.status, 403);
  const r = await request(srv, 'GET', '/api/audit?limit=500', { token: admin.token });
  assert.equal(r.status, 200);
  const items = r.json.items;
  const failure = items.find((e) => e.action === 'session.login' && e.outcome === 'failure' && e.user_login === 'dr.martin');
  assert.ok(failure, 'failed login recorded');
  assert.equal(failure.detail, 'wrong password');
  assert.equal(failure.client_addr, '127.0.0.1');
  const success = items.find((e) => e.action === 'session.login' && e.outcome === 'success' && e.user_login === 'dr.martin');
  assert.ok(success);
  const denied = items.find((e) => e.outcome === 'denied' && e.request_id === refused.json.request_id);
  assert.ok(denied, 'the refusal carries the request id of the refused request');
  assert.equal(denied.user_login, 'dr.martin');
  // newest first, dense sequence
  const seqs = items.map((e) => Number(e.seq));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a));
});

test('filters and paging', async () => {
  const byUser = await request(srv, 'GET', `/api/audit?user_id=${admin.user.id}`, { token: admin.token });
  assert.ok(byUser.json.items.length > 0);
  assert.ok(byUser.json.items.every((e) => e.user_id === admin.user.id));
  const byAction = await request(srv, 'GET', '/api/audit?action=user.create', { token: admin.token });
  assert.ok(byAction.json.items.length >= 4);
  assert.ok(byAction.json.items.every((e) => e.action === 'user.create'));
  const future = await request(srv, 'GET', '/api/audit?from=2999-01-01', { token: admin.token });
  assert.deepEqual(future.json.items, []);
  const today = new Date().toISOString().slice(0, 10);
  const dated = await request(srv, 'GET', `/api/audit?from=${today}`, { token: admin.token });
  assert.ok(dated.json.items.length > 0);
  // walk all pages of 2
  let before = 0, total = 0;
  for (let guard = 0; guard < 500; guard++) {
    const p = await request(srv, 'GET', `/api/audit?limit=2${before ? '&before=' + before : ''}`, { token: admin.token });
    total += p.json.items.length;
    if (!p.json.next_before) break;
    before = p.json.next_before;
  }
  assert.ok(total >= 8);
});

test('audit verify passes on an untouched trail', () => {
  const r = srv.cli(['audit', 'verify']);
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /intact \(\d+ events\)/);
});

test('the table refuses UPDATE and DELETE (append-only trigger)', () => {
  assert.throws(() => srv.sql("UPDATE audit_event SET detail = 'x' WHERE seq = 1"), /append-only/);
  assert.throws(() => srv.sql('DELETE FROM audit_event WHERE seq = 1'), /append-only/);
});


test('audit verify names the first edited event', async () => {
  const t = await startServer();
  try {
    await login(t, ADMIN);
    await login(t, DOCTOR);
    assert.equal(t.cli(['audit', 'verify']).status, 0);
    t.sql(BACKEND === 'sqlite' ? 'DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete;' : 'DROP TRIGGER audit_event_no_change ON audit_event');
    t.sql("UPDATE audit_event SET user_login = 'someone.else' WHERE seq = 3");
    const r = t.cli(['audit', 'verify']);
    assert.equal(r.status, 1);
    assert.match(r.stdout, /BROKEN at event 3: event 3 was altered/);
  } finally { await t.close(); }
});

test('audit verify detects a deleted event, a reordering and a cut tail', async () => {
  for (const tamper of ['delete', 'reorder', 'tail']) {
    const t = await startServer();
    try {
      await login(t, ADMIN);
      await login(t, DOCTOR);
      t.sql(BACKEND === 'sqlite' ? 'DROP TRIGGER audit_event_no_update; DROP TRIGGER audit_event_no_delete;' : 'DROP TRIGGER audit_event_no_change ON audit_event');
      const last = Number(t.sql('SELECT max(seq) FROM audit_event'));
      if (tamper === 'delete') t.sql('DELETE FROM audit_event WHERE seq = 2');
      if (tamper === 'reorder') t.sql('UPDATE audit_event SET seq = -seq WHERE seq IN (2, 3); UPDATE audit_event SET seq = 5 - seq WHERE seq IN (-2, -3); UPDATE audit_event SET seq = -seq WHERE seq < 0');
      if (tamper === 'tail') t.sql(`DELETE FROM audit_event WHERE seq = ${last}`);
      const r = t.cli(['audit', 'verify']);
      assert.equal(r.status, 1, `${tamper}: ${r.stdout}`);
      assert.match(r.stdout, /BROKEN at event \d+/, tamper);
      if (tamper === 'delete') assert.match(r.stdout, /event 2 is missing/);
      if (tamper === 'tail') assert.match(r.stdout, new RegExp(`BROKEN at event ${last}`));
    } finally { await t.close(); }
  }
});

test('a forged hash made without the secret is detected', async () => {
  const t = await startServer();
  try {
    await login(t, ADMIN);
    t.sql(BACKEND === 'sqlite' ? 'DROP TRIGGER audit_event_no_update;' : 'DROP TRIGGER audit_event_no_change ON audit_event');
    // copy event 1's hash onto event 2: still detected (hash covers every field)
    t.sql('UPDATE audit_event SET hash = (SELECT hash FROM audit_event WHERE seq = 1) WHERE seq = 2');
    assert.equal(t.cli(['audit', 'verify']).status, 1);
  } finally { await t.close(); }
});

test("a patient's and a user's events are found however far apart in the trail (its indexes are grouped by epochs of 65,536 events)", async () => {
  const t = await startServer();
  try {
    const adm = await login(t, ADMIN);
    // events of one patient and one user in epochs 0, 1, 3 and 15, none between
    const seqs = [60000, 70000, 200000, 1000000];
    t.sql(seqs.map((seq) => 'INSERT INTO audit_event (seq, at, user_id, action, patient_id, outcome, prev_hash, hash)' +
      ` VALUES (${seq}, ${1700000000000 + seq}, 424242, 'test.epoch', 'EPOCH-P', 'success', 'x', 'x');`).join(' ') +
      ' UPDATE audit_head SET seq = 1000010;');
    for (const filter of ['patient_id=EPOCH-P', 'user_id=424242']) {
      const all = await request(t, 'GET', `/api/audit?${filter}&action=test.epoch&limit=10`, { token: adm.token });
      assert.equal(all.status, 200, all.text);
      assert.deepEqual(all.json.items.map((e) => Number(e.seq)), [...seqs].reverse(), filter);
      assert.equal(all.json.next_before, null);
      // one at a time, with the cursor
      const walked = [];
      let before = 0;
      for (let guard = 0; guard < 10; guard++) {
        const p = await request(t, 'GET', `/api/audit?${filter}&action=test.epoch&limit=1${before ? '&before=' + before : ''}`, { token: adm.token });
        walked.push(...p.json.items.map((e) => Number(e.seq)));
        if (!p.json.next_before) break;
        before = p.json.next_before;
      }
      assert.deepEqual(walked, [...seqs].reverse(), filter);
      // a cursor inside an epoch, and other filters applied in each epoch
      const older = await request(t, 'GET', `/api/audit?${filter}&action=test.epoch&before=200000`, { token: adm.token });
      assert.deepEqual(older.json.items.map((e) => Number(e.seq)), [70000, 60000], filter);
      const dated = await request(t, 'GET', `/api/audit?${filter}&action=test.epoch&to=2023-11-14`, { token: adm.token });
      assert.deepEqual(dated.json.items.map((e) => Number(e.seq)), [], filter);
    }
    // the administrator's login (epoch 0) and reads of the trail (epoch 15, after the head moved)
    const mine = await request(t, 'GET', `/api/audit?user_id=${adm.user.id}&limit=500`, { token: adm.token });
    assert.ok(mine.json.items.some((e) => e.action === 'audit.read' && Number(e.seq) > 1000010), mine.text);
    assert.ok(mine.json.items.some((e) => e.action === 'session.login' && Number(e.seq) < 60000), mine.text);
  } finally { await t.close(); }
});

const blockTrail = BACKEND === 'postgres'
  ? "CREATE FUNCTION block_audit() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'audit offline'; END $$ LANGUAGE plpgsql;" +
    ' CREATE TRIGGER block_audit BEFORE INSERT ON audit_event FOR EACH ROW EXECUTE FUNCTION block_audit();'
  : "CREATE TRIGGER block_audit BEFORE INSERT ON audit_event BEGIN SELECT RAISE(ABORT, 'audit offline'); END;";
const unblockTrail = 'DROP TRIGGER block_audit' + (BACKEND === 'postgres' ? ' ON audit_event' : '');

/* A patient with one note; returns its notes path. */
async function patientWithNote(s, token) {
  const p = await request(s, 'POST', '/api/patients', {
    token, body: { birth_family_name: 'Secret', birth_given_names: ['Anne'], sex: 'F', birth_date: '1950-01-01' },
  });
  assert.equal(p.status, 201, p.text);
  const notes = `/api/patients/${p.json.id}/notes`;
  assert.equal((await request(s, 'POST', notes, { token, body: { type: 'GEN', text: 'texte confidentiel' } })).status, 201);
  return notes;
}

async function spooledEvents(s) {
  const m = await (await fetch(`${s.base}/metrics`)).text();
  return Number(/^parcours_audit_spooled_events (\d+)$/m.exec(m)[1]);
}

test('no data without its audit event: without a spool, when the trail cannot be written, reads and writes answer 500 and give nothing', async () => {
  const s = await startServer({ env: { PARCOURS_AUDIT_SPOOL: 'off' } });
  try {
    const doc = await login(s, DOCTOR);
    const notes = await patientWithNote(s, doc.token);
    s.sql(blockTrail);
    const read = await request(s, 'GET', notes, { token: doc.token });
    assert.equal(read.status, 500);
    assert.equal(read.json.code, 'audit.unavailable');
    assert.ok(!read.text.includes('confidentiel'), 'the data does not leave');
    const write = await request(s, 'POST', notes, { token: doc.token, body: { type: 'GEN', text: 'pendant la panne' } });
    assert.equal(write.status, 500);
    assert.equal(s.sql("SELECT count(*) FROM note WHERE text = 'pendant la panne'"), '0', 'a write without its event is rolled back');
    s.sql(unblockTrail);
    const again = await request(s, 'GET', notes, { token: doc.token });
    assert.equal(again.status, 200);
    assert.equal(again.json.items[0].text, 'texte confidentiel');
    assert.equal(s.cli(['audit', 'verify']).status, 0);
  } finally { await s.close(); }
});

/* SQLite spools beside the database by default; PostgreSQL where told. */
function spoolEnv(db) {
  return BACKEND === 'postgres' ? { PARCOURS_AUDIT_SPOOL: `${db.dir}/audit-spool` } : {};
}
function spoolPath(db) {
  return BACKEND === 'postgres' ? `${db.dir}/audit-spool` : db.url.slice('sqlite:'.length) + '-audit';
}

test('with the audit spool, a read is answered once its event is in the spool; the event reaches the trail when the trail is writable again', async () => {
  const db = freshDatabase();
  const s = await startServer({ db, env: spoolEnv(db) });
  try {
    const doc = await login(s, DOCTOR);
    const notes = await patientWithNote(s, doc.token);
    s.sql(blockTrail);
    const read = await request(s, 'GET', notes, { token: doc.token });
    assert.equal(read.status, 200, 'the event is durable in the spool');
    assert.equal(read.json.items[0].text, 'texte confidentiel');
    assert.ok(await spooledEvents(s) >= 1, 'and waits there');
    for (let i = 0; i < 500 && !/could not commit a batch of audit events/.test(s.stderr()); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(s.stderr(), /could not commit a batch of audit events/, 'the writer says why');
    const write = await request(s, 'POST', notes, { token: doc.token, body: { type: 'GEN', text: 'pendant la panne' } });
    assert.equal(write.status, 500, 'a write still commits with its event or not at all');
    assert.equal(s.sql("SELECT count(*) FROM note WHERE text = 'pendant la panne'"), '0');
    s.sql(unblockTrail);
    const moved = await s.auditSql(`SELECT count(*) FROM audit_event WHERE action = 'note.read' AND request_id = '${read.headers.get('x-request-id')}'`);
    assert.equal(moved, '1', 'the spooled event is in the trail');
    assert.equal(await spooledEvents(s), 0);
    assert.equal(s.cli(['audit', 'verify']).status, 0);
  } finally { await s.close(); }
});

test('events spooled before a kill -9 are moved into the trail at the next start; a record cut short is dropped', async () => {
  const db = freshDatabase();
  const env = { ...spoolEnv(db), PARCOURS_AUDIT_SPOOL_GATHER_US: '60000000' }; // nothing moves before the kill
  let s = await startServer({ db, env });
  try {
    const doc = await login(s, DOCTOR);
    const notes = await patientWithNote(s, doc.token);
    const before = Number(s.sql('SELECT count(*) FROM audit_event'));
    const ids = [];
    for (let i = 0; i < 20; i++) {
      const r = await request(s, 'GET', notes, { token: doc.token });
      assert.equal(r.status, 200);
      ids.push(r.headers.get('x-request-id'));
    }
    assert.ok(await spooledEvents(s) >= 19, 'the reads wait in the spool');
    s.child.kill('SIGKILL');
    await s.exited;
    assert.ok(Number(s.sql('SELECT count(*) FROM audit_event')) < before + 20, 'not moved before the kill');
    appendFileSync(spoolPath(db), Buffer.from([0x40, 0, 0, 0, 1, 2, 3])); // a torn write
    s = await startServer({ db, env, setup: false });
    const found = s.sql(`SELECT request_id FROM audit_event WHERE action = 'note.read' ORDER BY seq`).split('\n');
    for (const id of ids) assert.ok(found.includes(id), `read ${id} is in the trail`);
    // logged before "listening", but on stderr: its pipe may be read after stdout's
    const logged = () => /events of an earlier run moved/.test(s.stderr()) && /7 bytes after the last whole event ignored/.test(s.stderr());
    for (let i = 0; i < 500 && !logged(); i++) await new Promise((r) => setTimeout(r, 10));
    assert.match(s.stderr(), /20 events of an earlier run moved into the trail|events of an earlier run moved/);
    assert.match(s.stderr(), /7 bytes after the last whole event ignored/);
    assert.equal(s.cli(['audit', 'verify']).status, 0);
    // the spool starts again empty, and keeps working
    assert.equal((await request(s, 'GET', notes, { token: (await login(s, DOCTOR)).token })).status, 200);
  } finally { await s.close(); }
});

test('reading the trail waits for the events still in the spool, whatever the moment they are moved', async () => {
  const db = freshDatabase();
  const s = await startServer({ db, env: { ...spoolEnv(db), PARCOURS_AUDIT_SPOOL_GATHER_US: '60000000' } });
  try {
    const doc = await login(s, DOCTOR);
    const adm = await login(s, ADMIN);
    const notes = await patientWithNote(s, doc.token);
    // the writer moves the first spooled event at once (no commit yet to wait
    // after), with whatever was spooled before it woke: let that happen first,
    // then the next events wait their minute
    assert.equal((await request(s, 'GET', notes, { token: doc.token })).status, 200);
    for (let t = 0; t < 200 && BACKEND === 'sqlite' && await spooledEvents(s) > 0; t++) await new Promise((r) => setTimeout(r, 50));
    if (BACKEND === 'sqlite') assert.equal(await spooledEvents(s), 0, 'the first move is done');
    const ids = [];
    for (let i = 0; i < 3; i++) {
      const refused = await request(s, 'GET', '/api/audit', { token: doc.token });
      assert.equal(refused.status, 403);
      const read = await request(s, 'GET', notes, { token: doc.token });
      assert.equal(read.status, 200);
      ids.push(refused.headers.get('x-request-id'), read.headers.get('x-request-id'));
    }
    if (BACKEND === 'sqlite') assert.ok(await spooledEvents(s) >= 5, 'they wait in the spool (moved once a minute here)');
    const r = await request(s, 'GET', '/api/audit?limit=500', { token: adm.token });
    assert.equal(r.status, 200);
    const seen = new Set(r.json.items.map((e) => e.request_id));
    for (const id of ids) assert.ok(seen.has(id), `event of request ${id} listed`);
    assert.ok(await spooledEvents(s) <= 1, 'only the reading of the trail itself waits now');
  } finally { await s.close(); }
});
