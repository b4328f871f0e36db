// The care journeys on a phone: create a patient (search first, the INS key
// checked while typing, the duplicate warning for a near-identical identity),
// the record's synthesis, add the demo nurse to the circle, post a note with a
// photo that the nurse sees arrive live in her own browser (stream,
// notification, journal), the notifications feed, a professional outside the
// circle refused then break-the-glass, and log out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, DOCTOR, NURSE, request, login } from '../lib/server.mjs';
import {
  launchBrowser, startWebServer, stopServer, openPage, signIn, checkA11y, screenshot, heading, until,
  browserMissing, tinyPng,
} from '../lib/browser.mjs';

const TEST_INS_OID = '1.2.250.1.213.1.4.10';
const JEANNE = {
  birth_family_name: 'DUPONT', birth_given_names: ['Jeanne', 'Marie'], used_family_name: 'MARTIN',
  sex: 'F', birth_date: '1948-03-12', birthplace_code: '35238', phone: '0601020304',
  address: { line: '3 rue des Lices', postcode: '35000', city: 'Rennes' },
};

let srv, browser, doctorApi, adminApi;
before(async () => {
  assert.equal(browserMissing(), null);
  [srv, browser] = await Promise.all([startWebServer(), launchBrowser()]);
  [doctorApi, adminApi] = await Promise.all([login(srv, DOCTOR), login(srv, ADMIN)]);
});
after(async () => { await browser?.close(); await stopServer(srv); });

/* A patient made through the API by the doctor (who joins its circle). */
async function apiPatient(body) {
  const r = await request(srv, 'POST', '/api/patients', {
    token: doctorApi.token, body: { ...body, used_family_name: body.used_family_name || undefined, confirm_duplicate: true },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('Mes patients, search first, create a patient (INS key checked), then the duplicate warning', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, DOCTOR);
  assert.equal(await heading(page).textContent(), 'Patients');
  await page.locator('#titre-mes-patients').waitFor();
  await page.getByText("Vous ne faites partie d'aucun cercle de soins").waitFor();
  await checkA11y(page, 'Patients (vide)');

  // identitovigilance: search before creating; nothing found → « Créer ce patient », prefilled
  await page.getByLabel('Rechercher parmi tous les patients').fill('Dupont 12/03/1948');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.getByText('Aucun patient ne correspond à « Dupont », né(e) le 12/03/1948.').waitFor();
  assert.equal(new URL(page.url()).search, '?nom=Dupont&naissance=1948-03-12');
  await page.getByRole('link', { name: 'Créer ce patient' }).click();
  await heading(page).filter({ hasText: 'Nouveau patient' }).waitFor();
  const birthName = page.getByLabel('Nom de naissance *', { exact: true });
  assert.equal(await birthName.inputValue(), 'DUPONT');
  assert.equal(await page.getByLabel('Date de naissance *').inputValue(), '12/03/1948');

  // nothing else filled: the required traits, next to their fields, no request
  let posted = 0;
  page.on('request', (r) => { if (r.method() === 'POST' && r.url().endsWith('/api/patients')) posted++; });
  await page.getByRole('button', { name: 'Créer le patient' }).click();
  await page.locator('#patient-prenom-1-erreur').waitFor();
  assert.equal(await page.locator('#patient-sexe-erreur').textContent(), 'Indiquez le sexe.');
  assert.ok(await page.getByLabel('Premier prénom de naissance *').evaluate((el) => el === document.activeElement));

  await page.getByLabel('Premier prénom de naissance *').fill('Jeanne');
  await page.getByRole('button', { name: 'Ajouter un prénom' }).click();
  const second = page.getByLabel('Prénom de naissance n° 2');
  assert.ok(await second.evaluate((el) => el === document.activeElement), 'focus on the new given name');
  await second.fill('Marie');
  await page.getByRole('radio', { name: 'Féminin' }).check();
  await page.getByLabel('Lieu de naissance (code INSEE)').fill('35238');
  await page.getByLabel('Nom utilisé', { exact: true }).fill('MARTIN');
  // the INS key is checked as it is typed (97 − the 13 digits mod 97)
  const ins = page.getByLabel('Matricule INS');
  await ins.fill('248033523806718');
  await page.locator('#patient-ins-erreur').filter({ hasText: 'La clé de l\'INS' }).waitFor();
  assert.equal(await ins.getAttribute('aria-invalid'), 'true');
  await page.getByRole('button', { name: 'Créer le patient' }).click();
  assert.ok(await ins.evaluate((el) => el === document.activeElement), 'focus on the INS');
  assert.equal(posted, 0);
  await checkA11y(page, 'Nouveau patient (erreurs)');
  await screenshot(page, 'patient-nouveau-erreur');
  await ins.fill('2 48 03 35 238 067 17');
  assert.equal(await page.locator('#patient-ins-erreur').count(), 0);
  await page.getByLabel("Nature de l'INS").selectOption(TEST_INS_OID);

  // a birthplace that is no COG code is refused here; the server's own errors land next to their field
  await page.getByLabel('Lieu de naissance (code INSEE)').fill('3523X');
  await page.getByRole('button', { name: 'Créer le patient' }).click();
  await page.locator('#patient-lieu-erreur').waitFor();
  assert.equal(posted, 0, 'checked here first');
  await page.getByLabel('Lieu de naissance (code INSEE)').fill('35238');
  await page.getByLabel('Téléphone').fill('12');
  await page.getByRole('button', { name: 'Créer le patient' }).click();
  await page.locator('#patient-telephone-erreur').filter({ hasText: 'Numéro de téléphone invalide.' }).waitFor();
  assert.equal(posted, 1);
  assert.ok(await page.getByLabel('Téléphone').evaluate((el) => el === document.activeElement));
  await page.getByLabel('Téléphone').fill('06 01 02 03 04');
  await page.getByRole('button', { name: 'Créer le patient' }).click();

  // created: the record opens on its synthesis; the creator is in the circle
  await heading(page).filter({ hasText: 'DUPONT Jeanne Marie' }).waitFor();
  assert.match(new URL(page.url()).pathname, /^\/patients\/\d+$/);
  const jeanneUrl = new URL(page.url()).pathname;
  await page.locator('main .notice').filter({ hasText: 'Patient créé : DUPONT Jeanne Marie.' }).waitFor();
  const identity = page.locator('section[aria-labelledby=titre-identite]');
  await identity.getByText('MARTIN').waitFor();
  assert.match(await identity.innerText(), /Statut de l'identité\s+Provisoire/);
  // the INS is not shown as the national identifier while the identity is not qualified
  assert.doesNotMatch(await identity.innerText(), /248033523806717/);
  assert.match(await identity.innerText(), /non qualifié/);
  assert.equal(await page.locator('a[href="tel:0601020304"]').count(), 1);
  await page.getByText('Aucune note urgente.').waitFor();
  assert.equal(await page.title(), 'DUPONT Jeanne Marie — parcours');
  await checkA11y(page, 'Fiche patient › Synthèse');
  await screenshot(page, 'patient-synthese');

  // a near-identical identity (one letter, same birth date): the duplicate warning
  await page.goto('/patients/nouveau');
  await page.getByLabel('Nom de naissance *', { exact: true }).fill('DUPONF');
  await page.getByLabel('Premier prénom de naissance *').fill('Jeanne');
  await page.getByRole('radio', { name: 'Féminin' }).check();
  await page.getByLabel('Date de naissance *').fill('12031948');
  await page.getByRole('button', { name: 'Créer le patient' }).click();
  const dup = page.locator('section.duplicates');
  await dup.waitFor();
  assert.ok(await page.locator('#titre-doublons').evaluate((el) => el === document.activeElement), 'focus on the warning');
  const candidate = dup.locator('li.candidate');
  assert.equal(await candidate.count(), 1);
  const text = await candidate.innerText();
  assert.match(text, /DUPONT Jeanne Marie/);
  assert.match(text, /Ressemblance : \d{2,3} %/);
  assert.match(text, /date de naissance identique/);
  assert.match(text, /nom proche/);
  assert.match(text, /sexe identique/);
  await checkA11y(page, 'Nouveau patient (doublon possible)');
  await screenshot(page, 'patient-doublon');
  // open the candidate: it is the record created above
  await candidate.getByRole('link', { name: /Ouvrir ce dossier/ }).click();
  await heading(page).filter({ hasText: 'DUPONT Jeanne Marie' }).waitFor();
  assert.equal(new URL(page.url()).pathname, jeanneUrl);

  // day and month swapped: said in French; confirming creates the record anyway
  await page.goto('/patients/nouveau');
  await page.getByLabel('Nom de naissance *', { exact: true }).fill('DUPONT');
  await page.getByLabel('Premier prénom de naissance *').fill('Jeanne');
  await page.getByRole('radio', { name: 'Féminin' }).check();
  await page.getByLabel('Date de naissance *').fill('03/12/1948');
  await page.getByRole('button', { name: 'Créer le patient' }).click();
  await dup.getByText('jour et mois inversés').waitFor();
  await page.getByRole('button', { name: "Ce n'est aucun d'eux : créer le patient" }).click();
  await heading(page).filter({ hasText: 'DUPONT Jeanne' }).waitFor();
  assert.notEqual(new URL(page.url()).pathname, jeanneUrl);

  // both are in « Mes patients », with their status
  await page.getByRole('link', { name: 'Patients' }).click();
  const cards = page.locator('li.patient-card');
  await until(async () => (await cards.count()) === 2, 'two patients');
  assert.match(await cards.first().innerText(), /Provisoire/);
  await checkA11y(page, 'Mes patients');
  await screenshot(page, 'patients');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the circle, a note with a photo seen live by the nurse, her notifications, then log out', async () => {
  const patient = await apiPatient({ ...JEANNE, used_family_name: null, birth_family_name: 'LE GALL', birth_given_names: ['Yvonne'], birth_date: '1939-07-01' });
  const doctor = await openPage(browser, srv);
  const nurse = await openPage(browser, srv);
  await Promise.all([signIn(doctor.page, DOCTOR, { path: `/patients/${patient.id}/cercle` }), signIn(nurse.page, NURSE)]);

  // the nurse's account number, from « Mon compte », to be added to the circle
  await nurse.page.getByRole('link', { name: 'Mon compte' }).click();
  const number = (await nurse.page.locator('dt:text("Numéro de compte parcours") + dd .mono').textContent()).trim();
  assert.match(number, /^\d+$/);
  await nurse.page.getByRole('link', { name: 'Patients' }).click();
  await nurse.page.getByText("Vous ne faites partie d'aucun cercle de soins").waitFor();

  // the doctor adds her (role: nurse)
  const d = doctor.page;
  await d.locator('#titre-cercle').waitFor();
  await d.getByRole('button', { name: 'Ajouter un membre' }).click();
  assert.ok(await d.locator('#titre-ajout').evaluate((el) => el === document.activeElement));
  await d.getByLabel('Numéro de compte parcours').fill(number);
  await d.getByLabel('Rôle dans le cercle').selectOption('NURSE');
  await checkA11y(d, 'Cercle de soins › Ajouter un membre');
  await d.getByRole('button', { name: 'Ajouter au cercle' }).click();
  const nurseCard = d.locator('li.member').filter({ hasText: 'Julien Bernard (infirmier libéral)' });
  await nurseCard.waitFor();
  assert.match(await nurseCard.innerText(), /Infirmier ou infirmière/);
  // a relative, by name and phone: tel: link; then her participation ends
  await d.getByRole('button', { name: 'Ajouter un membre' }).click();
  await d.getByRole('radio', { name: 'Un proche, une structure ou une autre personne' }).check();
  await d.getByLabel('Type de membre').selectOption('related');
  await d.getByLabel('Nom', { exact: true }).fill('Marc Le Gall (fils)');
  await d.getByLabel('Téléphone').fill('06 11 22 33 44');
  await d.getByLabel('Rôle dans le cercle').selectOption('CAREGIVER');
  await d.getByRole('button', { name: 'Ajouter au cercle' }).click();
  const son = d.locator('li.member').filter({ hasText: 'Marc Le Gall (fils)' });
  await son.waitFor();
  assert.match(await son.innerText(), /Aidant · Proche/);
  assert.equal(await son.locator('a[href="tel:0611223344"]').count(), 1);
  await checkA11y(d, 'Cercle de soins');
  await screenshot(d, 'patient-cercle');
  await son.getByRole('button', { name: 'Terminer la participation de Marc Le Gall (fils)' }).click(); // « Terminer »
  await son.getByRole('button', { name: 'Confirmer la fin de participation' }).click();
  const past = d.locator('details.past-members');
  await past.waitFor();
  assert.equal(await past.locator('summary').textContent(), '1 ancien membre');
  assert.equal(await d.locator('ul[aria-label="Membres actuels"] li.member').count(), 2);

  // the nurse is told live: a message, the badge on her Notifications tab, the
  // patient in her list, marked as having news
  const n = nurse.page;
  const tab = n.getByRole('navigation', { name: 'Navigation principale' }).getByRole('link', { name: /Notifications/ });
  await n.locator('.toast').filter({ hasText: 'Vous avez été ajouté à un cercle de soins' }).waitFor({ timeout: 5000 });
  await until(async () => (await n.locator('.tab-badge').textContent()) === '1', 'badge 1');
  await n.getByRole('link', { name: 'Notifications (1 non lue)', exact: true }).waitFor();
  const card = n.locator('li.patient-card').filter({ hasText: 'LE GALL Yvonne' });
  await card.waitFor();
  assert.match(await card.innerText(), /1 nouveauté/);
  await checkA11y(n, 'Mes patients (avec nouveautés)');
  await screenshot(n, 'patients-nouveautes');
  // she opens the record's circle from the message, which is then read
  await n.locator('.toast').getByRole('link', { name: 'Voir' }).click();
  await heading(n).filter({ hasText: 'LE GALL Yvonne' }).waitFor();
  await n.locator('#titre-cercle').waitFor();
  await n.locator('.tab-badge').waitFor({ state: 'detached' });
  await n.getByRole('link', { name: 'Journal' }).click();
  await n.getByText('Aucune note pour le moment.').waitFor();

  // the doctor posts an urgent observation with a photo taken by the phone
  await d.getByRole('link', { name: 'Journal' }).click();
  await d.getByRole('button', { name: 'Nouvelle note' }).click();
  assert.ok(await d.getByLabel('Texte de la note').evaluate((el) => el === document.activeElement));
  await d.getByLabel('Type de note').selectOption('OBS');
  const noteText = 'Plaie du talon plus rouge ce matin <b>à surveiller</b>.';
  await d.getByLabel('Texte de la note').fill(noteText);
  await d.getByLabel('Urgent : le cercle de soins est alerté').check();
  const input = d.locator('input[type=file]');
  assert.equal(await input.getAttribute('accept'), 'image/*');
  assert.equal(await input.getAttribute('capture'), 'environment');
  await input.setInputFiles({ name: 'talon.png', mimeType: 'image/png', buffer: tinyPng(24) });
  await d.getByAltText('Aperçu de la photo à envoyer').waitFor();
  const uploads = [];
  d.on('request', (r) => { if (r.url().includes('/attachments')) uploads.push({ type: r.headers()['content-type'], csrf: r.headers()['x-csrf-token'] }); });
  await d.getByRole('button', { name: 'Publier la note' }).click();
  await d.locator('li.note').first().getByText(noteText).waitFor();
  const myNote = d.locator(`li.note[data-note="${await d.locator('li.note').first().getAttribute('data-note')}"]`);
  const thumb = myNote.getByRole('img', { name: 'Photo jointe talon.png' });
  await thumb.waitFor();
  await until(() => thumb.evaluate((img) => img.complete && img.naturalWidth === 24), 'the thumbnail decoded');
  assert.match(await thumb.getAttribute('src'), /^blob:/);
  assert.deepEqual(uploads.filter((u) => u.csrf).map((u) => u.type), ['image/png']);
  assert.match(await myNote.innerText(), /Observation\s+Urgent/);
  await checkA11y(d, 'Journal (note avec photo)');
  await screenshot(d, 'patient-journal');

  // the nurse, without reloading: the note arrives in her journal, photo included
  const noteId = await myNote.getAttribute('data-note');
  const live = n.locator(`li.note[data-note="${noteId}"]`);
  await live.waitFor({ timeout: 5000 });
  assert.match(await live.innerText(), /Nouveau/);
  assert.match(await live.innerText(), /Dr Claire Martin/);
  assert.equal(await live.locator('.note-text').textContent(), noteText, 'markup shown as text');
  await live.getByRole('img', { name: 'Photo jointe talon.png' }).waitFor();
  await n.locator('.toast.urgent').filter({ hasText: 'Nouvelle note URGENTE' }).waitFor();
  await screenshot(n, 'journal-en-direct');
  // shown, hence read: the note's notification is marked read by itself
  await n.locator('.tab-badge').waitFor({ state: 'detached' });
  const reads = await request(srv, 'GET', `/api/patients/${patient.id}/notes/${noteId}/reads`, { token: doctorApi.token });
  assert.ok(JSON.stringify(reads.json).includes('Julien Bernard'), 'a read receipt: ' + reads.text);

  // she replies; the doctor sees the reply arrive; the doctor corrects her note
  await live.getByRole('button', { name: 'Répondre à Dr Claire Martin (médecin généraliste)' }).click();
  await live.getByLabel('Votre réponse').fill('Je passe à 14 h pour refaire le pansement.');
  await live.getByRole('button', { name: 'Répondre', exact: true }).click();
  await n.locator('li.note').first().getByText('Je passe à 14 h').waitFor();
  assert.equal(await live.getByRole('button', { name: 'Corriger' }).count(), 0, 'not the author');
  const reply = d.locator('li.note').filter({ hasText: 'Je passe à 14 h' });
  await reply.waitFor({ timeout: 5000 });
  assert.match(await reply.innerText(), /En réponse à Dr Claire Martin/);
  await myNote.getByRole('button', { name: 'Corriger' }).click();
  await myNote.getByLabel('Texte corrigé').fill('Plaie du talon plus rouge ce matin, à surveiller.');
  await myNote.getByRole('button', { name: 'Enregistrer la correction' }).click();
  await myNote.getByText('Plaie du talon plus rouge ce matin, à surveiller.').waitFor();
  assert.match(await myNote.innerText(), /corrigée/);

  // the nurse's network drops for a moment: the stream comes back by itself
  await nurse.context.setOffline(true);
  await n.locator('.offline-banner').waitFor();
  await nurse.context.setOffline(false);
  await n.locator('.offline-banner').waitFor({ state: 'detached' });

  // the patient's conversation: a message with a mention reaches the nurse live
  await d.getByRole('link', { name: 'Conversation' }).click();
  await d.getByLabel('Votre message').fill('@inf.bernard pouvez-vous me rappeler après la visite ?');
  await d.getByRole('button', { name: 'Envoyer' }).click();
  await d.locator('li.message.mine').getByText('pouvez-vous me rappeler').waitFor();
  await n.locator('.toast').filter({ hasText: /mention|message/i }).waitFor({ timeout: 10000 });
  await n.getByRole('link', { name: 'Conversation' }).click();
  await n.locator('li.message').getByText('pouvez-vous me rappeler').waitFor();
  await checkA11y(n, 'Conversation');
  await screenshot(n, 'patient-conversation');

  // her notifications: the feed (what she saw is read), a new one arriving live, all read
  await tab.click();
  await heading(n).filter({ hasText: 'Notifications' }).waitFor();
  const items = n.locator('li.notification');
  await until(async () => (await items.count()) === 3, 'three notifications');
  assert.match(await items.last().innerText(), /Vous avez été ajouté à un cercle de soins/);
  assert.match(await items.last().innerText(), /Rôle : Infirmier ou infirmière/);
  assert.match(await items.last().innerText(), /Patient : LE GALL Yvonne/);
  await n.getByText('Aucune notification non lue.').waitFor();
  const second = await request(srv, 'POST', `/api/patients/${patient.id}/notes`, {
    token: doctorApi.token, body: { type: 'INST', text: 'Contrôle de la glycémie avant le repas du soir.', visibility: 'all' },
  });
  assert.equal(second.status, 201);
  await until(async () => (await items.count()) === 4, 'the new one on top');
  assert.match(await items.first().innerText(), /Non lue[\s\S]*Nouvelle note[\s\S]*Contrôle de la glycémie/);
  await n.getByText('1 non lue.').waitFor();
  assert.equal(await n.locator('.tab-badge').textContent(), '1');
  assert.equal(await n.locator('.toast').count(), 0, 'the feed shows it already');
  await checkA11y(n, 'Notifications');
  await screenshot(n, 'notifications');
  await n.getByRole('button', { name: 'Tout marquer comme lu' }).click();
  await n.getByText('Aucune notification non lue.').waitFor();
  assert.equal(await n.locator('.tab-badge').count(), 0);
  assert.equal(await n.locator('li.notification.unread').count(), 0);

  // log out: back to Connexion, the stream closed with the session
  await n.getByRole('link', { name: 'Mon compte' }).click();
  await n.getByRole('button', { name: 'Se déconnecter' }).click();
  await n.getByLabel('Identifiant', { exact: true }).waitFor();
  assert.equal((await nurse.context.cookies()).length, 0);
  assert.deepEqual(doctor.problems, []);
  assert.deepEqual(nurse.problems, []);
  await Promise.all([doctor.context.close(), nurse.context.close()]);
});

test('outside the circle: refused, then break-the-glass with a reason opens the record', async () => {
  const patient = await apiPatient({ ...JEANNE, used_family_name: null, birth_family_name: 'KERBRAT', birth_given_names: ['Anne'], birth_date: '1951-11-30' });
  const kine = { login: 'kine.leroy', password: 'kine-leroy-2026' };
  const r = await request(srv, 'POST', '/api/admin/users', {
    token: adminApi.token, body: { login: kine.login, display_name: 'Paul Leroy (kinésithérapeute)', role: 'professional', password: kine.password },
  });
  assert.equal(r.status, 201, r.text);
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, kine);
  // search finds the identity (open to every professional), the record refuses
  await page.getByLabel('Rechercher parmi tous les patients').fill('kerb');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await page.locator('li.patient-card').filter({ hasText: 'KERBRAT Anne' }).getByRole('link').click();
  await page.getByText('Vous ne faites pas partie du cercle de soins').waitFor();
  assert.equal(await page.locator('.refused[role=alert]').count(), 1);
  assert.match(await page.locator('.break-glass').innerText(), /tracés dans le journal d'audit/);
  assert.equal(await page.locator('#titre-identite').count(), 0, 'nothing of the record');
  await checkA11y(page, 'Accès refusé, bris de glace');
  await screenshot(page, 'bris-de-glace');

  // a reason too short: said next to the field, nothing sent
  const motive = page.getByLabel("Motif de l'accès en urgence");
  await motive.fill('urgence');
  await page.getByRole('button', { name: 'Accéder au dossier en urgence' }).click();
  await page.locator('#bris-motif-erreur').waitFor();
  assert.ok(await motive.evaluate((el) => el === document.activeElement));
  await motive.fill('Chute à domicile, appel du SAMU : recherche des traitements en cours.');
  await page.getByRole('button', { name: 'Accéder au dossier en urgence' }).click();
  await heading(page).filter({ hasText: 'KERBRAT Anne' }).waitFor();
  await page.locator('section[aria-labelledby=titre-identite]').waitFor();
  assert.match(await page.locator('.warning-banner').innerText(), /Accès en urgence \(bris de glace\) jusqu'au/);
  // the circle is readable, not changeable
  await page.getByRole('link', { name: 'Cercle de soins', exact: true }).click();
  await page.locator('li.member').first().waitFor();
  assert.equal(await page.getByRole('button', { name: 'Ajouter un membre' }).count(), 0);
  // audited as such
  const audit = await request(srv, 'GET', `/api/audit?patient_id=${patient.id}&limit=50`, { token: adminApi.token });
  assert.ok(audit.json.items.some((e) => /break/.test(e.action)), JSON.stringify(audit.json.items.map((e) => e.action)));
  assert.deepEqual(problems, []);
  await context.close();
});

test('Annuaire: search by name, profession and town; contact links', async () => {
  for (const [rpps, family, given, code, label, phone, mssante] of [
    ['10000000017', 'BERNARD', 'Julien', '60', 'Infirmier', '0299000002', 'julien.bernard@infirmier.mssante.fr'],
    ['10000000025', 'BERNARDIN', 'Alice', '10', 'Médecin', '0299000003', null],
    ['10000000033', 'MARTIN', 'Claire', '10', 'Médecin', '0299000001', 'claire.martin@medecin.mssante.fr'],
  ]) {
    const res = await request(srv, 'POST', '/api/directory/professionals', {
      token: adminApi.token, body: { rpps, family_name: family, given_name: given, profession_code: code, profession_label: label, phone, mssante },
    });
    assert.equal(res.status, 201, res.text);
  }
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, DOCTOR, { path: '/annuaire' });
  await page.getByLabel('Nom', { exact: true }).fill('bern');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  const cards = page.locator('li.professional');
  await until(async () => (await cards.count()) === 2, 'two results');
  assert.equal(new URL(page.url()).search, '?q=bern');
  const julien = cards.filter({ hasText: 'Julien BERNARD' });
  assert.match(await julien.innerText(), /Infirmier/);
  assert.equal(await julien.locator('a[href="tel:0299000002"]').count(), 1);
  assert.equal(await julien.locator('a[href="mailto:julien.bernard@infirmier.mssante.fr"]').count(), 1);
  await page.getByLabel('Profession', { exact: true }).selectOption('10');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await until(async () => (await cards.count()) === 1, 'one doctor');
  assert.match(await cards.first().innerText(), /Alice BERNARDIN/);
  await checkA11y(page, 'Annuaire');
  await page.getByLabel('Profession', { exact: true }).selectOption('');
  await page.getByRole('button', { name: 'Rechercher' }).click();
  await until(async () => (await cards.count()) === 2, 'two results again');
  await screenshot(page, 'annuaire');
  assert.deepEqual(problems, []);
  await context.close();
});

test('desktop width: a qualified identity with its INS; the journal page by page, filtered by type and urgency', async () => {
  // a qualified identity (INSi + identity card): its INS is shown as the national identifier
  const patient = await apiPatient({
    ...JEANNE, used_family_name: null, birth_family_name: 'MORVAN', birth_given_names: ['Louis'], sex: 'M', birth_date: '1944-02-29',
    ins: { value: '144023523812394', oid: TEST_INS_OID }, evidence: { insi: true, document_type: 'CNI' },
  });
  assert.equal(patient.identity_status, 'QUAL');
  const notes = `/api/patients/${patient.id}/notes`;
  for (let i = 1; i <= 24; i++) {
    const r = await request(srv, 'POST', notes, { token: doctorApi.token, body: { type: 'GEN', text: `Passage n° ${i} : RAS.`, visibility: 'all' } });
    assert.equal(r.status, 201);
  }
  await request(srv, 'POST', notes, {
    token: doctorApi.token, body: { type: 'INST', text: 'Arrêter le traitement anticoagulant jusqu\'à nouvel ordre.', urgent: true, visibility: 'professionals' },
  });
  const { page, problems, context } = await openPage(browser, srv, { viewport: { width: 1280, height: 900 }, isMobile: false, hasTouch: false });
  await signIn(page, DOCTOR, { path: `/patients/${patient.id}/journal` });
  const items = page.locator('ol.timeline > li.note');
  await until(async () => (await items.count()) === 20, 'one page');
  assert.match(await items.first().innerText(), /Instruction\s+Urgent\s+Professionnels/);
  await page.getByRole('button', { name: 'Charger plus' }).click();
  await until(async () => (await items.count()) === 25, 'all the notes');
  assert.equal(await page.getByRole('button', { name: 'Charger plus' }).count(), 0);
  assert.match(await items.last().innerText(), /Passage n° 1 : RAS\./);
  const ids = await items.evaluateAll((els) => els.map((e) => e.dataset.note));
  assert.equal(new Set(ids).size, 25, 'no note twice');
  await page.getByLabel('Urgentes seulement').check();
  await until(async () => (await items.count()) === 1, 'the urgent one');
  assert.equal(new URL(page.url()).search, '?urgent=1');
  await page.getByLabel('Urgentes seulement').uncheck();
  await page.getByLabel('Type', { exact: true }).selectOption('INST');
  await until(async () => (await items.count()) === 1, 'the instruction');
  await page.getByLabel('Type', { exact: true }).selectOption('');
  await until(async () => (await items.count()) === 20, 'one page again');
  // the synthesis shows the urgent note
  await page.getByRole('link', { name: 'Synthèse' }).click();
  await page.locator('.urgent-notes').getByText("Arrêter le traitement anticoagulant jusqu'à nouvel ordre.").waitFor();
  const identity = await page.locator('section[aria-labelledby=titre-identite]').innerText();
  assert.match(identity, /INS \(identifiant national de santé, test\)\s+144023523812394/);
  assert.match(identity, /Statut de l'identité\s+Qualifiée/);
  await checkA11y(page, 'Fiche patient (bureau)');
  await screenshot(page, 'bureau-patient');
  assert.deepEqual(problems, []);
  await context.close();
});

test('invite a professional without an account: the link creates the account, already in the circle', async () => {
  const patient = await apiPatient({ ...JEANNE, used_family_name: null, birth_family_name: 'GUEGUEN', birth_given_names: ['Marcel'], sex: 'M', birth_date: '1947-05-08' });
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, DOCTOR, { path: `/patients/${patient.id}/cercle` });
  await page.getByRole('button', { name: 'Ajouter un membre' }).click();
  await page.getByRole('radio', { name: 'Un proche, une structure ou une autre personne' }).check();
  await page.getByLabel('Nom', { exact: true }).fill('Paul Durand (pharmacien)');
  await page.getByLabel('E-mail').fill('paul.durand@pharmacien.mssante.fr');
  await page.getByLabel('Rôle dans le cercle').selectOption('PHARMACIST');
  await page.getByLabel("L'inviter à créer son compte parcours").check();
  await page.getByRole('button', { name: 'Ajouter au cercle' }).click();
  const card = page.locator('section[aria-labelledby=titre-invitation]');
  await card.waitFor();
  const url = (await card.locator('.invitation-url').textContent()).trim();
  assert.match(url, new RegExp(`^${srv.base}/invitation/[A-Za-z0-9_-]+$`));
  assert.match(await card.getByRole('link', { name: 'Envoyer par e-mail' }).getAttribute('href'), /^mailto:paul\.durand@pharmacien\.mssante\.fr\?subject=/);
  await page.locator('li.member').filter({ hasText: 'Invitation en attente' }).waitFor();

  // the pharmacist opens the link in his own browser
  const guest = await openPage(browser, srv);
  await guest.page.goto(url);
  await guest.page.getByRole('heading', { name: 'Rejoindre un cercle de soins' }).waitFor();
  await checkA11y(guest.page, 'Invitation');
  await guest.page.getByLabel('Identifiant').fill('ph.durand');
  await guest.page.getByLabel('Mot de passe', { exact: true }).fill('durand-pharma-35');
  await guest.page.getByLabel('Confirmation du mot de passe').fill('durand-pharma-35');
  await guest.page.getByRole('button', { name: 'Créer mon compte' }).click();
  await guest.page.locator('.app-header .who-name').filter({ hasText: 'Paul Durand (pharmacien)' }).waitFor();
  assert.equal(new URL(guest.page.url()).pathname, '/patients');
  await guest.page.locator('li.patient-card').filter({ hasText: 'GUEGUEN Marcel' }).waitFor();
  // the link does not work twice
  await guest.context.clearCookies();
  await guest.page.goto(url);
  await guest.page.getByLabel('Identifiant').fill('ph.durand2');
  await guest.page.getByLabel('Mot de passe', { exact: true }).fill('durand-pharma-35');
  await guest.page.getByLabel('Confirmation du mot de passe').fill('durand-pharma-35');
  await guest.page.getByRole('button', { name: 'Créer mon compte' }).click();
  await guest.page.getByText('Cette invitation a déjà été utilisée.').waitFor();
  assert.deepEqual(problems, []);
  assert.deepEqual(guest.problems, []);
  await Promise.all([context.close(), guest.context.close()]);
});
