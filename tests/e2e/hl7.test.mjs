// The HL7 v2 interface: MLLP listener (framing, limits, charsets), ACKs after
// commit, message store and duplicates, PAM FR events (identity feed,
// movements and their journal entries, rupture de parcours), crash safety,
// and the outbound identity feed to a regional identity server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { request, login, startServer, ADMIN, DOCTOR, NURSE } from './lib/server.mjs';
import { adt, connect, frame, freePort, ins, parseAck, receiver, startHl7Server } from './lib/mllp.mjs';

const COORD = { login: 'coord.dac', password: 'parcours-demo' };
const EXAMPLES = new URL('../../../shared/examples/hl7/', import.meta.url);
const example = (name) => readFileSync(new URL(name, EXAMPLES));
const toCR = (buf) => Buffer.from(buf.toString('latin1').replace(/\r\n|\n/g, '\r'), 'latin1');

let srv, doc, nurse, coord, admin;
let seq = 0;
const nextId = (p = 'M') => `${p}${++seq}`;
const q = (sql) => srv.sql(sql);
const api = (who, method, path, body) => request(srv, method, path, { token: who.token, body });

before(async () => {
  srv = await startHl7Server({ env: { PARCOURS_RUPTURE_CHECK: '1' } });
  [doc, nurse, coord, admin] = await Promise.all([login(srv, DOCTOR), login(srv, NURSE), login(srv, COORD), login(srv, ADMIN)]);
});
after(async () => { await closeChecked(srv); });

/* Stops a server (SIGTERM), requires a clean exit without sanitizer reports
 * (the suite also runs on the ASan/UBSan build), drops its database. */
async function closeChecked(server, { keepDb = false } = {}) {
  const { code, signal } = await server.stop();
  try {
    assert.doesNotMatch(server.stderr(), /Sanitizer|runtime error/, 'sanitizer report');
    assert.deepEqual([code, signal], [0, null], 'clean exit');
  } finally { if (!keepDb) server.db.cleanup(); }
}

/* Sends one message on a new connection; returns the parsed ACK. */
async function send(msg, server = srv) {
  const c = await connect(server.mllpPort);
  try { return parseAck(await c.send(msg)); } finally { c.close(); }
}

async function until(fn, ms = 8000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > end) return v;
    await sleep(100);
  }
}

test('the ANS examples as they are (LF) and converted to CR: AA, identity and movements applied once', async () => {
  for (const convert of [false, true]) {
    const s = await startHl7Server();
    try {
      const c = await connect(s.mllpPort);
      const files = ['ans-sgl-admission-A01.er7', 'ans-sgl-sortie-A03.er7', 'ans-consentement-A01.er7'];
      const acks = [];
      for (const f of files) acks.push(parseAck(await c.send(convert ? toCR(example(f)) : example(f))));
      c.close();
      assert.deepEqual(acks.map((a) => a.code), ['AA', 'AA', 'AA']);
      assert.deepEqual(acks.map((a) => a.ref), ['3975', '3995', '3975']);
      // both A01 examples carry MSH-10 3975: the second gets the first's answer, byte for byte
      assert.equal(acks[2].text, acks[0].text);
      assert.equal(s.sql("SELECT birth_family_name || '|' || birth_given_names || '|' || sex || '|' || birth_date || '|' || birthplace_code || '|' || ins_value || '|' || identity_status FROM patient"),
        'PAT-TROIS|DOMINIQUE|F|1979-03-28|63220|279035121518989|VALI');
      assert.equal(s.sql("SELECT system || '/' || value FROM patient_identifier"), 'CHU-X/000003');
      assert.equal(s.sql("SELECT event || ':' || movement_id || ':' || unit FROM hl7_movement ORDER BY id"),
        'A01:001:Chir V\nA03:002:Urgences');
      assert.equal(s.sql('SELECT status FROM hl7_message ORDER BY id'), 'processed\nprocessed\nrejected');
      assert.match(s.sql('SELECT error FROM hl7_message WHERE id = 3'), /MSH-10 répété/);
      const raw = s.sql("SELECT raw_encoding || ':' || raw_size FROM hl7_message WHERE id = 1");
      assert.equal(raw, `text:${example(files[0]).length}`, 'stored as received');
    } finally { await closeChecked(s); }
  }
});

test('frames: several in one packet, one split across many, noise between frames', async () => {
  const c = await connect(srv.mllpPort);
  const ids = [nextId(), nextId(), nextId()];
  const msgs = ids.map((id, i) => adt({ trigger: 'A28', id, ipp: `F${id}`, family: 'TRAME', given: ['ANNE', 'LUC', 'EMMA'][i], dob: `1961010${i + 1}`, sex: i === 1 ? 'M' : 'F' }));
  await c.write(Buffer.concat([frame(msgs[0]), Buffer.from('\r\n'), frame(msgs[1]), frame(msgs[2])]));
  const acks = [parseAck(await c.ack()), parseAck(await c.ack()), parseAck(await c.ack())];
  assert.deepEqual(acks.map((a) => a.ref), ids, 'in order');
  assert.deepEqual(acks.map((a) => a.code), ['AA', 'AA', 'AA']);
  // one message in 7-byte pieces
  const id = nextId();
  const bytes = frame(adt({ trigger: 'A28', id, ipp: `F${id}`, family: 'MORCEAUX', given: 'PAUL', dob: '19620202' }));
  for (let i = 0; i < bytes.length; i += 7) { await c.write(bytes.subarray(i, i + 7)); if (i % 70 === 0) await sleep(1); }
  const a = parseAck(await c.ack());
  assert.equal(a.code, 'AA');
  assert.equal(a.ref, id);
  c.close();
  assert.equal(q("SELECT count(*) FROM patient WHERE birth_family_name IN ('TRAME', 'MORCEAUX')"), '4');
});

test('segment terminators CR, LF and CRLF; escape sequences are decoded', async () => {
  const base = adt({ trigger: 'A28', id: 'X', ipp: 'ESC1', family: 'D\\X27\\ARTAGNAN', given: 'CHARLES', dob: '19700303', address: '12 rue A\\F\\B \\T\\ C' });
  let n = 0;
  for (const sep of ['\r', '\n', '\r\n']) {
    const id = nextId();
    const a = await send(base.replace('|X|', `|${id}|`).replace('ESC1', `ESC${++n}`).replaceAll('\r', sep));
    assert.equal(a.code, 'AA', `${JSON.stringify(sep)}: ${a.text}`);
  }
  assert.equal(q("SELECT DISTINCT birth_family_name || '|' || address_line FROM patient WHERE birth_given_names = 'CHARLES'"),
    "D'ARTAGNAN|12 rue A|B & C");
  // the three are one person: found again by traits (strong match), one record, three IPPs
  assert.equal(q("SELECT count(*) FROM patient WHERE birth_given_names = 'CHARLES'"), '1');
  assert.equal(q("SELECT count(*) FROM patient_identifier WHERE value LIKE 'ESC%'"), '3');
});

test('ISO 8859-1 messages are stored as received and read as UTF-8', async () => {
  const id = nextId();
  const text = adt({ trigger: 'A28', id, ipp: 'LAT1', family: 'LEFÈVRE', given: 'HÉLÈNE', dob: '19720404', sex: 'F', charset: '8859/1', city: 'SAINT-ÉTIENNE' });
  const a = await send(Buffer.from(text, 'latin1'));
  assert.equal(a.code, 'AA', a.text);
  assert.equal(q("SELECT birth_family_name || '|' || birth_given_names || '|' || city FROM patient p JOIN patient_identifier i ON i.patient_id = p.id WHERE i.value = 'LAT1'"),
    'LEFÈVRE|HÉLÈNE|SAINT-ÉTIENNE');
  const row = q(`SELECT raw_encoding || '|' || raw FROM hl7_message WHERE control_id = '${id}'`).split('|');
  assert.equal(row[0], 'base64');
  assert.equal(Buffer.from(row[1], 'base64').toString('latin1'), text, 'the bytes as received');
});

test('A28 creates, a repeated A28 finds the IPP, A31 updates, status evidence is added', async () => {
  const nir = ins('1550535123456');
  let a = await send(adt({ trigger: 'A28', id: nextId(), ipp: 'ID100', family: 'ROUX', given: 'MARC', givens: 'MARC PIERRE', dob: '19550512', birthplace: '35238', status: 'PROV' }));
  assert.equal(a.code, 'AA', a.text);
  const pid = q("SELECT patient_id FROM patient_identifier WHERE value = 'ID100'");
  assert.equal(q(`SELECT birth_given_names || '|' || birthplace_code || '|' || identity_status FROM patient WHERE id = ${pid}`), 'MARC PIERRE|35238|PROV');
  a = await send(adt({ trigger: 'A28', id: nextId(), ipp: 'ID100', family: 'ROUX', given: 'MARC', givens: 'MARC PIERRE', dob: '19550512' }));
  assert.equal(a.code, 'AA');
  assert.equal(q("SELECT count(*) FROM patient WHERE birth_family_name = 'ROUX'"), '1');
  a = await send(adt({ trigger: 'A31', id: nextId(), ipp: 'ID100', ins: nir, family: 'ROUX', given: 'MARC', givens: 'MARC PIERRE', dob: '19550512', used: 'ROUX-BLANC', usedGiven: 'MARCO', status: 'QUAL' }));
  assert.equal(a.code, 'AA', a.text);
  assert.equal(q(`SELECT used_family_name || '|' || used_given_name || '|' || ins_value || '|' || identity_status FROM patient WHERE id = ${pid}`),
    `ROUX-BLANC|MARCO|${nir}|QUAL`);
  // A31 for an unknown patient creates it
  a = await send(adt({ trigger: 'A31', id: nextId(), ipp: 'ID101', family: 'NEUF', given: 'ALICE', dob: '19900101', sex: 'F' }));
  assert.equal(a.code, 'AA');
  assert.equal(q("SELECT count(*) FROM patient WHERE birth_family_name = 'NEUF'"), '1');
});

test('matching: a strong match is linked, an ambiguous one is created and flagged (AA + warning)', async () => {
  await send(adt({ trigger: 'A28', id: nextId(), ipp: 'MA1', authority: 'HOP-A', family: 'FONTAINE', given: 'LOUISE', dob: '19480707', sex: 'F', birthplace: '75056' }));
  // another hospital, same person: linked, not duplicated
  let a = await send(adt({ trigger: 'A28', id: nextId(), ipp: 'MB1', authority: 'HOP-B', family: 'FONTAINE', given: 'LOUISE', dob: '19480707', sex: 'F', birthplace: '75056' }));
  assert.equal(a.code, 'AA');
  assert.equal(a.err, null);
  assert.equal(q("SELECT count(*) FROM patient WHERE birth_family_name = 'FONTAINE'"), '1');
  assert.equal(q("SELECT count(DISTINCT patient_id) FROM patient_identifier WHERE value IN ('MA1', 'MB1')"), '1');
  // a close identity (other given name, same birth date and name): potential, not strong
  a = await send(adt({ trigger: 'A28', id: nextId(), ipp: 'MC1', authority: 'HOP-C', family: 'FONTAINE', given: 'LOUIS', dob: '19480707', sex: 'M' }));
  assert.equal(a.code, 'AA', a.text);
  assert.equal(a.err?.severity, 'W', a.text);
  assert.match(a.err.text, /doublon potentiel/);
  assert.equal(q("SELECT count(*) FROM patient WHERE birth_family_name = 'FONTAINE'"), '2');
  const ids = q("SELECT patient_id FROM patient_identifier WHERE value IN ('MA1', 'MC1') ORDER BY patient_id").split('\n');
  assert.equal(q(`SELECT status FROM duplicate_candidate WHERE patient_a = ${ids[0]} AND patient_b = ${ids[1]}`), 'open');
});

test('A40 merges MRG-1 into the PID record; A47 gives the record its new identifier', async () => {
  await send(adt({ trigger: 'A28', id: nextId(), ipp: 'MG1', family: 'GARNIER', given: 'YVES', dob: '19300303' }));
  await send(adt({ trigger: 'A28', id: nextId(), ipp: 'MG2', family: 'GARNIE', given: 'YVES', dob: '19300330' }));
  const [keep, gone] = ['MG1', 'MG2'].map((v) => q(`SELECT patient_id FROM patient_identifier WHERE value = '${v}'`));
  assert.notEqual(keep, gone);
  let a = await send(adt({ trigger: 'A40', id: nextId(), ipp: 'MG1', family: 'GARNIER', given: 'YVES', dob: '19300303', mrg: 'MG2^^^CHU-T&1.2.250.1.999.1&ISO^PI' }));
  assert.equal(a.code, 'AA', a.text);
  assert.equal(q(`SELECT merged_into FROM patient WHERE id = ${gone}`), keep);
  a = await send(adt({ trigger: 'A40', id: nextId(), ipp: 'MG1', family: 'GARNIER', given: 'YVES', dob: '19300303', mrg: 'MG2^^^CHU-T^PI' }));
  assert.equal(a.code, 'AA', 'a repeated merge is a no-op');
  a = await send(adt({ trigger: 'A40', id: nextId(), ipp: 'MG1', family: 'GARNIER', given: 'YVES', dob: '19300303', mrg: 'NOPE^^^CHU-T^PI' }));
  assert.equal(a.code, 'AE');
  assert.equal(a.err.location, 'MRG^1^1');
  a = await send(adt({ trigger: 'A40', id: nextId(), ipp: 'MG1', family: 'GARNIER', given: 'YVES', dob: '19300303' }));
  assert.equal(a.code, 'AE', 'no MRG segment');
  a = await send(adt({ trigger: 'A47', id: nextId(), ipp: 'MG1-NEW', family: 'GARNIER', given: 'YVES', dob: '19300303', mrg: 'MG1^^^CHU-T^PI' }));
  assert.equal(a.code, 'AA', a.text);
  assert.equal(q("SELECT patient_id FROM patient_identifier WHERE value = 'MG1-NEW'"), keep);
});

test('bad messages: no MSH, unknown event or type, invalid INS key, missing PID: AR/AE with ERR, stored', async () => {
  let a = await send('PID|1||123^^^X^PI');
  assert.equal(a.code, 'AR');
  assert.ok(a.err);
  a = await send(adt({ trigger: 'A99', id: nextId(), ipp: 'B1' }));
  assert.equal(a.code, 'AR');
  assert.deepEqual([a.err.location, a.err.code], ['MSH^1^9', '201']);
  a = await send(adt({ trigger: 'A28', id: nextId(), ipp: 'B1' }).replace('ADT^A28^ADT_A05', 'ORU^R01^ORU_R01'));
  assert.deepEqual([a.code, a.err.code], ['AR', '200']);
  const badIns = ins('1600175123456').slice(0, 13) + '00';
  const before = q('SELECT count(*) FROM patient');
  a = await send(adt({ trigger: 'A28', id: nextId(), ipp: 'BAD1', ins: badIns, family: 'CLEF', given: 'FAUSSE', dob: '19600115' }));
  assert.equal(a.code, 'AE', a.text);
  assert.equal(a.err.location, 'PID^1^3');
  assert.match(a.err.text, /INS/);
  assert.equal(q('SELECT count(*) FROM patient'), before, 'nothing applied');
  a = await send(adt({ trigger: 'A28', id: nextId(), ipp: 'BAD2', family: 'DATE', given: 'FAUSSE', dob: '20230229' }));
  assert.equal(a.code, 'AE');
  assert.equal(a.err.location, 'PID^1^7');
  a = await send(adt({ trigger: 'A01', id: nextId(), pid: 'ZZZ|1', movement: 'X1' }).replace('\rZZZ|1', ''));
  assert.equal(a.code, 'AE', 'no PID segment');
  a = await send(adt({ trigger: 'A28', id: '', ipp: 'B3' }));
  assert.deepEqual([a.code, a.err.location], ['AR', 'MSH^1^10']);
  assert.equal(q("SELECT count(*) FROM hl7_message WHERE status = 'error'") >= '2', true);
  const rej = await request(srv, 'GET', '/api/admin/hl7/messages?status=rejected', { token: admin.token });
  assert.equal(rej.status, 200);
  assert.ok(rej.json.items.length >= 4);
  assert.ok(rej.json.items.every((m) => m.status === 'rejected' && m.ack_code !== 'AA' || /MSH-10 répété/.test(m.error)));
  const forbidden = await request(srv, 'GET', '/api/admin/hl7/messages', { token: doc.token });
  assert.equal(forbidden.status, 403);
});

test('a duplicate control id gets the same answer and is applied once', async () => {
  const id = nextId('DUP');
  const msg = adt({ trigger: 'A28', id, ipp: 'DUP1', family: 'DOUBLE', given: 'ENVOI', dob: '19770707' });
  const c = await connect(srv.mllpPort);
  const first = await c.send(msg);
  const second = await c.send(msg);
  await c.write(Buffer.concat([frame(msg), frame(msg)])); // also within one batch
  const third = await c.ack(), fourth = await c.ack();
  c.close();
  assert.equal(second, first);
  assert.equal(third, first);
  assert.equal(fourth, first);
  assert.equal(q("SELECT count(*) FROM patient WHERE birth_family_name = 'DOUBLE'"), '1');
  assert.equal(q(`SELECT count(*) FROM hl7_message WHERE control_id = '${id}' AND status = 'processed'`), '1');
  // the same control id from another sender is another message
  const other = parseAck(await (await connect(srv.mllpPort)).send(msg.replace('|GAM|', '|GAM2|')));
  assert.equal(other.code, 'AA');
  assert.notEqual(other.text, first);
});

test('limits: a 10 MB frame is answered AR and the connection still works; a truncated frame is kept', async () => {
  const c = await connect(srv.mllpPort);
  const id = nextId('BIG');
  const big = adt({ trigger: 'A28', id, ipp: 'BIG1', family: 'GRAND', given: 'MESSAGE', dob: '19800808' }) + '\rNTE|1||' + 'x'.repeat(10 * 1024 * 1024);
  c.sock.write(frame(big));
  const a = parseAck(await c.ack(20000));
  assert.equal(a.code, 'AR');
  assert.equal(a.ref, id, 'addressed from the frame\'s first bytes');
  const ok = parseAck(await c.send(adt({ trigger: 'A28', id: nextId(), ipp: 'BIG2', family: 'PETIT', given: 'MESSAGE', dob: '19800809' })));
  assert.equal(ok.code, 'AA');
  c.close();
  assert.equal(q(`SELECT status || '|' || (CASE WHEN raw_size > 1048576 THEN 1 ELSE 0 END) FROM hl7_message WHERE control_id = '${id}'`), 'rejected|1', 'size: at least the limit');
  assert.equal(q("SELECT count(*) FROM patient WHERE birth_family_name = 'GRAND'"), '0');
  // a frame cut by the end of the connection: nothing applied, bytes kept
  const t = await connect(srv.mllpPort);
  const tid = nextId('CUT');
  const cut = frame(adt({ trigger: 'A28', id: tid, ipp: 'CUT1', family: 'COUPE', given: 'NET', dob: '19810101' }));
  await t.write(cut.subarray(0, cut.length - 30));
  t.sock.end();
  assert.ok(await until(() => q(`SELECT status FROM hl7_message WHERE control_id = '${tid}'`) === 'rejected'));
  assert.equal(q("SELECT count(*) FROM patient WHERE birth_family_name = 'COUPE'"), '0');
});

test('movements of a patient with a care circle become journal notes that notify the circle', async () => {
  const p = await api(nurse, 'POST', '/api/patients', { birth_family_name: 'Marchand', birth_given_names: ['Odile'], sex: 'F', birth_date: '1938-06-06',
    identifiers: [{ system: 'CHU-T', value: 'MV1' }] });
  assert.equal(p.status, 201, p.text);
  const pid = p.json.id;
  for (const [u, role] of [[doc, 'PCP'], [coord, 'REFERENT']]) {
    const r = await api(nurse, 'POST', `/api/patients/${pid}/circle`, { kind: 'professional', role, user_id: u.user.id });
    assert.equal(r.status, 201, r.text);
  }
  const base = { ipp: 'MV1', family: 'MARCHAND', given: 'ODILE', dob: '19380606', sex: 'F' };
  let a = await send(adt({ ...base, trigger: 'A01', id: nextId(), movement: 'MV-A1', klass: 'E', unit: 'Urgences adultes', when: '20261120083000' }));
  assert.equal(a.code, 'AA', a.text);
  const notes = async () => (await api(nurse, 'GET', `/api/patients/${pid}/notes`)).json.items;
  let list = await notes();
  assert.equal(list.length, 1);
  assert.equal(list[0].type, 'INST');
  assert.equal(list[0].text, 'Admission aux urgences, Urgences adultes, CHU-T, 20/11/2026 08:30');
  assert.equal(list[0].urgent, true);
  assert.equal(list[0].author.name ?? list[0].author.display_name, 'Flux HL7 des établissements');
  const admission = list[0].id;
  assert.equal(q(`SELECT kind || ':' || urgent FROM notification WHERE user_id = ${nurse.user.id} AND object_id = '${admission}'`), 'note.new:1');
  assert.equal(q(`SELECT count(*) FROM notification WHERE object_id = '${admission}' AND user_id IN (${doc.user.id}, ${coord.user.id})`), '2');
  a = await send(adt({ ...base, trigger: 'A02', id: nextId(), movement: 'MV-A2', unit: 'Cardiologie', when: '20261120120000' }));
  assert.equal(a.code, 'AA', a.text);
  a = await send(adt({ ...base, trigger: 'A21', id: nextId(), movement: 'MV-A3', unit: 'Cardiologie', when: '20261121100000' }));
  a = await send(adt({ ...base, trigger: 'A22', id: nextId(), movement: 'MV-A4', unit: 'Cardiologie', when: '20261121180000' }));
  assert.equal(a.code, 'AA');
  // Z99: the transfer happened at another time
  a = await send(adt({ ...base, trigger: 'Z99', id: nextId(), movement: 'MV-A2', action: 'UPDATE', original: 'A02', unit: 'Cardiologie', when: '20261120130000' }));
  assert.equal(a.code, 'AA', a.text);
  // A12 cancels the transfer
  a = await send(adt({ ...base, trigger: 'A12', id: nextId(), movement: 'MV-A2', action: 'CANCEL', unit: 'Cardiologie' }));
  assert.equal(a.code, 'AA', a.text);
  list = await notes();
  const texts = list.map((n) => n.text).reverse();
  assert.deepEqual(texts, [
    'Admission aux urgences, Urgences adultes, CHU-T, 20/11/2026 08:30',
    'Transfert vers Cardiologie, CHU-T, 20/11/2026 12:00',
    'Départ en permission (absence temporaire), Cardiologie, CHU-T, 21/11/2026 10:00',
    'Retour de permission, Cardiologie, CHU-T, 21/11/2026 18:00',
    'Mouvement rectifié par l\'établissement : Transfert vers Cardiologie, CHU-T, 20/11/2026 13:00.',
    'Annulé par l\'établissement : Transfert vers Cardiologie, CHU-T, 20/11/2026 13:00.',
  ]);
  const transfer = list.find((n) => n.text.startsWith('Transfert'));
  assert.ok(list.filter((n) => n.reply_to === transfer.id).length === 2, 'corrections reply to the original entry');
  assert.equal(q("SELECT CASE WHEN cancelled_at IS NOT NULL THEN 1 ELSE 0 END FROM hl7_movement WHERE movement_id = 'MV-A2'"), '1');
  // A04 outpatient, A11 cancels it (found without ZBE-1 by event)
  a = await send(adt({ ...base, trigger: 'A04', id: nextId(), movement: 'MV-A5', klass: 'O', unit: 'Consultation cardiologie', when: '20261122093000' }));
  a = await send(adt({ ...base, trigger: 'A11', id: nextId(), movement: '', action: 'CANCEL' }));
  assert.equal(a.code, 'AA', a.text);
  assert.equal(q("SELECT CASE WHEN cancelled_at IS NOT NULL THEN 1 ELSE 0 END FROM hl7_movement WHERE movement_id = 'MV-A5'"), '1');
  // a cancellation of nothing: AA with a warning
  a = await send(adt({ ...base, trigger: 'A13', id: nextId(), movement: 'NOPE', action: 'CANCEL' }));
  assert.deepEqual([a.code, a.err?.severity], ['AA', 'W']);
  // a patient without a care circle: movement recorded, no note
  a = await send(adt({ trigger: 'A01', id: nextId(), ipp: 'MV2', family: 'SEUL', given: 'SANS', dob: '19400404', movement: 'MV-B1', unit: 'Médecine' }));
  assert.equal(a.code, 'AA');
  assert.equal(q("SELECT count(*) || ':' || count(note_id) FROM hl7_movement WHERE movement_id = 'MV-B1'"), '1:0');
  // historic movement: recorded, no note
  const count = (await notes()).length;
  assert.equal(count, list.length + 2, 'A04 and its cancellation');
  a = await send(adt({ ...base, trigger: 'A01', id: nextId(), movement: 'MV-A9', historic: 'Y', unit: 'Médecine', when: '20200101000000' }));
  assert.equal(a.code, 'AA');
  assert.equal((await notes()).length, count);
  assert.equal(q("SELECT count(*) FROM hl7_movement WHERE movement_id = 'MV-A9'"), '1');
});

test('a discharge without a note from the médecin traitant raises a rupture alert to the referent', async () => {
  const make = async (family, ipp) => {
    const p = await api(nurse, 'POST', '/api/patients', { birth_family_name: family, birth_given_names: ['Jean'], sex: 'M', birth_date: '1935-01-01', identifiers: [{ system: 'CHU-T', value: ipp }] });
    assert.equal(p.status, 201, p.text);
    for (const [u, role] of [[doc, 'PCP'], [coord, 'REFERENT']])
      assert.equal((await api(nurse, 'POST', `/api/patients/${p.json.id}/circle`, { kind: 'professional', role, user_id: u.user.id })).status, 201);
    return p.json.id;
  };
  const [silent, followed, cancelled, recent] = await Promise.all([make('Silence', 'RU1'), make('Suivi', 'RU2'), make('Annule', 'RU3'), make('Recent', 'RU4')]);
  // the doctor's note (dated now, so after the 10-day-old discharge) exists before the
  // discharge arrives: the check runs every second and must not race it
  assert.equal((await api(doc, 'POST', `/api/patients/${followed}/notes`, { type: 'GEN', text: 'Vu au cabinet après la sortie.' })).status, 201);
  const old = new Date(Date.now() - 10 * 86400000);
  const ts = (d) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  for (const [ipp, family] of [['RU1', 'SILENCE'], ['RU2', 'SUIVI']])
    assert.equal((await send(adt({ trigger: 'A03', id: nextId(), ipp, family, given: 'JEAN', dob: '19350101', movement: `D-${ipp}`, unit: 'Médecine', when: ts(old) }))).code, 'AA');
  assert.equal((await send(adt({ trigger: 'A03', id: nextId(), ipp: 'RU4', family: 'RECENT', given: 'JEAN', dob: '19350101', movement: 'D-RU4', unit: 'Médecine', when: ts(new Date()) }))).code, 'AA');
  // the old discharge and its cancellation in one write: they reach the committer
  // in one batch, so the check (between batches, every second) cannot fall
  // between them and alert on a discharge about to be cancelled
  const c = await connect(srv.mllpPort);
  try {
    await c.write(Buffer.concat([
      frame(adt({ trigger: 'A03', id: nextId(), ipp: 'RU3', family: 'ANNULE', given: 'JEAN', dob: '19350101', movement: 'D-RU3', unit: 'Médecine', when: ts(old) })),
      frame(adt({ trigger: 'A13', id: nextId(), ipp: 'RU3', family: 'ANNULE', given: 'JEAN', dob: '19350101', movement: 'D-RU3', action: 'CANCEL' })),
    ]));
    assert.deepEqual([parseAck(await c.ack()).code, parseAck(await c.ack()).code], ['AA', 'AA']);
  } finally { c.close(); }
  const alerts = () => q(`SELECT patient_id || ':' || urgent || ':' || title FROM notification WHERE kind = 'rupture' AND user_id = ${coord.user.id}`);
  // the check runs every second here (PARCOURS_RUPTURE_CHECK=1); the discharge is 10 days old
  assert.ok(await until(() => q("SELECT count(*) FROM hl7_movement WHERE movement_id IN ('D-RU1', 'D-RU2') AND rupture = 'pending'") === '0'));
  assert.equal(alerts(), `${silent}:1:Rupture de parcours`);
  assert.match(q(`SELECT body FROM notification WHERE kind = 'rupture'`), /Sortie d'hospitalisation le .* aucune note du médecin traitant depuis 7 jours/);
  assert.equal(q("SELECT rupture FROM hl7_movement WHERE movement_id = 'D-RU2'"), 'ok');
  assert.equal(q("SELECT rupture FROM hl7_movement WHERE movement_id = 'D-RU4'"), 'pending', 'not due yet');
  assert.equal(q("SELECT coalesce(rupture, 'none') FROM hl7_movement WHERE movement_id = 'D-RU3'"), 'none', 'cancelled');
  assert.ok(cancelled && recent);
});

test('idle connections are closed, connections beyond the bound are refused', async () => {
  const s = await startHl7Server({ env: { PARCOURS_MLLP_IDLE: '1', PARCOURS_MLLP_MAX_CONN: '2' } });
  try {
    const [a, b] = [await connect(s.mllpPort), await connect(s.mllpPort)];
    await sleep(100);
    const c = await connect(s.mllpPort);
    assert.ok(await c.waitClosed(3000), 'third connection closed');
    assert.ok(await a.waitClosed(5000), 'idle connection closed');
    assert.ok(await b.waitClosed(5000));
    const d = await connect(s.mllpPort);
    assert.equal(parseAck(await d.send(adt({ trigger: 'A28', id: 'I1', ipp: 'I1', family: 'APRES', given: 'TOUT', dob: '19500101' }))).code, 'AA');
    d.close();
  } finally { await closeChecked(s); }
});

test('kill -9 in the middle of a stream: every message acknowledged AA is in the database after restart', async () => {
  const s = await startHl7Server();
  const acked = [];
  try {
    const c = await connect(s.mllpPort);
    const total = 600;
    let sent = 0;
    const pump = async () => {
      while (sent < total && sent - acked.length < 50) {
        const id = `K${sent}`;
        await c.write(frame(adt({ trigger: 'A28', id, ipp: `K${sent}`, family: 'CRASH', given: 'TEST', dob: `19${String(10 + (sent % 80)).padStart(2, '0')}0101`, sex: sent % 2 ? 'M' : 'F' })));
        sent++;
      }
    };
    await pump();
    for (;;) {
      let a;
      try { a = parseAck(await c.ack(5000)); } catch { break; }
      if (a.code === 'AA') acked.push(a.ref);
      if (acked.length === 150) s.child.kill('SIGKILL');
      await pump();
    }
    assert.ok(acked.length >= 150, `acked ${acked.length}`);
    assert.ok(acked.length < total, 'killed before the end');
  } finally { await s.stop(); }
  const again = await startHl7Server({ db: s.db });
  try {
    const stored = new Set(again.sql("SELECT control_id FROM hl7_message WHERE status = 'processed'").split('\n'));
    const missing = acked.filter((id) => !stored.has(id));
    assert.deepEqual(missing, [], 'acknowledged but lost');
    const ipps = new Set(again.sql("SELECT value FROM patient_identifier WHERE value LIKE 'K%'").split('\n'));
    assert.deepEqual(acked.filter((id) => !ipps.has(id)), []);
    // what was not acknowledged can be sent again: the rest of the stream goes through
    const c = await connect(again.mllpPort);
    const a = parseAck(await c.send(adt({ trigger: 'A28', id: 'K-after', ipp: 'K-after', family: 'CRASH', given: 'APRES', dob: '19990101' })));
    assert.equal(a.code, 'AA');
    c.close();
  } finally { await closeChecked(again); }
});

test('outbound identity feed: A28/A31 queued with the change, sent in order, AE surfaced, retried until the receiver is back', async () => {
  const rx = receiver((msg) => (msg.includes('Refuse^') ? 'AE' : 'AA'));
  const port = await rx.listen();
  const s = await startServer({ args: ['--s2ri', `127.0.0.1:${port}`], env: { PARCOURS_S2RI_RETRY_MAX: '1', PARCOURS_S2RI_TIMEOUT: '3' } });
  try {
    const [d, adm] = [await login(s, DOCTOR), await login(s, ADMIN)];
    const create = (body) => request(s, 'POST', '/api/patients', { token: d.token, body });
    const outbox = async (status) => (await request(s, 'GET', `/api/admin/hl7/outbox${status ? `?status=${status}` : ''}`, { token: adm.token })).json.items;
    const p = await create({ birth_family_name: 'Envoi', birth_given_names: ['Anne', 'Marie'], sex: 'F', birth_date: '1950-02-02', birthplace_code: '35238', identifiers: [{ system: 'CHU-T', value: 'S1' }] });
    assert.equal(p.status, 201);
    assert.ok(await until(() => rx.messages.length === 1));
    const msg = rx.messages[0].split('\r');
    assert.match(msg[0], /^MSH\|\^~\\&\|PARCOURS\|PARCOURS\|S2RI\|S2RI\|\d{14}\|\|ADT\^A28\^ADT_A05\|PC[0-9a-f]{16}\|P\|2\.5\^FRA\^2\.11\|/);
    const pidSeg = msg.find((l) => l.startsWith('PID|')).split('|');
    assert.equal(pidSeg[3], `${p.json.id}^^^PARCOURS^PI~S1^^^CHU-T^PI`);
    assert.equal(pidSeg[5], 'Envoi^Anne^Anne Marie^^^^L');
    assert.equal(pidSeg[7], '19500202');
    assert.equal(pidSeg[32], 'PROV');
    assert.ok(await until(() => s.sql("SELECT count(*) FROM hl7_outbox WHERE status = 'sent'") === '1'));
    const sent = await outbox('sent');
    assert.equal(sent.length, 1);
    assert.match(sent[0].ack, /MSA\|AA\|PC/);
    // an update: A31
    const u = await request(s, 'PATCH', `/api/patients/${p.json.id}`, { token: d.token, body: { version: 1, used_family_name: 'Durand' } });
    assert.equal(u.status, 200, u.text);
    assert.ok(await until(() => rx.messages.length === 2));
    assert.match(rx.messages[1], /ADT\^A31\^ADT_A05/);
    assert.match(rx.messages[1], /Durand\^\^\^\^\^\^D/);
    // refused by the receiver: surfaced as an error, the queue goes on
    await create({ birth_family_name: 'Refuse', birth_given_names: ['Paul'], sex: 'M', birth_date: '1951-03-03' });
    await create({ birth_family_name: 'Apres', birth_given_names: ['Paul'], sex: 'M', birth_date: '1952-03-03' });
    assert.ok(await until(() => s.sql("SELECT count(*) FROM hl7_outbox WHERE status <> 'pending'") === '4'));
    const errors = await outbox('error');
    assert.equal(errors.length, 1);
    assert.match(errors[0].last_error, /^AE : Identité refusée/);
    assert.match(errors[0].ack, /MSA\|AE\|/);
    // the receiver goes away: messages wait, in order, and are retried
    await rx.stop();
    for (const name of ['Attente', 'Ordre']) await create({ birth_family_name: name, birth_given_names: ['Luc'], sex: 'M', birth_date: '1953-04-04' });
    await sleep(2500);
    const pending = await outbox('pending');
    assert.equal(pending.length, 2);
    assert.ok(pending.some((m) => m.attempts >= 1 && /connexion/.test(m.last_error)), JSON.stringify(pending));
    // a restart of parcours loses nothing
    await s.stop();
    assert.doesNotMatch(s.stderr(), /Sanitizer|runtime error/);
    const s2 = await startServer({ db: s.db, args: ['--s2ri', `127.0.0.1:${port}`], env: { PARCOURS_S2RI_RETRY_MAX: '1' } });
    try {
      await rx.listen(port);
      assert.ok(await until(() => rx.messages.length >= 6, 15000), `received ${rx.messages.length}`);
      const names = rx.messages.slice(4).map((m) => m.split('\r').find((l) => l.startsWith('PID|')).split('|')[5].split('^')[0]);
      assert.deepEqual(names, ['Attente', 'Ordre']);
      assert.equal(s2.sql("SELECT count(*) FROM hl7_outbox WHERE status = 'sent'"), '5');
    } finally { await closeChecked(s2, { keepDb: true }); }
  } finally { await rx.stop(); s.db.cleanup(); }
});
