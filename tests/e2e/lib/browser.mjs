// Browser tests: Debian's Chromium driven by playwright-core (never a
// downloaded browser), on a phone-sized page, against the real binary
// started by server.mjs. Helpers to sign in, to check accessibility with
// axe-core, to take screenshots, and to collect what must never happen on a
// page (script errors, Content-Security-Policy violations, dialogs).
import { chromium } from 'playwright-core';
import assert from 'node:assert/strict';
import { readFileSync, mkdirSync, existsSync } from 'node:fs';
import { deflateSync, crc32 } from 'node:zlib';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { startServer } from './server.mjs';

export const CHROMIUM = process.env.PARCOURS_CHROMIUM || '/usr/bin/chromium';
export const WEB_ROOT = new URL('../../../web', import.meta.url).pathname;
export const SCREENSHOTS = new URL('../screenshots', import.meta.url).pathname;

/* 360×800: a common Android phone, the size the interface is designed for. */
export const PHONE = {
  viewport: { width: 360, height: 800 },
  deviceScaleFactor: 1,
  isMobile: true,
  hasTouch: true,
  locale: 'fr-FR',
  timezoneId: 'Europe/Paris',
};

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/* Why browser tests cannot run here, or null. */
export function browserMissing() {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (scripts/deps.sh test installs chromium)`;
}

export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 60000 });
}

/* A server on a fresh database serving this tree's web/ (whatever the cwd). */
export function startWebServer(opts = {}) {
  return startServer({ ...opts, args: ['--web-root', WEB_ROOT, ...(opts.args || [])] });
}

/* Stops the server; if it had died during the tests, prints why. */
export async function stopServer(server) {
  if (!server) return;
  const died = server.child.exitCode !== null || server.child.signalCode !== null;
  if (died) console.error(`parcours serve died (${server.child.exitCode ?? server.child.signalCode}):\n`
    + server.stderr().slice(-4000));
  await server.close();
}

/* A new phone-sized context and page on `server`. The returned `problems`
 * array collects uncaught errors, CSP violations, console errors other than
 * failed requests (a 401 at start is normal), and dialogs: an alert() would
 * mean that injected script ran. */
export async function openPage(browser, server, options = {}) {
  const context = await browser.newContext({ ...PHONE, baseURL: server.base, ...options });
  context.setDefaultTimeout(10000);
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error' && !/Content Security Policy/i.test(msg.text())) return;
    // the browser's own log of a failed request (HTTP status or network): the
    // application handles those, the tests check how
    if (/^Failed to load resource: /.test(msg.text())) return;
    problems.push(`console: ${msg.text()}`);
  });
  page.on('dialog', (dialog) => { problems.push(`dialog: ${dialog.type()} ${dialog.message()}`); dialog.dismiss(); });
  return { context, page, problems };
}

/* Logs in through the form (after loading `path`, unless null) and waits for
 * the shell (the header's name). */
export async function signIn(page, who, { path = '/' } = {}) {
  if (path !== null) await page.goto(path);
  await page.getByLabel('Identifiant', { exact: true }).fill(who.login);
  await page.getByLabel('Mot de passe', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.locator('.app-header .who-name').waitFor();
}

/* The name shown in the header. */
export const headerName = (page) => page.locator('.app-header .who-name').textContent();

/* Polls `condition` until true (10 s at most). */
export async function until(condition, what = 'condition') {
  const end = Date.now() + 10000;
  while (!(await condition())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/* Runs axe-core (WCAG 2.x A/AA rules and best practices) on the page and fails
 * on serious or critical violations. axe is evaluated through the DevTools
 * protocol, which the page's CSP does not restrict; nothing is added to the
 * page's own scripts. Returns the moderate/minor ones for information. */
export async function checkA11y(page, label) {
  const hasAxe = await page.evaluate(() => typeof window.axe === 'object');
  if (!hasAxe) await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const r = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => `${n.target.join(' ')}: ${n.failureSummary}`),
    }));
  });
  const grave = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(grave, [], `${label}: accessibility violations\n${JSON.stringify(grave, null, 2)}`);
  return violations;
}

/* Saves the viewport to tests/e2e/screenshots/NAME.png (gitignored; the ones
 * shown in the README are copied to docs/screenshots by `npm run screenshots`). */
export async function screenshot(page, name) {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // no caret blinking or spinner frames in the picture
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), animations: 'disabled', caret: 'hide' });
}

/* The shell's current page heading. */
export const heading = (page) => page.locator('main h1');

/* A small valid PNG (size × size, one colour) made here: a « photo » for
 * setInputFiles without a fixture file. */
export function tinyPng(size = 16, [r, g, b] = [200, 60, 60]) {
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'latin1');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits, RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: size }, () => [r, g, b]).flat())]);
  const pixels = deflateSync(Buffer.concat(Array.from({ length: size }, () => row)));
  return Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), chunk('IHDR', ihdr), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0))]);
}
