// The web application's files, without a browser: vendored libraries up to
// date, no inline script or style (the CSP would block them), no API that
// renders strings as HTML or keeps data in the browser's storage, every
// import and asset reference pointing at an existing file, a JS budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { vendorDifferences } from '../../../scripts/vendor-web.mjs';
import { WEB_ROOT } from '../lib/browser.mjs';

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const appFiles = filesUnder(join(WEB_ROOT, 'js'));
/* Our code has no '//' or '/*' inside strings, so this is enough to check code only. */
const withoutComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');
const read = (path) => readFileSync(path, 'utf8');
const indexHtml = read(join(WEB_ROOT, 'index.html'));

test('web/vendor/ is exactly what scripts/vendor-web.mjs makes from the pinned packages', () => {
  assert.deepEqual(vendorDifferences(), [], 'run: npm ci && npm run vendor');
  const pkg = JSON.parse(read(new URL('../../../package.json', import.meta.url)));
  for (const [name, version] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }))
    assert.match(version, /^\d+\.\d+\.\d+$/, `${name} must be pinned to an exact version`);
});

test('index.html: French, no inline script or style, every referenced file exists', () => {
  assert.match(indexHtml, /<html lang="fr">/);
  assert.doesNotMatch(indexHtml, /<script(?![^>]*\bsrc=)[^>]*>/, 'inline <script>');
  assert.doesNotMatch(indexHtml, /<style|\sstyle=/, 'inline style');
  assert.doesNotMatch(indexHtml, /\son[a-z]+=/, 'inline event handler');
  const refs = [...indexHtml.matchAll(/(?:href|src)="(\/[^"#]*)"/g)].map((m) => m[1]);
  assert.ok(refs.length > 10);
  for (const ref of refs) assert.ok(existsSync(join(WEB_ROOT, ref)), `index.html refers to missing ${ref}`);
});

test('application code: no HTML injection, no eval, no inline styles, no browser storage', () => {
  const forbidden = [
    [/\binnerHTML\b|\bouterHTML\b|insertAdjacentHTML|dangerouslySetInnerHTML|document\.write/, 'HTML from strings'],
    [/\beval\s*\(|new\s+Function\b/, 'eval'],
    [/\bstyle=|\.style\./, 'inline style (blocked by the CSP)'],
    [/localStorage|sessionStorage|indexedDB|document\.cookie/, 'browser storage (the session is the HttpOnly cookie)'],
  ];
  for (const file of appFiles) {
    const code = withoutComments(read(file));
    for (const [re, why] of forbidden) assert.ok(!re.test(code), `${relative(WEB_ROOT, file)}: ${why}`);
  }
});

test('every module import resolves to a file of web/', () => {
  for (const file of appFiles) {
    const text = read(file);
    const specifiers = [...text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)/g)].map((m) => m[1] || m[2]);
    for (const s of specifiers) {
      assert.ok(s.startsWith('/'), `${relative(WEB_ROOT, file)}: import '${s}' must be an absolute path of web/`);
      assert.ok(existsSync(join(WEB_ROOT, s)), `${relative(WEB_ROOT, file)}: import '${s}' does not exist`);
    }
  }
});

test('manifest and icon: valid, French, the icon exists', () => {
  const manifest = JSON.parse(read(join(WEB_ROOT, 'manifest.webmanifest')));
  assert.equal(manifest.lang, 'fr');
  assert.equal(manifest.start_url, '/');
  assert.ok(manifest.name && manifest.short_name);
  for (const icon of manifest.icons) assert.ok(existsSync(join(WEB_ROOT, icon.src)), icon.src);
  assert.match(read(join(WEB_ROOT, 'favicon.svg')), /^<svg [^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
});

/* The modules a module imports statically (import() excluded), transitively. */
function staticGraph(entry) {
  const seen = new Set();
  const visit = (path) => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const m of read(join(WEB_ROOT, path)).matchAll(/^\s*(?:import|export)\s[^;]*?\bfrom\s+'([^']+)'/gm)) visit(m[1]);
  };
  visit(entry);
  return [...seen];
}

test('JS budget: everything under 240 KB, the signed-in home under 110 KB, screens loaded on demand', () => {
  const js = [...appFiles, ...filesUnder(join(WEB_ROOT, 'vendor'))].filter((f) => /\.m?js$/.test(f));
  const total = js.reduce((n, f) => n + statSync(f).size, 0);
  assert.ok(total < 240 * 1024, `${total} bytes of JavaScript (no minifier, comments included)`);
  // what the shell brings (Mes patients, Mon compte, the notification feed), on top of Connexion's
  const home = staticGraph('/js/screens/shell.js');
  const bytes = home.reduce((n, p) => n + statSync(join(WEB_ROOT, p)).size, 0);
  assert.ok(bytes < 110 * 1024, `${bytes} bytes for the signed-in home: ${home.join(' ')}`);
  // the patient's record, the forms, the journal, notifications and directory come later
  for (const lazy of ['patient.js', 'patient-new.js', 'patient-journal.js', 'patient-circle.js',
    'patient-conversation.js', 'notifications.js', 'directory.js', 'admin/users.js'])
    assert.ok(!home.includes(`/js/screens/${lazy}`), `${lazy} is loaded with the shell`);
});
