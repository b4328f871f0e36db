// The first screen: how fast Connexion is usable, how much JavaScript it
// costs, that index.html preloads exactly the modules it needs, that the
// server serves the application with its security headers, and that the
// screen is accessible.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request } from '../lib/server.mjs';
import { launchBrowser, startWebServer, stopServer, openPage, checkA11y, screenshot, browserMissing } from '../lib/browser.mjs';

let srv, browser;
before(async () => {
  assert.equal(browserMissing(), null);
  [srv, browser] = await Promise.all([startWebServer(), launchBrowser()]);
});
after(async () => { await browser?.close(); await stopServer(srv); });

test('the server answers index.html with a strict CSP at / and at client routes', async () => {
  for (const path of ['/', '/compte', '/admin/journal']) {
    const r = await request(srv, 'GET', path);
    assert.equal(r.status, 200, path);
    assert.match(r.headers.get('content-type'), /^text\/html/);
    assert.match(r.text, /<div id="app">/);
    const csp = r.headers.get('content-security-policy');
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /style-src 'self'(;|$)/);
  }
  const manifest = await request(srv, 'GET', '/manifest.webmanifest');
  assert.equal(manifest.status, 200);
  assert.match(manifest.headers.get('content-type'), /manifest\+json/);
  const icon = await request(srv, 'GET', '/favicon.svg');
  assert.match(icon.headers.get('content-type'), /image\/svg\+xml/);
  assert.equal((await request(srv, 'GET', '/js/nope.js')).status, 404);
});

/* One cold load (new context: empty cache, new renderer process): the time
 * from navigation start to the first render of the form (a performance mark
 * set by the app), the scripts fetched before it and their sizes, the
 * modulepreload list, and the scripts fetched once the page is idle. */
async function coldLoad() {
  const { page, problems, context } = await openPage(browser, srv);
  await page.goto('/', { waitUntil: 'commit' });
  await page.getByLabel('Identifiant', { exact: true }).waitFor();
  await page.waitForLoadState('networkidle');
  const r = await page.evaluate(() => {
    const mark = performance.getEntriesByName('parcours:login-form')[0].startTime;
    const scripts = performance.getEntriesByType('resource')
      .filter((e) => /\.m?js$/.test(new URL(e.name).pathname))
      .map((e) => ({ path: new URL(e.name).pathname, start: e.startTime, bytes: e.encodedBodySize }));
    return {
      ms: mark,
      first: scripts.filter((e) => e.start < mark),
      later: scripts.filter((e) => e.start >= mark).map((e) => e.path),
      preloaded: [...document.querySelectorAll('link[rel=modulepreload]')].map((l) => new URL(l.href).pathname),
    };
  });
  await context.close();
  return { ...r, problems };
}

test('Connexion is usable in under a second, with a small and fully preloaded JS', async (t) => {
  // best of three: the machine is shared (2 cores), and a single sample
  // measures its load as much as the application
  const loads = [];
  for (let i = 0; i < 3; i++) loads.push(await coldLoad());
  const best = Math.min(...loads.map((l) => l.ms));
  const { first, later, preloaded, problems } = loads[0];
  const bytes = first.reduce((n, e) => n + e.bytes, 0);
  t.diagnostic(`login form after ${loads.map((l) => Math.round(l.ms)).join(', ')} ms; ` +
    `${first.length} modules, ${(bytes / 1024).toFixed(1)} KiB of JavaScript before it`);
  assert.ok(best < 1000, `login form after ${best} ms at best`);
  assert.ok(bytes < 60 * 1024, `${bytes} bytes of JavaScript for the first screen`);

  // every module of the first screen is preloaded, and nothing preloaded is unused
  assert.deepEqual(first.map((e) => e.path).sort(), [...preloaded].sort());
  // the shell is fetched afterwards, in idle time, ready for after the login;
  // administration screens are not
  assert.ok(later.includes('/js/screens/shell.js'), later.join(' '));
  assert.ok(![...later, ...preloaded].some((p) => p.includes('/admin/')));
  assert.deepEqual(problems, []);
});

test('Connexion: French, accessible, skip link, labelled fields', async () => {
  const { page, problems, context } = await openPage(browser, srv);
  await page.goto('/');
  await page.getByLabel('Identifiant', { exact: true }).waitFor();
  assert.equal(await page.getAttribute('html', 'lang'), 'fr');
  assert.equal(await page.title(), 'Connexion — parcours');
  assert.equal(await page.locator('h1').textContent(), 'Connexion');
  assert.equal(await page.getByLabel('Mot de passe', { exact: true }).getAttribute('type'), 'password');
  // the skip link is the first stop of the keyboard and leads to the content
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Aller au contenu');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'contenu');
  await checkA11y(page, 'Connexion');
  await screenshot(page, 'connexion');
  // the password can be shown, for typing on a phone
  await page.getByRole('button', { name: 'Afficher le mot de passe' }).click();
  assert.equal(await page.getByLabel('Mot de passe', { exact: true }).getAttribute('type'), 'text');
  assert.equal(await page.getByRole('button', { name: 'Afficher le mot de passe' }).getAttribute('aria-pressed'), 'true');
  assert.deepEqual(problems, []);
  await context.close();
});

test('desktop width: the navigation is not a bottom tab bar', async () => {
  const { page, problems, context } = await openPage(browser, srv, {
    viewport: { width: 1280, height: 800 }, isMobile: false, hasTouch: false,
  });
  await page.goto('/');
  await page.getByLabel('Identifiant', { exact: true }).fill('dr.martin');
  await page.getByLabel('Mot de passe', { exact: true }).fill('parcours-demo');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  const nav = page.getByRole('navigation', { name: 'Navigation principale' });
  await nav.waitFor();
  const box = await nav.boundingBox();
  assert.ok(box.y < 200, `navigation at y=${box.y}`);
  await checkA11y(page, 'Patients (bureau)');
  await screenshot(page, 'bureau-patients');
  assert.deepEqual(problems, []);
  await context.close();
});
