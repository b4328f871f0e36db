// A professional's journeys on a phone: the shell and its tabs (each screen is
// tested in patients.test.mjs), Mon compte
// (change password, errors next to the fields), and administration refused.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DOCTOR, NURSE, request, login } from '../lib/server.mjs';
import {
  launchBrowser, startWebServer, stopServer, openPage, signIn, checkA11y, screenshot, heading, headerName, browserMissing,
} from '../lib/browser.mjs';

let srv, browser;
before(async () => {
  assert.equal(browserMissing(), null);
  [srv, browser] = await Promise.all([startWebServer(), launchBrowser()]);
});
after(async () => { await browser?.close(); await stopServer(srv); });

test('the shell: name in the header, four tabs at the bottom, each tab a page', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, NURSE);
  assert.equal(await headerName(page), 'Julien Bernard (infirmier libéral)');
  const nav = page.getByRole('navigation', { name: 'Navigation principale' });
  const tabs = nav.getByRole('link');
  assert.deepEqual(await tabs.allTextContents(), ['Patients', 'Notifications', 'Annuaire', 'Mon compte']);
  // a bottom tab bar on a phone: fixed, touching the bottom of the 800 px viewport
  const box = await nav.boundingBox();
  assert.equal(Math.round(box.y + box.height), 800);
  assert.equal(Math.round(box.width), 360);
  // the page never scrolls sideways on a 360 px phone
  assert.equal(await page.evaluate(() => document.documentElement.scrollWidth), 360);

  for (const [tab, text] of [
    ['Notifications', /Aucune notification pour le moment\./],
    ['Annuaire', /Cherchez un professionnel/],
    ['Patients', /Vous ne faites partie d'aucun cercle de soins/],
  ]) {
    await nav.getByRole('link', { name: tab }).click();
    await heading(page).filter({ hasText: tab }).waitFor();
    assert.equal(await nav.getByRole('link', { name: tab }).getAttribute('aria-current'), 'page');
    assert.equal(await nav.locator('[aria-current=page]').count(), 1);
    await page.locator('main').getByText(text).waitFor();
    assert.equal(await page.title(), `${tab} — parcours`);
    // after a navigation, focus is on the new page's heading (screen readers read it)
    assert.equal(await page.evaluate(() => document.activeElement.tagName), 'H1');
    await checkA11y(page, tab);
  }
  // browser history works like on any site
  await page.goBack();
  await heading(page).filter({ hasText: 'Annuaire' }).waitFor();
  assert.equal(new URL(page.url()).pathname, '/annuaire');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a professional sees no Administration and is refused when going there directly', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, DOCTOR);
  assert.equal(await page.getByRole('link', { name: /Administration/ }).count(), 0);
  for (const path of ['/admin/comptes', '/admin/journal', '/admin/comptes/nouveau', '/admin']) {
    const apiCalls = [];
    page.on('request', (r) => { if (r.url().includes('/api/admin') || r.url().includes('/api/audit')) apiCalls.push(r.url()); });
    await page.goto(path);
    await heading(page).filter({ hasText: 'Accès refusé' }).waitFor();
    assert.match(await page.locator('main').innerText(), /Cette page est réservée aux administrateurs/);
    assert.equal(await page.locator('.account-item, .event').count(), 0);
    assert.deepEqual(apiCalls, [], 'no administration data is even asked for');
  }
  await checkA11y(page, 'Accès refusé');
  await screenshot(page, 'acces-refuse');
  // and the server refuses the same person's calls, whatever the page does
  const viaPage = await page.evaluate(async () => (await fetch('/api/admin/users')).status);
  assert.equal(viaPage, 403);
  assert.deepEqual(problems, []);
  await context.close();
});

test('Mon compte: who I am; password change with errors next to the fields, then success', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await signIn(page, DOCTOR);
  await page.getByRole('link', { name: 'Mon compte' }).click();
  await heading(page).filter({ hasText: 'Mon compte' }).waitFor();
  const facts = await page.locator('.facts').innerText();
  assert.match(facts, /Dr Claire Martin \(médecin généraliste\)/);
  assert.match(facts, /dr\.martin/);
  assert.match(facts, /Professionnel de santé/);
  await checkA11y(page, 'Mon compte');
  await screenshot(page, 'mon-compte');

  const current = page.getByLabel('Mot de passe actuel');
  const next = page.getByLabel('Nouveau mot de passe', { exact: true });
  const confirmation = page.getByLabel('Confirmation du nouveau mot de passe');
  const save = page.getByRole('button', { name: 'Enregistrer le mot de passe' });

  // confirmation that differs: refused here, next to the confirmation
  await current.fill(DOCTOR.password);
  await next.fill('nouveau-mot-de-passe-1');
  await confirmation.fill('nouveau-mot-de-passe-2');
  await save.click();
  await page.locator('#mdp-confirmation-erreur').waitFor();
  assert.equal(await page.locator('#mdp-confirmation-erreur').textContent(),
    'Les deux saisies du nouveau mot de passe sont différentes.');

  // wrong current password: the server's French detail, next to that field, focused
  await current.fill('pas-le-mot-de-passe-actuel');
  await confirmation.fill('nouveau-mot-de-passe-1');
  await save.click();
  await page.locator('#mdp-actuel-erreur').waitFor();
  assert.equal(await page.locator('#mdp-actuel-erreur').textContent(), 'Le mot de passe actuel est incorrect.');
  assert.equal(await current.getAttribute('aria-invalid'), 'true');
  assert.ok(await current.evaluate((el) => el === document.activeElement));
  assert.equal(await heading(page).textContent(), 'Mon compte', 'a 403 is not a lost session');
  await checkA11y(page, 'Mon compte (erreur)');
  await screenshot(page, 'mon-compte-erreur');

  // too short: the server's rule, next to the new password
  await current.fill(DOCTOR.password);
  await next.fill('court');
  await confirmation.fill('court');
  await save.click();
  await page.locator('#mdp-nouveau-erreur').waitFor();
  assert.equal(await page.locator('#mdp-nouveau-erreur').textContent(),
    'Le mot de passe doit compter au moins 10 caractères.');
  assert.equal(await page.locator('#mdp-actuel-erreur').count(), 0);

  // success: fields emptied, a message; the new password works, the old one no longer
  await next.fill('nouveau-mot-de-passe-1');
  await confirmation.fill('nouveau-mot-de-passe-1');
  await save.click();
  await page.locator('main .notice').filter({ hasText: 'Votre mot de passe a été modifié.' }).waitFor();
  assert.equal(await current.inputValue(), '');
  assert.equal(await page.locator('.field-error').count(), 0);
  await login(srv, { login: DOCTOR.login, password: 'nouveau-mot-de-passe-1' });
  const old = await request(srv, 'POST', '/api/session', { body: DOCTOR });
  assert.equal(old.status, 401);

  // and in a second browser, with the new password
  const other = await openPage(browser, srv);
  await signIn(other.page, { login: DOCTOR.login, password: 'nouveau-mot-de-passe-1' });
  assert.equal(await headerName(other.page), 'Dr Claire Martin (médecin généraliste)');
  assert.deepEqual(other.problems, []);
  await other.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});
