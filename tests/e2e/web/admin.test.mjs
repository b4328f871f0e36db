// An administrator's journeys on a phone: accounts (search, pages, create,
// disable), the new account used in a second browser, the audit trail, and
// markup in a display name shown as text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { ADMIN, DOCTOR, request, login } from '../lib/server.mjs';
import {
  launchBrowser, startWebServer, stopServer, openPage, signIn, checkA11y, screenshot, heading, headerName,
  until, browserMissing,
} from '../lib/browser.mjs';

let srv, browser, adminApi;
before(async () => {
  assert.equal(browserMissing(), null);
  [srv, browser] = await Promise.all([startWebServer(), launchBrowser()]);
  adminApi = await login(srv, ADMIN);
});
after(async () => { await browser?.close(); await stopServer(srv); });

const item = (page, login) => page.locator(`li.account-item[data-login="${login}"]`);

async function adminPage() {
  const p = await openPage(browser, srv);
  await signIn(p.page, ADMIN);
  return p;
}

test('accounts: the list, a search, and « Charger plus » page after page', async () => {
  // 25 more accounts, straight into the table: a fixture for paging, not a
  // journey (they cannot log in: the hash is not a real one)
  const now = Date.now();
  // the demo accounts and any the server makes for itself (the HL7 interface's)
  const total = Number(srv.sql('SELECT count(*) FROM app_user')) + 25;
  const rows = Array.from({ length: 25 }, (_, i) => {
    const n = String(i + 1).padStart(2, '0');
    return `('ide.page${n}', 'Infirmière de test ${n}', 'professional', 'x', 0, ${now}, ${now})`;
  });
  srv.sql('INSERT INTO app_user (login, display_name, role, password_hash, disabled, created_at, updated_at) VALUES '
    + rows.join(', '));

  const { page, problems, context } = await adminPage();
  await page.getByRole('link', { name: 'Administration' }).click();
  await heading(page).filter({ hasText: 'Administration' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/admin/comptes');
  assert.equal(await page.getByRole('link', { name: 'Administration' }).getAttribute('aria-current'), 'page');
  const items = page.locator('li.account-item');
  await items.first().waitFor();
  assert.equal(await items.count(), 20); // one page
  assert.equal(await page.locator('.summary').textContent(), "20 comptes affichés, d'autres suivent");
  assert.match(await item(page, 'admin').innerText(), /Administrateur \(vous\)/);
  assert.equal(await item(page, 'admin').getByRole('button', { name: /Désactiver/ }).count(), 0, 'not oneself');
  await checkA11y(page, 'Administration › Comptes');
  await screenshot(page, 'admin-comptes');

  await page.getByRole('button', { name: 'Charger plus' }).click();
  await until(async () => (await items.count()) === total, `${total} accounts`);
  assert.equal(await page.getByRole('button', { name: 'Charger plus' }).count(), 0, 'last page');
  const logins = await items.evaluateAll((els) => els.map((e) => e.dataset.login));
  assert.equal(new Set(logins).size, total, 'no account twice');
  assert.equal(await page.locator('.summary').textContent(), `${total} comptes affichés`);

  // search as you type, kept in the URL
  await page.getByLabel('Rechercher un compte (nom ou identifiant)').fill('page1');
  await until(async () => new URL(page.url()).search === '?q=page1', 'the search in the URL');
  await until(async () => (await items.count()) === 10, '10 results');
  assert.ok((await items.evaluateAll((els) => els.map((e) => e.dataset.login))).every((l) => l.startsWith('ide.page1')));
  await page.getByLabel('Rechercher un compte (nom ou identifiant)').fill('personne');
  await page.locator('.summary').filter({ hasText: 'Aucun compte ne correspond à « personne ».' }).waitFor();
  assert.equal(await items.count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('create an account (errors next to the fields), who then logs in elsewhere; disable it', async () => {
  const { page, problems, context } = await adminPage();
  await page.goto('/admin/comptes');
  await page.getByRole('link', { name: 'Créer un compte' }).click();
  await page.getByRole('heading', { name: 'Nouveau compte' }).waitFor();
  const create = page.getByRole('button', { name: 'Créer le compte' });

  // nothing filled: one message per required field, no request
  await create.click();
  await page.locator('#compte-nom-erreur').waitFor();
  assert.equal(await page.locator('.field-error').count(), 3);

  // a login already taken: the server's French detail next to « Identifiant »
  await page.getByLabel('Nom affiché').fill('Dr Hélène Roux (pédiatre)');
  await page.getByLabel('Identifiant').fill('dr.martin');
  await page.getByLabel('Rôle').selectOption('professional');
  await page.getByLabel('Mot de passe initial').fill('bienvenue-helene');
  await create.click();
  await page.locator('#compte-identifiant-erreur').waitFor();
  assert.equal(await page.locator('#compte-identifiant-erreur').textContent(), 'Cet identifiant est déjà utilisé.');
  assert.ok(await page.getByLabel('Identifiant').evaluate((el) => el === document.activeElement));

  // a password too short: next to the password
  await page.getByLabel('Identifiant').fill('Dr.Roux'); // sent in lower case
  await page.getByLabel('Mot de passe initial').fill('court');
  await create.click();
  await page.locator('#compte-mot-de-passe-erreur').waitFor();
  assert.match(await page.locator('#compte-mot-de-passe-erreur').textContent(), /au moins 10 caractères/);
  await checkA11y(page, 'Nouveau compte (erreur)');
  await screenshot(page, 'admin-nouveau-compte');

  await page.getByLabel('Mot de passe initial').fill('bienvenue-helene');
  await create.click();
  await page.locator('main .notice').filter({ hasText: 'Compte de Dr Hélène Roux (pédiatre) créé' }).waitFor();
  assert.equal(new URL(page.url()).search, '?q=dr.roux');
  await item(page, 'dr.roux').waitFor();
  assert.match(await item(page, 'dr.roux').innerText(), /Professionnel de santé · Actif/);

  // the new account, in a second browser
  const roux = await openPage(browser, srv);
  await signIn(roux.page, { login: 'dr.roux', password: 'bienvenue-helene' });
  assert.equal(await headerName(roux.page), 'Dr Hélène Roux (pédiatre)');

  // disable: confirm first, then « Désactivé »; its session is over at once
  await item(page, 'dr.roux').getByRole('button', { name: 'Désactiver le compte de Dr Hélène Roux (pédiatre)' }).click();
  const confirm = item(page, 'dr.roux').getByRole('button', { name: 'Confirmer la désactivation' });
  assert.ok(await confirm.evaluate((el) => el === document.activeElement), 'focus on the confirmation');
  await screenshot(page, 'admin-desactivation');
  await confirm.click();
  await item(page, 'dr.roux').locator('.badge-off').waitFor();
  assert.match(await item(page, 'dr.roux').innerText(), /Désactivé/);
  const reactivate = item(page, 'dr.roux').getByRole('button', { name: /^Réactiver/ });
  assert.ok(await reactivate.evaluate((el) => el === document.activeElement), 'focus back on the account');

  await roux.page.getByRole('link', { name: 'Mon compte' }).click(); // GET /api/me → 401
  await roux.page.locator('main .notice').filter({ hasText: 'Votre session a pris fin.' }).waitFor();
  await roux.page.getByLabel('Identifiant', { exact: true }).fill('dr.roux');
  await roux.page.getByLabel('Mot de passe', { exact: true }).fill('bienvenue-helene');
  await roux.page.getByRole('button', { name: 'Se connecter' }).click();
  await roux.page.locator('.form-alert').filter({ hasText: 'Identifiant ou mot de passe incorrect.' }).waitFor();
  assert.deepEqual(roux.problems, []);
  await roux.context.close();

  // enable again: the person can log in
  await reactivate.click();
  await item(page, 'dr.roux').locator('.badge-on').waitFor();
  await login(srv, { login: 'dr.roux', password: 'bienvenue-helene' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('audit trail: login events by user and action, French labels, « Charger plus »', async () => {
  // events to find: a failed and a successful login of dr.martin, and enough
  // others (each GET /api/audit is itself audited) for more than one page
  const failed = await request(srv, 'POST', '/api/session', { body: { login: 'dr.martin', password: 'mauvais-mot-de-passe' } });
  assert.equal(failed.status, 401);
  await login(srv, DOCTOR);
  for (let i = 0; i < 35; i++) await request(srv, 'GET', '/api/audit?limit=1', { token: adminApi.token });

  const { page, problems, context } = await adminPage();
  await page.goto('/admin/comptes');
  await page.getByRole('link', { name: "Journal d'audit" }).click();
  await page.getByRole('heading', { name: "Journal d'audit" }).waitFor();
  const events = page.locator('ol.events > li');
  await events.first().waitFor();
  assert.equal(await events.count(), 30);
  // newest first: the administrator's own login, just now
  const seqs = await events.evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a));
  await page.getByRole('button', { name: 'Charger plus' }).click();
  await until(async () => (await events.count()) > 30, 'a second page');
  const all = await events.evaluateAll((els) => els.map((e) => Number(e.dataset.seq)));
  assert.equal(new Set(all).size, all.length, 'no event twice');
  assert.deepEqual(all, [...all].sort((a, b) => b - a));

  // today's logins: dr.martin's success and failure (wrong password) among them
  await page.getByLabel('Action').selectOption('session.login');
  const today = await page.evaluate(() => new Date().toLocaleDateString('sv')); // yyyy-mm-dd, local
  await page.getByLabel('Du', { exact: true }).fill(today);
  await page.getByLabel('Au (inclus)').fill(today);
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await until(async () => new URL(page.url()).searchParams.get('action') === 'session.login', 'the filters in the URL');
  await page.locator('.summary').filter({ hasText: /^\d+ événements? affichés?$/ }).waitFor();
  let texts = await events.allInnerTexts();
  assert.ok(texts.every((t) => t.startsWith('Connexion')), texts.join('\n'));
  assert.ok(texts.some((t) => /Réussite/.test(t) && /dr\.martin/.test(t)), texts.join('\n'));
  assert.ok(texts.some((t) => /Échec/.test(t) && /dr\.martin/.test(t) && /mot de passe erroné/.test(t)), texts.join('\n'));
  assert.ok(texts.some((t) => /Réussite/.test(t) && /\badmin\b/.test(t)), texts.join('\n'));
  assert.match(texts[0], /\d{2}\/\d{2}\/\d{4} \d{2}:\d{2}:\d{2}/);

  // by user: the API filters on the account's id, which failed logins do not carry
  await page.getByLabel("Identifiant de l'utilisateur").fill('dr.martin');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await until(async () => new URL(page.url()).searchParams.get('utilisateur') === 'dr.martin', 'the user filter');
  await until(async () => (await events.allInnerTexts()).every((t) => t.includes('dr.martin')), "dr.martin's events");
  texts = await events.allInnerTexts();
  assert.ok(texts.length >= 1 && texts.every((t) => /^Connexion\s+Réussite/.test(t)), texts.join('\n'));
  await checkA11y(page, "Journal d'audit");
  await screenshot(page, 'admin-journal');

  // a day without events, an unknown login, dates in the wrong order
  await page.getByLabel('Du', { exact: true }).fill('2001-01-01');
  await page.getByLabel('Au (inclus)').fill('2001-01-02');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.locator('.summary').filter({ hasText: 'Aucun événement ne correspond à ces filtres.' }).waitFor();
  await page.getByLabel("Identifiant de l'utilisateur").fill('inconnu');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.locator('#journal-utilisateur-erreur').filter({ hasText: "Aucun compte n'a l'identifiant « inconnu »." }).waitFor();
  await page.getByLabel('Du', { exact: true }).fill('2001-01-03');
  await page.getByRole('button', { name: 'Filtrer' }).click();
  await page.locator('#journal-au-erreur').filter({ hasText: 'La date de fin doit suivre la date de début.' }).waitFor();
  await page.getByRole('button', { name: 'Effacer les filtres' }).click();
  await until(async () => new URL(page.url()).search === '', 'no filters');
  assert.equal(await page.getByLabel("Identifiant de l'utilisateur").inputValue(), '');
  await until(async () => (await events.count()) === 30, 'the first page again');

  // the account list links to an account's events
  await page.goto('/admin/comptes?q=dr.martin');
  await item(page, 'dr.martin').getByRole('link', { name: /^Journal/ }).click();
  await until(async () => new URL(page.url()).searchParams.get('utilisateur') === 'dr.martin', 'the link');
  await events.first().waitFor();
  assert.ok((await events.allInnerTexts()).every((t) => t.includes('dr.martin')));
  assert.deepEqual(problems, []);
  await context.close();
});

test('markup in a display name is shown as text, never run', async () => {
  const xss = '<img src=x onerror=alert(1)>';
  const { page, problems, context } = await adminPage();
  await page.goto('/admin/comptes/nouveau');
  await page.getByLabel('Nom affiché').fill(xss);
  await page.getByLabel('Identifiant').fill('test.xss');
  await page.getByLabel('Mot de passe initial').fill('mot-de-passe-xss');
  await page.getByRole('button', { name: 'Créer le compte' }).click();
  await item(page, 'test.xss').waitFor();
  assert.equal(await item(page, 'test.xss').locator('.account-name').textContent(), xss);
  assert.match(await page.locator('main .notice').textContent(), /<img src=x onerror=alert\(1\)>/);
  await screenshot(page, 'xss-liste');

  const victim = await openPage(browser, srv);
  await signIn(victim.page, { login: 'test.xss', password: 'mot-de-passe-xss' });
  assert.equal(await headerName(victim.page), xss);
  await victim.page.getByRole('link', { name: 'Mon compte' }).click();
  await victim.page.locator('.facts').waitFor();
  assert.match(await victim.page.locator('.facts').innerText(), /<img src=x onerror=alert\(1\)>/);
  await screenshot(victim.page, 'xss-compte');
  for (const p of [page, victim.page]) {
    assert.equal(await p.locator('img[src="x"], main img').count(), 0, 'no element made from the name');
  }
  await new Promise((r) => setTimeout(r, 300)); // an onerror would have fired by now
  assert.deepEqual(victim.problems, [], 'no dialog, no error');
  assert.deepEqual(problems, []);
  await victim.context.close();
  await context.close();
});
