// Small writes under concurrency. On SQLite, notes, messages and read receipts
// are committed in groups (src/http/write_batch.c): a reply still means
// "committed", a refused request in a group leaves the others intact, and a
// kill -9 loses nothing that was answered. The same tests run on PostgreSQL,
// where each request commits on its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, login, DOCTOR, NURSE } from './lib/server.mjs';
import { adt, connect, frame, parseAck, startHl7Server } from './lib/mllp.mjs';

const COORD = { login: 'coord.dac', password: 'parcours-demo' };

async function patientWithCircle(srv, doc, nurse) {
  const p = await request(srv, 'POST', '/api/patients', {
    token: doc.token,
    body: { birth_family_name: 'Rivière', birth_given_names: ['Anne'], sex: 'F', birth_date: '1938-05-12' },
  });
  assert.equal(p.status, 201, p.text);
  const m = await request(srv, 'POST', `/api/patients/${p.json.id}/circle`, {
    token: doc.token, body: { kind: 'professional', role: 'NURSE', user_id: nurse.user.id },
  });
  assert.equal(m.status, 201, m.text);
  return p.json.id;
}

test('concurrent notes, good and bad mixed: each 201 is one committed note with its audit event and notifications, the refusals write nothing', async () => {
  const srv = await startServer();
  try {
    const [doc, nurse, coord] = await Promise.all([login(srv, DOCTOR), login(srv, NURSE), login(srv, COORD)]);
    const pid = await patientWithCircle(srv, doc, nurse);
    const notesBefore = Number(srv.sql('SELECT count(*) FROM note'));
    const jobs = [];
    for (let i = 0; i < 240; i++) {
      const kind = i % 4;
      if (kind === 0) jobs.push({ want: 201, who: doc, body: { type: 'OBS', text: `note du médecin ${i}` } });
      else if (kind === 1) jobs.push({ want: 201, who: nurse, body: { type: 'INTERV', text: `passage infirmier ${i}` } });
      else if (kind === 2) jobs.push({ want: 422, who: doc, body: { type: 'XYZ', text: `mauvais type ${i}` } });
      else jobs.push({ want: 403, who: coord, body: { type: 'GEN', text: `hors cercle ${i}` } });
    }
    const results = await Promise.all(jobs.map((j) =>
      request(srv, 'POST', `/api/patients/${pid}/notes`, { token: j.who.token, body: j.body })));
    results.forEach((r, i) => assert.equal(r.status, jobs[i].want, `request ${i}: ${r.text}`));
    const created = results.filter((r) => r.status === 201).map((r) => r.json.id);
    assert.equal(new Set(created).size, 120, 'distinct ids');
    assert.equal(Number(srv.sql('SELECT count(*) FROM note')) - notesBefore, 120, 'only the accepted notes');
    assert.equal(srv.sql("SELECT count(*) FROM note WHERE text LIKE 'mauvais type%' OR text LIKE 'hors cercle%'"), '0');
    const stored = new Set(srv.sql(`SELECT id FROM note WHERE patient_id = ${pid}`).split('\n'));
    assert.deepEqual(created.filter((id) => !stored.has(id)), []);
    // each note: its audit event, and the other member notified
    assert.equal(srv.sql(`SELECT count(*) FROM audit_event WHERE action = 'note.create' AND outcome = 'success' AND patient_id = '${pid}'`), '120');
    assert.equal(srv.sql(`SELECT count(*) FROM notification WHERE user_id = ${nurse.user.id} AND kind = 'note.new' AND patient_id = ${pid}`), '60');
    assert.equal(srv.sql(`SELECT count(*) FROM notification WHERE user_id = ${doc.user.id} AND kind = 'note.new' AND patient_id = ${pid}`), '60');
    // every refusal of the outsider is in the trail too
    assert.equal(srv.sql(`SELECT count(*) FROM audit_event WHERE outcome = 'denied' AND user_id = ${coord.user.id} AND patient_id = '${pid}'`), '60');
    const page = await request(srv, 'GET', `/api/patients/${pid}/notes?limit=200`, { token: nurse.token });
    assert.equal(page.json.items.length, 120);
    const verify = srv.cli(['audit', 'verify']);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  } finally { await srv.close(); }
});

test('kill -9 while notes are being posted: every note answered 201 is there after a restart', async () => {
  const srv = await startServer();
  const acked = [];
  let pid;
  try {
    const [doc, nurse] = await Promise.all([login(srv, DOCTOR), login(srv, NURSE)]);
    pid = await patientWithCircle(srv, doc, nurse);
    let n = 0;
    let killed = false;
    const poster = async () => {
      while (!killed) {
        const text = `avant la panne ${n++}`;
        try {
          const r = await request(srv, 'POST', `/api/patients/${pid}/notes`, { token: doc.token, body: { type: 'GEN', text } });
          if (r.status === 201) acked.push(r.json.id);
          if (acked.length >= 300 && !killed) { killed = true; srv.child.kill('SIGKILL'); }
        } catch { return; } // the server is gone
      }
    };
    await Promise.all(Array.from({ length: 24 }, poster));
    assert.ok(acked.length >= 300, `acked ${acked.length}`);
  } finally { await srv.stop(); }
  const again = await startServer({ db: srv.db, setup: false });
  try {
    const stored = new Set(again.sql(`SELECT id FROM note WHERE patient_id = ${pid}`).split('\n'));
    assert.deepEqual(acked.filter((id) => !stored.has(id)), [], 'answered 201 but lost');
    const verify = again.cli(['audit', 'verify']);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  } finally { await again.close(); }
});

test('patients created at once: the same person sent eight times is created once, the others are asked to confirm', async () => {
  // On SQLite creations are committed in groups, one after the other inside the
  // group; on PostgreSQL each one locks its birth year before its duplicate
  // check. Either way, a creation's check sees the creations it races with.
  // Eight workers: the eight copies are checked at the same moment.
  const srv = await startServer({ args: ['--threads', '8'] });
  try {
    const doc = await login(srv, DOCTOR);
    const names = ['Abgrall', 'Bihan', 'Cadiou', 'Daniel', 'Ezanno', 'Floch', 'Gourvennec', 'Hamon',
      'Inizan', 'Jaouen', 'Kerjean', 'Le Gall', 'Morvan', 'Nédélec', 'Olier', 'Pennec', 'Quéré',
      'Riou', 'Salaün', 'Tanguy'];
    const before = Number(srv.sql('SELECT count(*) FROM patient'));
    const jobs = [];
    names.forEach((n, i) => jobs.push({ want: 201, body: { birth_family_name: n, birth_given_names: ['Jean'], sex: 'M', birth_date: `${1920 + i}-03-0${1 + (i % 9)}` } }));
    for (let i = 0; i < 8; i++) {
      jobs.push({ same: true, body: { birth_family_name: 'Quéméneur', birth_given_names: ['Yvonne', 'Marie'], sex: 'F', birth_date: '1941-06-15', birthplace_code: '29019' } });
    }
    for (let i = 0; i < 4; i++) {
      jobs.push({ want: 422, body: { birth_family_name: 'Mauvaise', birth_given_names: ['Clé'], sex: 'F', birth_date: '1950-01-01', ins: { value: '160017512345600', oid: '1.2.250.1.213.1.4.10' } } });
    }
    const results = await Promise.all(jobs.map((j) => request(srv, 'POST', '/api/patients', { token: doc.token, body: j.body })));
    results.forEach((r, i) => { if (jobs[i].want) assert.equal(r.status, jobs[i].want, `request ${i}: ${r.text}`); });
    const same = results.filter((r, i) => jobs[i].same);
    assert.equal(same.filter((r) => r.status === 201).length, 1, same.map((r) => r.status).join(','));
    for (const r of same.filter((x) => x.status !== 201)) {
      assert.equal(r.status, 409, r.text);
      assert.equal(r.json.code, 'patient.possible_duplicate');
    }
    assert.equal(Number(srv.sql('SELECT count(*) FROM patient')) - before, names.length + 1);
    assert.equal(srv.sql("SELECT count(*) FROM patient WHERE norm_birth_name = 'QUEMENEUR'"), '1');
    assert.equal(srv.sql("SELECT count(*) FROM patient WHERE norm_birth_name = 'MAUVAISE'"), '0');
    // each record created: its audit event, and its creator in its care circle
    const created = results.filter((r) => r.status === 201).map((r) => r.json.id);
    assert.equal(created.length, names.length + 1);
    for (const id of created) {
      assert.equal(srv.sql(`SELECT count(*) FROM circle_member WHERE patient_id = ${id}`), '1', `circle of ${id}`);
    }
    assert.equal(await srv.auditSql("SELECT count(*) FROM audit_event WHERE action = 'patient.create' AND outcome = 'success'"), String(names.length + 1));
    assert.equal(await srv.auditSql("SELECT count(*) FROM audit_event WHERE action = 'patient.create' AND outcome = 'failure'"), '7');
    const verify = srv.cli(['audit', 'verify']);
    assert.equal(verify.status, 0, verify.stdout + verify.stderr);
  } finally { await srv.close(); }
});

test('the HL7 identity feed and the API create patients of one birth year at once: every message accepted, every request answered', async () => {
  // HL7 messages are applied in batches; on PostgreSQL a batch holds the audit
  // chain's head from its first message on, while an API creation holds its
  // birth year's lock and then wants that head: the batch must not wait for
  // the year lock (it only tries), or the two wait for each other.
  const srv = await startHl7Server({ args: ['--threads', '4'] });
  try {
    const doc = await login(srv, DOCTOR);
    // a day of 1955 of its own for every record (after the 12th: no day/month
    // swap either), so that none is a duplicate of another
    const day = (n) => `1955-${String(1 + Math.floor(n / 16)).padStart(2, '0')}-${13 + (n % 16)}`;
    const feed = async (k) => {
      const c = await connect(srv.mllpPort);
      const ids = Array.from({ length: 30 }, (_, i) => `C${k}-${i}`);
      await c.write(Buffer.concat(ids.map((id, i) => frame(adt({
        trigger: 'A28', id, ipp: `IPP${k}x${i}`, family: `FLUX${String.fromCharCode(65 + k)}${String.fromCharCode(65 + (i % 26))}${String.fromCharCode(65 + Math.floor(i / 26))}`,
        given: 'ANNE', dob: day(80 + 30 * k + i).replace(/-/g, ''), sex: 'F',
      })))));
      const acks = [];
      for (let i = 0; i < ids.length; i++) acks.push(parseAck(await c.ack()));
      c.close();
      return acks;
    };
    const api = async (k) => {
      const out = [];
      for (let i = 0; i < 20; i++) {
        out.push(await request(srv, 'POST', '/api/patients', { token: doc.token, body: {
          birth_family_name: `Appel${'bcdfghjklm'[k]}${'bcdfghjklmnpqrstvwxz'[i]}ot`, birth_given_names: ['Luc'], sex: 'M',
          birth_date: day(20 * k + i),
        } }));
      }
      return out;
    };
    const [feeds, calls] = await Promise.all([
      Promise.all([0, 1, 2].map(feed)),
      Promise.all([0, 1, 2, 3].map(api)),
    ]);
    for (const a of feeds.flat()) assert.equal(a.code, 'AA', JSON.stringify(a));
    for (const r of calls.flat()) assert.equal(r.status, 201, `${r.text} ${r.json?.duplicates ? JSON.stringify(r.json.duplicates.map((d) => [d.patient?.birth_family_name ?? d.candidate?.birth_family_name, d.score, d.reasons])) : ""}`);
    assert.equal(srv.sql("SELECT count(*) FROM patient WHERE birth_date LIKE '1955-%'"), String(3 * 30 + 4 * 20));
  } finally { await srv.close(); }
});
