// Patient identities: INS, traits, statuses, search, duplicates, merge.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, request, login, ADMIN, DOCTOR } from './lib/server.mjs';

const COORD = { login: 'coord.dac', password: 'parcours-demo' };
const TEST_OID = '1.2.250.1.213.1.4.10';
let srv, doc, coord, admin;
before(async () => {
  srv = await startServer();
  [doc, coord, admin] = await Promise.all([login(srv, DOCTOR), login(srv, COORD), login(srv, ADMIN)]);
});
after(async () => { await srv.close(); });

const create = (body, who = doc) => request(srv, 'POST', '/api/patients', { token: who.token, body });
const get = (id, who = doc) => request(srv, 'GET', `/api/patients/${id}`, { token: who.token });
const search = (q, who = doc) => request(srv, 'GET', '/api/patients?' + new URLSearchParams(q), { token: who.token });
const count = () => Number(srv.sql('SELECT count(*) FROM patient'));

// INS with a valid key for a 13-digit NIR
function ins(nir13) { return nir13 + String(97 - Number(BigInt(nir13) % 97n)).padStart(2, '0'); }

test('create: the ANS example INS, traits as given, status PROV, INS not shown as national id', async () => {
  const r = await create({ birth_family_name: 'Martin-Lefèvre', birth_given_names: ['Anne', 'Hélène'], sex: 'F',
    birth_date: '1951-03-27', birthplace_code: '75056', ins: { value: '279035121518989', oid: TEST_OID },
    identifiers: [{ system: 'CHU-X', value: '000003' }], phone: '+33 6 12 34 56 78', email: 'anne@example.org',
    address: { line: "3 rue de l'Église", postcode: '35000', city: 'Rennes' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.birth_family_name, 'Martin-Lefèvre');
  assert.deepEqual(r.json.birth_given_names, ['Anne', 'Hélène']);
  assert.equal(r.json.first_given_name, 'Anne');
  assert.equal(r.json.identity_status, 'PROV');
  assert.deepEqual(r.json.ins, { value: '279035121518989', oid: TEST_OID, qualified: false });
  assert.deepEqual(r.json.identifiers, [{ system: 'CHU-X', value: '000003', type: 'PI' }]);
  assert.equal(r.json.address.city, 'Rennes');
  assert.equal(r.headers.get('location'), `/api/patients/${r.json.id}`);
  const again = await get(r.json.id);
  assert.equal(again.status, 200);
  assert.equal(again.json.version, 1);
  // the access log gives the time of the duplicate check (bench/identity.sh reads it)
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.match(srv.stderr(), /method=POST path="\/api\/patients" status=201 us=\d+ .* dup_check_us=\d+/);
});

test('invalid INS: the key, the sex digit, the OID, the length', async () => {
  const n = count();
  const base = { birth_family_name: 'Petit', birth_given_names: ['Luc'], sex: 'M', birth_date: '1960-01-15' };
  const cases = [
    [{ value: '160017512345600', oid: TEST_OID }, 'ins.key'],
    [{ value: ins('2600175123456'), oid: TEST_OID }, 'ins.sex_mismatch'],
    [{ value: ins('1600175123456'), oid: '1.2.3.4' }, 'ins.oid'],
    [{ value: '16001751234', oid: TEST_OID }, 'ins.length'],
    [{ value: '1600175A23456XX', oid: TEST_OID }, 'ins.char'],
  ];
  for (const [i, code] of cases) {
    const r = await create({ ...base, ins: i });
    assert.equal(r.status, 422, `${i.value}: ${r.text}`);
    assert.equal(r.json.code, code, r.text);
    assert.match(r.json.field, /^ins\./);
    assert.ok(r.json.detail.length > 10);
  }
  // Corsica: 2A is read as 19 for the key
  const corsican = '16002' + '2A' + '004123';
  const key = 97 - Number(BigInt(corsican.replace('2A', '19')) % 97n);
  const ok = await create({ ...base, birth_family_name: 'Santoni', ins: { value: corsican + String(key).padStart(2, '0'), oid: TEST_OID } });
  assert.equal(ok.status, 201, ok.text);
  assert.equal(count(), n + 1);
});

test('impossible dates, unknown sex, bad names are refused with the field', async () => {
  const n = count();
  const base = { birth_family_name: 'Bernard', birth_given_names: ['Paul'], sex: 'M', birth_date: '1970-05-05' };
  const cases = [
    [{ birth_date: '2023-02-29' }, 'birth_date'], [{ birth_date: '2999-01-01' }, 'birth_date'],
    [{ birth_date: '1700-01-01' }, 'birth_date'], [{ birth_date: '05/05/1970' }, 'birth_date'],
    [{ sex: 'X' }, 'sex'], [{ sex: 'male' }, 'sex'],
    [{ birth_family_name: 'Ber\u0007nard' }, 'birth_family_name'], [{ birth_family_name: 'R2D2' }, 'birth_family_name'],
    [{ birth_family_name: 'x'.repeat(10240) }, 'birth_family_name'], [{ birth_family_name: '' }, 'birth_family_name'],
    [{ birth_given_names: [] }, 'birth_given_names'], [{ birth_given_names: ['Jean Paul'] }, 'birth_given_names'],
    [{ birthplace_code: '7505' }, 'birthplace_code'], [{ phone: 'call me' }, 'phone'], [{ email: 'nope' }, 'email'],
    [{ identifiers: [{ system: 'CHU', value: 'a\nb' }] }, 'identifiers'],
  ];
  for (const [patch, field] of cases) {
    const r = await create({ ...base, ...patch });
    assert.equal(r.status, 422, `${JSON.stringify(patch).slice(0, 60)} → ${r.status} ${r.text.slice(0, 200)}`);
    assert.equal(r.json.field, field, r.text.slice(0, 300));
  }
  const partial = await create({ ...base, birth_family_name: 'Inconnu', birth_date: '1970' });
  assert.equal(partial.status, 201, 'a year alone is allowed when the date is unknown');
  assert.equal(count(), n + 1);
});

test('a near-identical identity needs confirmation; the pair is listed for review', async () => {
  const a = await create({ birth_family_name: 'Lefebvre', birth_given_names: ['Catherine'], sex: 'F', birth_date: '1948-11-02' });
  assert.equal(a.status, 201);
  const n = count();
  const dup = await create({ birth_family_name: 'Lefèvre', birth_given_names: ['Catherine', 'Marie'], sex: 'F', birth_date: '1948-02-11' });
  assert.equal(dup.status, 409, dup.text);
  assert.equal(dup.json.code, 'patient.possible_duplicate');
  assert.equal(count(), n, 'nothing created');
  const cand = dup.json.candidates.find((c) => c.patient.id === a.json.id);
  assert.ok(cand, 'the existing record is a candidate');
  assert.ok(cand.score >= 85, `score ${cand.score}`);
  const date = cand.reasons.find((x) => x.trait === 'birth_date');
  assert.deepEqual(date, { trait: 'birth_date', verdict: 'close', how: 'day and month swapped' });
  const confirmed = await create({ birth_family_name: 'Lefèvre', birth_given_names: ['Catherine', 'Marie'], sex: 'F', birth_date: '1948-02-11', confirm_duplicate: true });
  assert.equal(confirmed.status, 201);
  const list = await request(srv, 'GET', '/api/identity/duplicates', { token: coord.token });
  assert.equal(list.status, 200);
  assert.ok(list.json.items.some((p) => [p.patient_a, p.patient_b].sort().join() === [a.json.id, confirmed.json.id].sort().join()));
  const onDemand = await request(srv, 'GET', `/api/patients/${a.json.id}/duplicates`, { token: doc.token });
  assert.ok(onDemand.json.candidates.some((c) => c.patient.id === confirmed.json.id));
});

test('a different person with the same birth date is not a duplicate', async () => {
  const a = await create({ birth_family_name: 'Rousseau', birth_given_names: ['Pierre'], sex: 'M', birth_date: '1980-07-14' });
  const b = await create({ birth_family_name: 'Garnier', birth_given_names: ['Sophie'], sex: 'F', birth_date: '1980-07-14' });
  assert.equal(a.status, 201);
  assert.equal(b.status, 201, b.text);
});

test('the same INS twice is refused even with confirmation', async () => {
  const value = ins('1750275123789');
  const a = await create({ birth_family_name: 'Girard', birth_given_names: ['Marc'], sex: 'M', birth_date: '1975-02-10', ins: { value, oid: TEST_OID } });
  assert.equal(a.status, 201);
  const b = await create({ birth_family_name: 'Blanc', birth_given_names: ['Louis'], sex: 'M', birth_date: '1990-01-01', ins: { value, oid: TEST_OID }, confirm_duplicate: true });
  assert.equal(b.status, 409);
  assert.equal(b.json.code, 'ins.taken');
});

test('search: birth date + first letters, accents, apostrophes, phonetics, INS, identifier, paging', async () => {
  const mk = (name, given, date, extra = {}) => create({ birth_family_name: name, birth_given_names: [given], sex: 'M', birth_date: date, confirm_duplicate: true, ...extra });
  const dart = await mk("d'Artagnan", 'Charles', '1911-04-01');
  const phil = await mk('Dupont', 'Philippe', '1962-06-30', { identifiers: [{ system: 'CHU-Y', value: 'IPP-77' }] });
  await mk('Duponteil', 'Jacques', '1962-06-30');
  let r = await search({ birth_date: '1962-06-30', name: 'dup' });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.items.map((p) => p.birth_family_name).sort(), ['Dupont', 'Duponteil']);
  r = await search({ name: 'DARTAG' });
  assert.deepEqual(r.json.items.map((p) => p.id), [dart.json.id]);
  r = await search({ name: 'Dupond', given: 'filipe' });
  assert.ok(r.json.items.some((p) => p.id === phil.json.id), 'phonetic: Dupond Filipe finds Dupont Philippe');
  r = await search({ name: 'lefevre' });
  assert.ok(r.json.items.length >= 2, 'accent-insensitive');
  r = await search({ name: 'martin lefevre' });
  assert.ok(r.json.items.some((p) => p.birth_family_name === 'Martin-Lefèvre'), 'hyphen or space');
  r = await search({ ins: '279035121518989' });
  assert.equal(r.json.items.length, 1);
  r = await search({ identifier: 'CHU-Y|IPP-77' });
  assert.deepEqual(r.json.items.map((p) => p.id), [phil.json.id]);
  // ranking: exact name before prefix
  r = await search({ name: 'dupont' });
  assert.equal(r.json.items[0].birth_family_name, 'Dupont');
  // paging
  const p1 = await search({ name: 'du', limit: '1' });
  assert.equal(p1.json.items.length, 1);
  assert.equal(p1.json.next_offset, 1);
  const p2 = await search({ name: 'du', limit: '1', offset: '1' });
  assert.notEqual(p2.json.items[0].id, p1.json.items[0].id);
  // too broad, nothing, bad input
  assert.equal((await search({ name: 'd' })).status, 422);
  assert.equal((await search({})).status, 422);
  assert.equal((await search({ name: "'; DROP TABLE patient; --" })).status, 422);
  assert.equal((await search({ identifier: 'nobar' })).status, 400);
  assert.deepEqual((await search({ name: 'zzzzzz' })).json.items, []);
});

test('identity status follows the evidence and is recorded; QUAL shows the INS as national identifier', async () => {
  const value = ins('2850369123456');
  const p = await create({ birth_family_name: 'Fontaine', birth_given_names: ['Julie'], sex: 'F', birth_date: '1985-03-20', ins: { value, oid: TEST_OID } });
  const id = p.json.id;
  const st = (body) => request(srv, 'POST', `/api/patients/${id}/identity-status`, { token: doc.token, body });
  let r = await st({ document_type: 'PERMIS' });
  assert.equal(r.status, 422);
  assert.equal(r.json.field, 'document_type');
  r = await st({});
  assert.equal(r.status, 422);
  r = await st({ document_type: 'CNI' });
  assert.equal(r.json.identity_status, 'VALI');
  assert.equal(r.json.ins.qualified, false);
  assert.ok(!r.json.identifiers.some((i) => i.type === 'INS'));
  r = await st({ insi: true });
  assert.equal(r.json.identity_status, 'QUAL');
  assert.deepEqual(r.json.ins, { value, oid: TEST_OID, qualified: true });
  assert.ok(r.json.identifiers.some((i) => i.type === 'INS' && i.value === value));
  r = await st({ downgrade_to: 'PROV' });
  assert.equal(r.status, 422, 'a downgrade needs a reason');
  r = await st({ downgrade_to: 'PROV', reason: 'doute sur la pièce présentée' });
  assert.equal(r.json.identity_status, 'PROV');
  const h = await request(srv, 'GET', `/api/patients/${id}/identity-status`, { token: doc.token });
  assert.deepEqual(h.json.items.map((x) => `${x.from}>${x.to}`), ['PROV>VALI', 'VALI>QUAL', 'QUAL>PROV']);
  assert.equal(h.json.items[0].document_type, 'CNI');
  assert.equal(h.json.items[1].insi, true);
  // INSi retrieval needs an INS
  const noIns = await create({ birth_family_name: 'Sansins', birth_given_names: ['Eva'], sex: 'F', birth_date: '1999-09-09', evidence: { insi: true } });
  assert.equal(noIns.status, 422);
});

test('updates need the current version; a strict trait change sends the identity back to PROV', async () => {
  const p = await create({ birth_family_name: 'Moreau', birth_given_names: ['Léa'], sex: 'F', birth_date: '2001-12-24', evidence: { document_type: 'PASSEPORT' } });
  assert.equal(p.json.identity_status, 'VALI');
  const id = p.json.id;
  let r = await request(srv, 'PATCH', `/api/patients/${id}`, { token: doc.token, body: { version: 1, phone: '02 99 00 00 00', used_family_name: 'Morel' } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.version, 2);
  assert.equal(r.json.identity_status, 'VALI', 'contact details are not strict traits');
  r = await request(srv, 'PATCH', `/api/patients/${id}`, { token: doc.token, body: { version: 1, phone: '01 00 00 00 00' } });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'patient.version');
  r = await request(srv, 'PATCH', `/api/patients/${id}`, { token: doc.token, body: { version: 2, birth_date: '2001-12-25' } });
  assert.equal(r.json.identity_status, 'PROV');
  r = await request(srv, 'PATCH', `/api/patients/${id}`, { token: doc.token, body: { version: 3, birth_family_name: '' } });
  assert.equal(r.status, 422);
  r = await request(srv, 'PATCH', `/api/patients/${id}`, { token: doc.token, body: { phone: '01 00 00 00 00' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.field, 'version');
  // concurrent updates of one patient: exactly one wins per version
  const results = await Promise.all([1, 2, 3, 4].map((i) => request(srv, 'PATCH', `/api/patients/${id}`, { token: doc.token, body: { version: 3, address: { city: 'Ville ' + i } } })));
  assert.equal(results.filter((x) => x.status === 200).length, 1, results.map((x) => x.text).join());
  assert.equal(results.filter((x) => x.status === 409).length, 3);
});

test('merge B into A: B resolves to A, leaves searches, its identifiers follow; undo restores it', async () => {
  const a = await create({ birth_family_name: 'Chevalier', birth_given_names: ['Hugo'], sex: 'M', birth_date: '1955-08-08' });
  const b = await create({ birth_family_name: 'Chevallier', birth_given_names: ['Hugo'], sex: 'M', birth_date: '1955-08-08', confirm_duplicate: true, identifiers: [{ system: 'CHU-Z', value: 'B-1' }] });
  assert.equal(b.status, 201);
  const merge = (who) => request(srv, 'POST', `/api/patients/${a.json.id}/merge`, { token: who.token, body: { source_id: b.json.id, reason: 'même personne (CNI vérifiée)' } });
  assert.equal((await merge(doc)).status, 403, 'a professional may not merge');
  const m = await merge(coord);
  assert.equal(m.status, 200, m.text);
  const viaB = await get(b.json.id);
  assert.equal(viaB.status, 200);
  assert.equal(viaB.json.id, a.json.id);
  assert.equal(viaB.headers.get('content-location'), `/api/patients/${a.json.id}`);
  assert.ok(viaB.json.identifiers.some((i) => i.value === 'B-1'), 'identifiers follow the survivor');
  const s = await search({ birth_date: '1955-08-08', name: 'chev' });
  assert.deepEqual(s.json.items.map((p) => p.id), [a.json.id]);
  assert.equal((await search({ identifier: 'CHU-Z|B-1' })).json.items[0].id, a.json.id);
  assert.equal((await merge(coord)).status, 409, 'already merged');
  const patchMerged = await request(srv, 'PATCH', `/api/patients/${b.json.id}`, { token: doc.token, body: { version: 2, address: { city: 'X' } } });
  assert.equal(patchMerged.status, 409, patchMerged.text);
  // undo: administrators only
  assert.equal((await request(srv, 'POST', `/api/patients/${b.json.id}/unmerge`, { token: coord.token })).status, 403);
  const u = await request(srv, 'POST', `/api/patients/${b.json.id}/unmerge`, { token: admin.token });
  assert.equal(u.status, 200, u.text);
  assert.equal((await get(b.json.id)).json.id, b.json.id);
  assert.equal((await request(srv, 'POST', `/api/patients/${b.json.id}/unmerge`, { token: admin.token })).status, 404);
  const trail = srv.sql(`SELECT action FROM audit_event WHERE patient_id = '${b.json.id}' ORDER BY seq`);
  assert.match(trail, /patient\.merge[\s\S]*patient\.unmerge/);
  // two distinct INS are two persons
  const x = await create({ birth_family_name: 'Roux', birth_given_names: ['Ana'], sex: 'F', birth_date: '1977-04-04', ins: { value: ins('2770475111222'), oid: TEST_OID } });
  const y = await create({ birth_family_name: 'Roux', birth_given_names: ['Ana'], sex: 'F', birth_date: '1977-04-04', ins: { value: ins('2770475111333'), oid: TEST_OID }, confirm_duplicate: true });
  const bad = await request(srv, 'POST', `/api/patients/${x.json.id}/merge`, { token: coord.token, body: { source_id: y.json.id } });
  assert.equal(bad.status, 409);
  assert.equal(bad.json.code, 'merge.distinct_ins');
});

test('administrators do not read identities; unknown ids are 404; reads are audited', async () => {
  assert.equal((await get(1, admin)).status, 403);
  assert.equal((await search({ name: 'dupont' }, admin)).status, 403);
  assert.equal((await get(999999)).status, 404);
  assert.equal((await get('abc')).status, 404);
  const before = Number(srv.sql("SELECT count(*) FROM audit_event WHERE action = 'patient.read' AND patient_id = '1'"));
  await get(1);
  const afterN = Number(srv.sql("SELECT count(*) FROM audit_event WHERE action = 'patient.read' AND patient_id = '1'"));
  assert.equal(afterN, before + 1);
  assert.equal(srv.cli(['audit', 'verify']).status, 0);
});
