// Synthetic identities: `parcours synth` loads a set with its ground truth in
// one transaction and one audit event; the API then finds the known duplicates.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, freshDatabase, runCli, request, login, ADMIN, DOCTOR } from './lib/server.mjs';

const COORD = { login: 'coord.dac', password: 'parcours-demo' };
const N = 400;
let db, srv, doc, coord, truth, truthFile;

before(async () => {
  db = freshDatabase();
  const common = ['--db', db.url, '--secret-file', db.secret];
  let r = runCli(['init', ...common]);
  assert.equal(r.status, 0, r.stderr);
  truthFile = join(db.dir, 'truth.csv');
  r = runCli(['synth', '--patients', String(N), '--duplicates', '0.1', '--seed', '7', '--truth', truthFile, ...common]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`${N} synthetic patients loaded \\(ids 1-${N}, 40 duplicates\\)`));
  assert.match(r.stdout, /patients\/s/);
  truth = readFileSync(truthFile, 'utf8').trim().split('\n');
  srv = await startServer({ db });
  let admin;
  [doc, coord, admin] = await Promise.all([login(srv, DOCTOR), login(srv, COORD), login(srv, ADMIN)]);
  // synthetic patients are in nobody's care circle: the DAC coordinator of a
  // territory covering their postcodes reviews their duplicates
  const codes = srv.sql('SELECT DISTINCT postcode FROM patient WHERE postcode IS NOT NULL').split('\n');
  const t = await request(srv, 'POST', '/api/admin/territories', { token: admin.token, body: { name: 'Synthétique', codes } });
  assert.equal(t.status, 201, t.text);
  const a = await request(srv, 'POST', `/api/admin/territories/${t.json.id}/coordinators`, { token: admin.token, body: { user_id: coord.user.id } });
  assert.equal(a.status, 204, a.text);
});
after(async () => { await srv.close(); });

test('the truth file lists every duplicate with its original and its kind', () => {
  assert.equal(truth[0], 'original_id,duplicate_id,kind');
  const pairs = truth.slice(1).map((l) => l.split(','));
  assert.equal(pairs.length, 40);
  const kinds = new Set(['typo_substitution', 'typo_insertion', 'typo_deletion', 'typo_transposition',
    'given_names_swapped', 'given_name_missing', 'accents_dropped', 'used_name_as_birth_name', 'day_month_swapped']);
  const originals = new Set();
  for (const [o, d, k] of pairs) {
    assert.ok(kinds.has(k), k);
    assert.ok(Number(o) >= 1 && Number(o) <= N - 40, `original ${o}`);
    assert.ok(Number(d) > N - 40 && Number(d) <= N, `duplicate ${d}`);
    originals.add(o);
  }
  assert.equal(originals.size, 40, 'one duplicate per original');
});

test('one bulk-load audit event, no per-patient event; status history recorded', () => {
  assert.equal(Number(srv.sql('SELECT count(*) FROM patient')), N);
  assert.equal(srv.sql("SELECT count(*) FROM audit_event WHERE action = 'patient.bulk_load'"), '1');
  assert.equal(srv.sql("SELECT count(*) FROM audit_event WHERE action = 'patient.create'"), '0');
  assert.match(srv.sql("SELECT detail FROM audit_event WHERE action = 'patient.bulk_load'"), /400 synthetic patients, 40 corrupted duplicates, seed 7/);
  const notProv = Number(srv.sql("SELECT count(*) FROM patient WHERE identity_status <> 'PROV'"));
  assert.ok(notProv > N / 2, `${notProv} qualified or validated`);
  assert.equal(Number(srv.sql('SELECT count(*) FROM identity_status_change')), notProv);
  const withIns = Number(srv.sql('SELECT count(*) FROM patient WHERE ins_value IS NOT NULL'));
  assert.ok(withIns > N * 0.45 && withIns < N * 0.65, `${withIns} with an INS`);
  const r = runCli(['audit', 'verify', ...srv.common]);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('the API finds the known duplicates of the synthetic set', async () => {
  // outside the circle and the territory: refused
  const refused = await request(srv, 'GET', `/api/patients/${N}/duplicates`, { token: doc.token });
  assert.equal(refused.status, 403);
  const pairs = truth.slice(1).map((l) => l.split(','));
  let found = 0;
  for (const [original, duplicate, kind] of pairs) {
    const r = await request(srv, 'GET', `/api/patients/${duplicate}/duplicates`, { token: coord.token });
    assert.equal(r.status, 200, r.text);
    const hit = r.json.candidates.find((c) => c.patient.id === original);
    if (hit) {
      found++;
      assert.ok(hit.score >= 75, `${kind}: score ${hit.score}`);
    }
  }
  assert.ok(found >= 38, `${found} of 40 duplicates found`);
  // the first pair, with its reasons
  const [original, duplicate, kind] = pairs[0];
  const r = await request(srv, 'GET', `/api/patients/${duplicate}/duplicates`, { token: coord.token });
  const hit = r.json.candidates.find((c) => c.patient.id === original);
  assert.ok(hit, `${kind} pair ${original},${duplicate} found`);
  assert.ok(hit.reasons.some((x) => x.trait === 'birth_name'));
  // and it is now listed for review
  const a = Math.min(Number(original), Number(duplicate)), b = Math.max(Number(original), Number(duplicate));
  assert.equal(srv.sql(`SELECT status FROM duplicate_candidate WHERE patient_a = ${a} AND patient_b = ${b}`), 'open');
});

test('synthetic records are searchable as identitovigilance asks: birth date + 3 letters, INS', async () => {
  const row = srv.sql("SELECT id || '|' || birth_date || '|' || norm_birth_name || '|' || ins_value FROM patient WHERE ins_value IS NOT NULL ORDER BY id LIMIT 1").split('|');
  const [id, date, name, ins] = row;
  let r = await request(srv, 'GET', `/api/patients?${new URLSearchParams({ birth_date: date, name: name.slice(0, 3) })}`, { token: doc.token });
  assert.equal(r.status, 200, r.text);
  assert.ok(r.json.items.some((p) => p.id === id), r.text);
  r = await request(srv, 'GET', `/api/patients?ins=${ins}`, { token: doc.token });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((p) => p.id), [id]);
  r = await request(srv, 'GET', `/api/patients/${id}/identity-status`, { token: coord.token });
  assert.equal(r.status, 200);
  assert.equal(r.json.items.length, 1);
  assert.equal(r.json.items[0].from, 'PROV');
});

test('loading the same set again is refused whole: nothing changes', () => {
  const before = srv.sql('SELECT count(*) FROM patient');
  const r = runCli(['synth', '--patients', String(N), '--duplicates', '0.1', '--seed', '7', ...srv.common]);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /INS/);
  assert.equal(srv.sql('SELECT count(*) FROM patient'), before);
  assert.equal(srv.sql("SELECT count(*) FROM audit_event WHERE action = 'patient.bulk_load'"), '1');
  assert.ok(Number(srv.sql("SELECT count(*) FROM audit_event")) > 1);
});

test('--jsonl: the same seed gives the same bodies, and the API takes them', async () => {
  const a = runCli(['synth', '--patients', '30', '--seed', '99', '--duplicates', '0', '--jsonl', '-']);
  const b = runCli(['synth', '--patients', '30', '--seed', '99', '--duplicates', '0', '--jsonl', '-']);
  assert.equal(a.status, 0, a.stderr);
  assert.equal(a.stdout, b.stdout);
  const bodies = a.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.equal(bodies.length, 30);
  let created = 0;
  for (const body of bodies) {
    const r = await request(srv, 'POST', '/api/patients', { token: doc.token, body });
    assert.ok(r.status === 201 || r.status === 409, `${r.status} ${r.text}`);
    created += r.status === 201;
  }
  assert.ok(created >= 28, `${created} of 30 created`);
});

test('demo --patients loads a set once, then leaves the patients alone', () => {
  const fresh = freshDatabase();
  try {
    const common = ['--db', fresh.url, '--secret-file', fresh.secret];
    assert.equal(runCli(['init', ...common]).status, 0);
    let r = runCli(['demo', '--patients', '60', ...common]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /60 synthetic patients loaded/);
    assert.equal(fresh.sql('SELECT count(*) FROM patient'), '60');
    r = runCli(['demo', '--patients', '60', ...common]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /déjà/);
    assert.equal(fresh.sql('SELECT count(*) FROM patient'), '60');
  } finally {
    fresh.cleanup();
  }
});

test('bad options are usage errors', () => {
  for (const args of [['synth'], ['synth', '--patients', '0'], ['synth', '--patients', '10', '--duplicates', '0.7'],
    ['synth', '--patients', '10', '--seed', '-3'], ['synth', '--patients', 'x']]) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.status} ${r.stderr}`);
  }
});
