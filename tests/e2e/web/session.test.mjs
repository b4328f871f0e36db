// Signing in and out in the browser: French errors, keyboard only, deep
// links, where the session lives (the HttpOnly cookie, nothing in storage),
// a session that ends on the server, the offline banner and retries.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DOCTOR, NURSE } from '../lib/server.mjs';
import {
  launchBrowser, startWebServer, stopServer, openPage, signIn, checkA11y, screenshot, heading, headerName, until,
  browserMissing,
} from '../lib/browser.mjs';

let srv, browser;
before(async () => {
  assert.equal(browserMissing(), null);
  [srv, browser] = await Promise.all([startWebServer(), launchBrowser()]);
});
after(async () => { await browser?.close(); await stopServer(srv); });

test('wrong password: the French error, announced, and no session', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await page.goto('/');
  // empty fields are refused here, next to each field, without a request
  let posted = 0;
  page.on('request', (r) => { if (r.url().endsWith('/api/session')) posted++; });
  await page.getByRole('button', { name: 'Se connecter' }).click();
  const loginField = page.getByLabel('Identifiant', { exact: true });
  assert.equal(await loginField.getAttribute('aria-invalid'), 'true');
  assert.equal(await page.locator('#connexion-identifiant-erreur').textContent(), 'Indiquez votre identifiant.');
  assert.equal(await page.locator('#connexion-mot-de-passe-erreur').textContent(), 'Indiquez votre mot de passe.');
  assert.equal(await loginField.getAttribute('aria-describedby'), 'connexion-identifiant-erreur');
  assert.ok(await loginField.evaluate((el) => el === document.activeElement), 'focus on the first invalid field');
  assert.equal(posted, 0);

  await loginField.fill('dr.martin');
  await page.getByLabel('Mot de passe', { exact: true }).fill('pas-le-bon-mot-de-passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  const alert = page.locator('.form-alert-slot[role=alert] .form-alert');
  await alert.waitFor();
  assert.equal(await alert.textContent(), 'Identifiant ou mot de passe incorrect.');
  assert.equal(posted, 1);
  assert.equal(await heading(page).textContent(), 'Connexion');
  assert.equal((await context.cookies()).length, 0);
  await checkA11y(page, 'Connexion (erreur)');
  await screenshot(page, 'connexion-erreur');
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard only: Tab to the fields, Enter signs in; the shell greets by name', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await page.goto('/');
  await page.getByLabel('Identifiant', { exact: true }).waitFor();
  await page.keyboard.press('Tab'); // skip link
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'connexion-identifiant');
  // phones capitalise the first letter: the login is sent in lower case
  await page.keyboard.type('Dr.Martin');
  await page.keyboard.press('Tab');
  await page.keyboard.type(DOCTOR.password);
  await page.keyboard.press('Enter');
  await page.locator('.app-header .who-name').waitFor();
  assert.equal(await headerName(page), 'Dr Claire Martin (médecin généraliste)');
  assert.equal(new URL(page.url()).pathname, '/patients');
  assert.equal(await heading(page).textContent(), 'Patients');
  assert.equal(await page.title(), 'Patients — parcours');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the session is the HttpOnly cookie only; it survives a reload; the CSRF token is sent on writes', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, NURSE);
  const storage = await page.evaluate(() => ({
    local: localStorage.length, session: sessionStorage.length, cookie: document.cookie,
  }));
  assert.deepEqual(storage, { local: 0, session: 0, cookie: '' });
  const cookies = await context.cookies();
  assert.equal(cookies.length, 1);
  assert.equal(cookies[0].name, 'parcours_session');
  assert.equal(cookies[0].httpOnly, true);
  assert.equal(cookies[0].sameSite, 'Strict');

  await page.reload();
  await page.locator('.app-header .who-name').waitFor();
  assert.equal(await headerName(page), 'Julien Bernard (infirmier libéral)');

  // every write carries the token of GET /api/me (kept in memory)
  const writes = [];
  page.on('request', (r) => { if (r.method() !== 'GET') writes.push(r.headers()['x-csrf-token']); });
  await page.getByRole('link', { name: 'Mon compte' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.getByLabel('Identifiant', { exact: true }).waitFor();
  assert.equal(writes.length, 1);
  assert.match(writes[0], /^[0-9a-f]{32}$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('log out: back to Connexion with a message; reload and back do not bring the session back', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, DOCTOR);
  await page.getByRole('link', { name: 'Mon compte' }).click();
  await page.getByRole('button', { name: 'Se déconnecter' }).click();
  await page.locator('main .notice').filter({ hasText: 'Vous êtes déconnecté.' }).waitFor();
  assert.equal(await heading(page).textContent(), 'Connexion');
  assert.equal(new URL(page.url()).pathname, '/', 'the next person starts from the home page');
  assert.equal((await context.cookies()).length, 0);
  await page.goBack();
  await page.reload();
  await page.getByLabel('Identifiant', { exact: true }).waitFor();
  assert.equal(await page.locator('.app-header').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a deep link survives the login: Connexion first, then the page asked for', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, DOCTOR, { path: '/annuaire' });
  assert.equal(new URL(page.url()).pathname, '/annuaire');
  assert.equal(await heading(page).textContent(), 'Annuaire');
  // an unknown address inside the application
  await page.goto('/nulle-part');
  await heading(page).filter({ hasText: 'Page introuvable' }).waitFor();
  assert.match(await page.locator('main').innerText(), /L'adresse « \/nulle-part » ne correspond à aucune page\./);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a session ended on the server: the next call leads back to Connexion with a message', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, NURSE);
  srv.sql("DELETE FROM app_session WHERE user_id = (SELECT id FROM app_user WHERE login = 'inf.bernard')");
  await page.getByRole('link', { name: 'Mon compte' }).click(); // refreshes GET /api/me → 401
  await page.locator('main .notice').filter({ hasText: 'Votre session a pris fin. Veuillez vous reconnecter.' }).waitFor();
  assert.equal(await heading(page).textContent(), 'Connexion');
  // and signing in again works from there, on the same page
  await signIn(page, NURSE, { path: null });
  assert.equal(new URL(page.url()).pathname, '/compte');
  assert.deepEqual(problems, []);
  await context.close();
});

test('offline: a banner, an error with « Réessayer », and the data once the network is back', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, DOCTOR);
  const banner = page.locator('.offline-banner');
  assert.equal(await banner.count(), 0);
  await context.setOffline(true);
  await banner.waitFor();
  assert.match(await banner.innerText(), /^Hors connexion/);
  await checkA11y(page, 'Hors connexion');
  await screenshot(page, 'hors-connexion');
  // a write while offline: the form says so, nothing breaks
  await page.getByRole('link', { name: 'Mon compte' }).click();
  await page.getByLabel('Mot de passe actuel').fill(DOCTOR.password);
  await page.getByLabel('Nouveau mot de passe', { exact: true }).fill('un-autre-mot-de-passe');
  await page.getByLabel('Confirmation du nouveau mot de passe').fill('un-autre-mot-de-passe');
  await page.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  const alert = page.locator('.form-alert');
  await alert.waitFor();
  assert.equal(await alert.textContent(), 'Le serveur est injoignable. Vérifiez votre connexion puis réessayez.');
  await context.setOffline(false);
  await banner.waitFor({ state: 'detached' });
  assert.deepEqual(problems, []);
  await context.close();
});

test('a read that fails is retried by itself, shows the banner, then offers « Réessayer »', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, DOCTOR);
  // the server stops answering GET /api/me: 1 try + 2 automatic retries
  let refused = 0;
  await page.route('**/api/me', (route) => { refused++; route.abort('connectionrefused'); });
  await page.getByRole('link', { name: 'Mon compte' }).click(); // refreshes GET /api/me
  await page.locator('.offline-banner').waitFor();
  await until(() => refused === 3, 'two automatic retries');
  await new Promise((r) => setTimeout(r, 1500)); // and no fourth attempt
  assert.equal(refused, 3);
  // what is known is still shown
  assert.match(await page.locator('main').innerText(), /Dr Claire Martin/);
  // the server answers again: the banner goes by itself (a probe of /healthz)
  await page.unroute('**/api/me');
  await page.locator('.offline-banner').waitFor({ state: 'detached', timeout: 15000 });
  assert.equal(refused, 3);
  await page.route('**/api/me', (route) => { refused++; route.abort('connectionrefused'); });

  // at start-up, the same failure gives an error page with « Réessayer »
  await page.reload();
  const retry = page.getByRole('button', { name: 'Réessayer' });
  await retry.waitFor();
  assert.match(await page.locator('.load-error').innerText(), /Le serveur est injoignable/);
  assert.equal(refused, 6); // the error shows after the retries
  await checkA11y(page, 'Serveur injoignable');
  await page.unroute('**/api/me');
  await retry.click();
  await heading(page).filter({ hasText: 'Mon compte' }).waitFor();
  assert.equal(await page.locator('.offline-banner').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
