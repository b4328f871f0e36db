// Directory of professionals and organisations: the PS_LibreAcces import, search,
// manual entries by administrators, and the link between an account and a professional.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, request, login, runCli, ADMIN, DOCTOR, NURSE } from './lib/server.mjs';

const SAMPLE = new URL('../data/annuaire/PS_LibreAcces_Personne_activite_sample.txt', import.meta.url).pathname;

let srv, admin, doctor;
before(async () => {
  srv = await startServer();
  admin = await login(srv, ADMIN);
  doctor = await login(srv, DOCTOR);
});
after(async () => { await srv.close(); });

const importFile = (file) => srv.cli(['import', 'annuaire', file]);
const counts = (stdout) => {
  const m = stdout.match(/read (\d+), inserted (\d+), updated (\d+), rejected (\d+)/);
  assert.ok(m, stdout);
  return { read: +m[1], inserted: +m[2], updated: +m[3], rejected: +m[4] };
};
const rejections = (stderr) =>
  Object.fromEntries([...stderr.matchAll(/:(\d+): rejected \(([^)]+)\): /g)].map((m) => [m[1], m[2]]));
const tableCounts = () => ['directory_professional', 'directory_organisation', 'directory_activity']
  .map((t) => Number(srv.sql(`SELECT count(*) FROM ${t}`)));
const get = (path, who = doctor) => request(srv, 'GET', path, { token: who.token });
const names = (items) => items.map((p) => `${p.family_name} ${p.given_name ?? ''}`.trim());
const search = async (qs) => {
  const r = await get('/api/directory/professionals?' + qs);
  assert.equal(r.status, 200, r.text);
  return names(r.json.items);
};
const byName = async (family, given) =>
  (await get('/api/directory/professionals?q=' + encodeURIComponent(`${family} ${given}`))).json.items[0];

// The sample's malformed lines, by line number (the header is line 1).
const EXPECTED_REJECTIONS = {
  11: 'line.fields', 12: 'rpps.invalid', 13: 'rpps.invalid', 14: 'identifier.type',
  15: 'idnps.mismatch', 16: 'line.utf8', 17: 'line.control', 18: 'family_name.invalid',
  19: 'profession_code.invalid', 20: 'siret.invalid', 21: 'field.too_long', 22: 'line.too_long',
  23: 'line.nul', 24: 'email.invalid',
};

test('the sample imports: counts, each rejected line with its number and reason, audited', () => {
  const r = importFile(SAMPLE);
  assert.equal(r.status, 3, r.stderr); // done, with rejected lines
  assert.deepEqual(counts(r.stdout), { read: 24, inserted: 10, updated: 0, rejected: 14 });
  assert.match(r.stdout, /new professionals 9, new organisations 5/);
  assert.deepEqual(rejections(r.stderr), Object.fromEntries(Object.entries(EXPECTED_REJECTIONS).map(([k, v]) => [String(k), v])));
  assert.equal(r.stderr.trim().split('\n').length, 14, 'one stderr line per rejected line');
  assert.match(r.stderr, /:12: rejected \(rpps\.invalid\): RPPS « 1234567890 » invalide/);
  assert.deepEqual(tableCounts(), [9, 5, 9]);
  const audit = srv.sql("SELECT outcome || ' ' || detail FROM audit_event WHERE action = 'directory.import'");
  assert.match(audit, /^success read=24 inserted=10 updated=0 rejected=14/);
});

test('a re-import is idempotent: everything updated, nothing duplicated', () => {
  const r = importFile(SAMPLE);
  assert.equal(r.status, 3);
  assert.deepEqual(counts(r.stdout), { read: 24, inserted: 0, updated: 10, rejected: 14 });
  assert.deepEqual(tableCounts(), [9, 5, 9]);
});

test('a later file updates what changed and adds what is new; "-" reads stdin', async () => {
  const lines = readFileSync(SAMPLE, 'latin1').split('\n');
  const paul = lines.find((l) => l.includes('|MARTINEAU|Paul|'));
  const changed = paul.replace('|MARTINEAU|Paul|', '|MARTINEAU-DURAND|Paul|');
  const newcomer = paul.replaceAll('810000000025', '810000099990').replaceAll('|10000000025|', '|10000099990|')
    .replace('|MARTINEAU|Paul|', '|NOUVEAU|Arrivant|');
  const file = join(srv.db.dir, 'later.txt');
  writeFileSync(file, [lines[0], changed, newcomer, ''].join('\n'), 'latin1');
  const r = srv.cli(['import', 'annuaire', '-'], { input: readFileSync(file) });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(counts(r.stdout), { read: 2, inserted: 1, updated: 1, rejected: 0 });
  assert.deepEqual(await search('q=martineau'), ['MARTINEAU-DURAND Paul']);
  assert.deepEqual(await search('q=nouveau'), ['NOUVEAU Arrivant']);
  assert.deepEqual(tableCounts(), [10, 5, 10]);
});

test('columns are found by name: a reordered file imports, a changed layout is refused', () => {
  const lines = readFileSync(SAMPLE, 'latin1').split('\n');
  const split = (l) => l.split('|');
  const order = split(lines[0]).map((_, i) => i).reverse();
  const reorder = (l) => order.map((i) => split(l)[i]).join('|');
  const file = join(srv.db.dir, 'reordered.txt');
  writeFileSync(file, [lines[0], lines[1], lines[4]].map(reorder).join('\n') + '\n', 'latin1');
  let r = importFile(file);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(counts(r.stdout), { read: 2, inserted: 0, updated: 2, rejected: 0 });

  const before = tableCounts();
  const broken = join(srv.db.dir, 'broken.txt');
  writeFileSync(broken, [lines[0].replace('|Identifiant PP|', '|Identifiant RPPS|'), lines[1]].join('\n'), 'latin1');
  r = importFile(broken);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /broken\.txt:1: La colonne « Identifiant PP » manque/);
  assert.deepEqual(tableCounts(), before);
});

test('import command errors: missing file, empty file, usage', () => {
  let r = importFile('/nonexistent/annuaire.txt');
  assert.equal(r.status, 1);
  assert.match(r.stderr, /cannot open/);
  const empty = join(srv.db.dir, 'empty.txt');
  writeFileSync(empty, '');
  r = importFile(empty);
  assert.equal(r.status, 1);
  assert.match(r.stderr, /empty file/);
  assert.equal(runCli(['import']).status, 2);
  assert.equal(runCli(['import', 'patients', SAMPLE]).status, 2);
  r = runCli(['import', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /usage: parcours import annuaire FILE/);
});

test('search by name prefix: case, accents, hyphens, apostrophes; exact family names first', async () => {
  assert.deepEqual(await search('q=martin'), ['MARTIN Claire', 'MARTIN Jean', 'MARTINEAU-DURAND Paul']);
  assert.deepEqual(await search('q=' + encodeURIComponent('Martin Cl')), ['MARTIN Claire']);
  assert.deepEqual(await search('q=' + encodeURIComponent('  martin   cl ')), ['MARTIN Claire']);
  assert.deepEqual(await search('q=' + encodeURIComponent('dupont lef')), ['DUPONT-LEFÈVRE Élodie']);
  assert.deepEqual(await search('q=' + encodeURIComponent('DUPONT-LEFEVRE élo')), ['DUPONT-LEFÈVRE Élodie']);
  assert.deepEqual(await search('q=' + encodeURIComponent("d'Ar")), ["D'ARTAGNAN Anne-Sophie"]);
  assert.deepEqual(await search('q=' + encodeURIComponent('éloi')), ['ÉLOI Zoé']);
  assert.deepEqual(await search('q=ELOI'), ['ÉLOI Zoé']);
  assert.deepEqual(await search('q=' + encodeURIComponent('le gall')), ['LE GALL Yann']);
  assert.deepEqual(await search('q=zzz'), []);
  assert.deepEqual(await search(''), ["D'ARTAGNAN Anne-Sophie", 'DUPONT-LEFÈVRE Élodie', 'ÉLOI Zoé', 'GIRARD Pierre',
    'KERGOAT Nolwenn', 'LE GALL Yann', 'MARTIN Claire', 'MARTIN Jean', 'MARTINEAU-DURAND Paul', 'NOUVEAU Arrivant'],
  'alphabetical by family then given name, whatever the accents and punctuation');
});

test('search by profession and town; items carry the town of their first place', async () => {
  assert.deepEqual(await search('profession=60'), ['DUPONT-LEFÈVRE Élodie', 'ÉLOI Zoé', 'MARTIN Jean']);
  assert.deepEqual(await search('profession=60&q=martin'), ['MARTIN Jean']);
  assert.deepEqual(await search('town=rennes'), ['DUPONT-LEFÈVRE Élodie', 'ÉLOI Zoé', 'GIRARD Pierre', 'KERGOAT Nolwenn', 'MARTIN Claire']);
  assert.deepEqual(await search('town=' + encodeURIComponent('SAINT MALO')), ['MARTIN Claire', 'MARTINEAU-DURAND Paul', 'NOUVEAU Arrivant']);
  assert.deepEqual(await search('town=rennes&profession=10&q=m'), ['MARTIN Claire']);
  const r = await get('/api/directory/professionals?q=le%20gall');
  assert.equal(r.json.items[0].town, 'Brest');
  assert.equal(r.json.items[0].profession_code, '70');
  assert.match(r.json.items[0].id, /^\d+$/);
});

test('search pages with a cursor: every professional once, in order', async () => {
  const all = await search('limit=200');
  const seen = [];
  let after = '';
  for (let guard = 0; guard < 20; guard++) {
    const r = await get(`/api/directory/professionals?limit=3${after ? '&after=' + after : ''}`);
    assert.equal(r.status, 200);
    assert.ok(r.json.items.length <= 3);
    seen.push(...names(r.json.items));
    if (!r.json.next_after) break;
    after = r.json.next_after;
  }
  assert.deepEqual(seen, all);
  const rennes = [];
  after = '';
  for (let guard = 0; guard < 20; guard++) {
    const r = await get(`/api/directory/professionals?town=rennes&limit=2${after ? '&after=' + after : ''}`);
    rennes.push(...names(r.json.items));
    if (!r.json.next_after) break;
    after = r.json.next_after;
  }
  assert.deepEqual(rennes, await search('town=rennes'));
});

test('bad search parameters are 400 and name the parameter; SQL metacharacters are plain text', async () => {
  for (const [qs, field] of [['limit=0', 'limit'], ['limit=abc', 'limit'], ['q=a%01b', 'q'], ['q=%FF', 'q'],
    ['town=%FE', 'town'], ['profession=1X', 'profession'], ['after=999999', 'after'], ['after=-3', 'after'],
    ['q=' + 'a'.repeat(201), 'q']]) {
    const r = await get('/api/directory/professionals?' + qs);
    assert.equal(r.status, 400, qs);
    assert.equal(r.json.field, field, qs);
    assert.match(r.headers.get('content-type'), /^application\/problem\+json/);
  }
  const before = tableCounts();
  for (const q of ["'; DROP TABLE directory_professional; --", '%', '_', "' OR 1=1 --", '123']) {
    const r = await get('/api/directory/professionals?q=' + encodeURIComponent(q));
    assert.equal(r.status, 200, q);
    assert.deepEqual(r.json.items, [], q);
  }
  assert.deepEqual(tableCounts(), before);
  assert.equal((await request(srv, 'GET', '/api/directory/professionals')).status, 401, 'signed-in users only');
});

test('a professional with their places of practice; unknown ids are 404', async () => {
  const claire = await byName('MARTIN', 'Claire');
  const r = await get(`/api/directory/professionals/${claire.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.json.rpps, '10000000017');
  assert.equal(r.json.idnps, '810000000017');
  assert.equal(r.json.adeli, null);
  assert.equal(r.json.civility, 'Docteur');
  assert.equal(r.json.specialty_label, 'Médecine Générale');
  assert.equal(r.json.source, 'import');
  assert.deepEqual(r.json.activities.map((a) => [a.organisation.name, a.mode_label]),
    [['CABINET MEDICAL DES LICES', 'Libéral'], ['CENTRE HOSPITALIER DE SAINT-MALO', 'Salarié']]);
  assert.equal(r.json.activities[0].organisation.address, '12 Rue des Lices');
  assert.equal(r.json.activities[0].organisation.phone, '0299000001');
  const elodie = (await get('/api/directory/professionals?q=dupont')).json.items[0];
  assert.equal(elodie.adeli, '351234567');
  assert.equal(elodie.rpps, null);
  for (const id of ['999999', 'abc', '0', '-1'])
    assert.equal((await get(`/api/directory/professionals/${id}`)).status, 404, id);
  assert.equal((await get('/api/directory/organisations/999999')).status, 404);
});

test('organisations: by name prefix, FINESS, SIRET, town; with who practises there', async () => {
  let r = await get('/api/directory/organisations?q=cabinet');
  assert.deepEqual(r.json.items.map((o) => o.name), ['Cabinet de Yann LE GALL', 'CABINET INFIRMIER DU THABOR', 'CABINET MEDICAL DES LICES']);
  r = await get('/api/directory/organisations?q=350000139');
  assert.deepEqual(r.json.items.map((o) => o.name), ['CENTRE HOSPITALIER DE SAINT-MALO']);
  const ch = r.json.items[0];
  assert.equal(ch.type, 'Etablissement public de santé');
  r = await get('/api/directory/organisations?q=35212345600019');
  assert.deepEqual(r.json.items.map((o) => o.name), ['CABINET MEDICAL DES LICES']);
  r = await get('/api/directory/organisations?town=vannes');
  assert.deepEqual(r.json.items.map((o) => o.name), ['Pharmacie "Les Lilas"; DROP TABLE directory_professional; --']);
  r = await get(`/api/directory/organisations/${ch.id}`);
  assert.equal(r.status, 200);
  assert.deepEqual(names(r.json.professionals), ['MARTIN Claire', 'MARTINEAU-DURAND Paul', 'NOUVEAU Arrivant']);
  assert.equal(r.json.professionals_truncated, false);
  assert.equal((await get('/api/directory/organisations?profession=10')).status, 400);
});

const pro = (extra = {}) => ({ rpps: '10000012345', family_name: 'Le Bihan', given_name: 'Maël', profession_code: '60', ...extra });

test('an administrator adds and corrects a professional (audited)', async () => {
  const ch = (await get('/api/directory/organisations?q=350000139')).json.items[0];
  let r = await request(srv, 'POST', '/api/directory/professionals', {
    token: admin.token,
    body: pro({ phone: '06 12 34 56 78', mssante: 'mael.lebihan@infirmier.mssante.fr', organisation_ids: [ch.id] }),
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.headers.get('location'), `/api/directory/professionals/${r.json.id}`);
  assert.equal(r.json.idnps, '810000012345');
  assert.equal(r.json.phone, '0612345678');
  assert.equal(r.json.source, 'manual');
  assert.deepEqual(r.json.activities.map((a) => a.organisation.id), [ch.id]);
  const id = r.json.id;
  assert.deepEqual(await search('q=' + encodeURIComponent('le bihan')), ['Le Bihan Maël']);

  r = await request(srv, 'PATCH', `/api/directory/professionals/${id}`, {
    token: admin.token, body: { given_name: null, mobile: '+33 6 00 00 00 00', organisation_ids: [] },
  });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.given_name, null);
  assert.equal(r.json.mobile, '+33600000000');
  assert.equal(r.json.phone, '0612345678', 'members not sent are kept');
  assert.deepEqual(r.json.activities, []);
  r = await request(srv, 'PATCH', `/api/directory/professionals/${id}`, { token: admin.token, body: { rpps: '10000000001' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'identifier.immutable');
  r = await request(srv, 'PATCH', '/api/directory/professionals/999999', { token: admin.token, body: { phone: null } });
  assert.equal(r.status, 404);
  r = await request(srv, 'POST', '/api/directory/professionals', { token: admin.token, body: pro() });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'professional.exists');
  const audit = await srv.auditSql(`SELECT action || ':' || COALESCE(detail, '') FROM audit_event WHERE object_type = 'professional' AND object_id = '${id}' ORDER BY seq`);
  assert.deepEqual(audit.split('\n'), ['professional.create:idnps=810000012345', 'professional.update:given_name,mobile,organisation_ids']);
});

test('invalid professionals are refused with the field at fault, and nothing is stored', async () => {
  const cases = [
    [pro({ rpps: '1234' }), 'rpps'],
    [pro({ rpps: '1000001234A' }), 'rpps'],
    [pro({ rpps: undefined }), 'rpps'],
    [pro({ adeli: '351234567' }), 'adeli'],
    [pro({ rpps: undefined, adeli: '3512345' }), 'adeli'],
    [pro({ rpps: '10000099999', family_name: 'N'.repeat(10240) }), 'family_name'],
    [pro({ rpps: '10000099999', family_name: 'Bell\u0007' }), 'family_name'],
    [pro({ rpps: '10000099999', family_name: '   ' }), 'family_name'],
    [pro({ rpps: '10000099999', family_name: undefined }), 'family_name'],
    [pro({ rpps: '10000099999', profession_code: '1X' }), 'profession_code'],
    [pro({ rpps: '10000099999', profession_code: 10 }), 'profession_code'],
    [pro({ rpps: '10000099999', phone: 'call me' }), 'phone'],
    [pro({ rpps: '10000099999', mobile: '12' }), 'mobile'],
    [pro({ rpps: '10000099999', mssante: 'someone@gmail.com' }), 'mssante'],
    [pro({ rpps: '10000099999', mssante: 'not an address' }), 'mssante'],
    [pro({ rpps: '10000099999', organisation_ids: ['999999'] }), 'organisation_ids'],
    [pro({ rpps: '10000099999', organisation_ids: 'abc' }), 'organisation_ids'],
    [pro({ rpps: '10000099999', organisation_ids: ['x'] }), 'organisation_ids'],
    [pro({ rpps: '10000099999', is_admin: true }), 'is_admin'],
  ];
  const before = tableCounts();
  for (const [body, field] of cases) {
    const r = await request(srv, 'POST', '/api/directory/professionals', { token: admin.token, body });
    assert.equal(r.status, 422, JSON.stringify(body).slice(0, 200));
    assert.equal(r.json.field, field, r.text.slice(0, 300));
    assert.ok(r.json.detail.length > 0);
  }
  assert.deepEqual(tableCounts(), before);
});

test('an administrator adds organisations; identifiers are checked (SIRET Luhn, FINESS)', async () => {
  const org = (extra) => ({ name: 'Maison de santé du Blosne', type: 'MSP', town: 'Rennes', postcode: '35200', ...extra });
  let r = await request(srv, 'POST', '/api/directory/organisations', { token: admin.token, body: org({ siret: '73282932000074', finess: '350012345' }) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.siret, '73282932000074');
  assert.deepEqual(r.json.professionals, []);
  assert.equal(r.headers.get('location'), `/api/directory/organisations/${r.json.id}`);
  for (const [body, field, code] of [
    [org({ siret: '73282932000075' }), 'siret', 'siret.invalid'],
    [org({ siret: '7328293200007' }), 'siret', 'siret.invalid'],
    [org({ finess: '35001234' }), 'finess', 'finess.invalid'],
    [org({ finess: '3500123X5' }), 'finess', 'finess.invalid'],
    [org({ email: 'nope' }), 'email', 'email.invalid'],
    [org({ name: '' }), 'name', 'field.required'],
    [org({ name: 'X'.repeat(10240) }), 'name', 'field.too_long'],
    [org({ name: 'Tab\there' }), 'name', 'name.invalid'],
    [org({ finess: '350012345' }), 'finess', 'organisation.exists'],
    [org({ siret: '73282932000074' }), 'siret', 'organisation.exists'],
  ]) {
    const res = await request(srv, 'POST', '/api/directory/organisations', { token: admin.token, body });
    assert.equal(res.json.code, code, JSON.stringify(body).slice(0, 120));
    assert.equal(res.status, code === 'organisation.exists' ? 409 : 422);
    assert.equal(res.json.field, field);
  }
  r = await request(srv, 'POST', '/api/directory/organisations', { token: admin.token, body: org({ name: "Robert'); DROP TABLE directory_organisation; --", town: '2A Ajaccio' }) });
  assert.equal(r.status, 201);
  assert.equal(r.json.name, "Robert'); DROP TABLE directory_organisation; --");
  r = await request(srv, 'POST', '/api/directory/organisations', { token: admin.token, body: org({ name: 'Bureau de poste', siret: '35600000049837' }) });
  assert.equal(r.status, 201, 'a La Poste SIRET (digit sum, not Luhn) is valid');
});

test('professionals may read the directory but not write it (403, audited)', async () => {
  const nurse = await login(srv, NURSE);
  const someone = (await get('/api/directory/professionals?limit=1')).json.items[0];
  for (const [m, p, body] of [
    ['POST', '/api/directory/professionals', pro({ rpps: '10000077777' })],
    ['PATCH', `/api/directory/professionals/${someone.id}`, { phone: null }],
    ['POST', '/api/directory/organisations', { name: 'Sneaky' }],
    ['PUT', `/api/admin/users/${doctor.user.id}/professional`, { professional_id: someone.id }],
  ]) {
    const r = await request(srv, m, p, { token: nurse.token, body });
    assert.equal(r.status, 403, `${m} ${p}`);
    assert.equal(r.json.code, 'role.admin_required');
  }
  const denied = await srv.auditSql("SELECT count(*) FROM audit_event WHERE outcome = 'denied' AND user_login = 'inf.bernard' AND object_id LIKE '% /api/%'");
  assert.ok(Number(denied) >= 4);
  assert.equal((await get('/api/directory/organisations?q=cabinet', nurse)).status, 200);
});

test('an account is linked to a professional: GET /api/me shows it; conflicts and unknown ids', async () => {
  const claire = await byName('MARTIN', 'Claire');
  const path = `/api/admin/users/${doctor.user.id}/professional`;
  let r = await request(srv, 'PUT', path, { token: admin.token, body: { professional_id: claire.id } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.json.professional_id, claire.id);
  assert.equal((await get('/api/me')).json.professional_id, claire.id);
  assert.equal((await request(srv, 'GET', `/api/admin/users/${doctor.user.id}`, { token: admin.token })).json.professional_id, claire.id);

  const nurse = await login(srv, NURSE);
  r = await request(srv, 'PUT', `/api/admin/users/${nurse.user.id}/professional`, { token: admin.token, body: { professional_id: claire.id } });
  assert.equal(r.status, 409);
  assert.equal(r.json.code, 'professional.linked');
  r = await request(srv, 'PUT', path, { token: admin.token, body: { professional_id: '999999' } });
  assert.equal(r.status, 422);
  assert.equal(r.json.code, 'professional.not_found');
  assert.equal(r.json.field, 'professional_id');
  r = await request(srv, 'PUT', '/api/admin/users/999999/professional', { token: admin.token, body: { professional_id: claire.id } });
  assert.equal(r.status, 404);
  for (const body of [{}, { professional_id: 'abc' }, { professional_id: claire.id, extra: 1 }]) {
    r = await request(srv, 'PUT', path, { token: admin.token, body });
    assert.equal(r.status, 422, JSON.stringify(body));
  }
  assert.equal((await get('/api/me')).json.professional_id, claire.id, 'refused requests changed nothing');

  r = await request(srv, 'PUT', path, { token: admin.token, body: { professional_id: null } });
  assert.equal(r.status, 200);
  assert.equal(r.json.professional_id, null);
  assert.equal((await get('/api/me')).json.professional_id, null);
  const audit = await srv.auditSql(`SELECT detail FROM audit_event WHERE action = 'user.link_professional' AND object_id = '${doctor.user.id}' ORDER BY seq`);
  assert.deepEqual(audit.split('\n'), [`professional_id=${claire.id}`, 'unlinked']);
});
