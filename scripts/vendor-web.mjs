#!/usr/bin/env node
// Copies the browser libraries of the web application from node_modules into
// web/vendor/, where the binary serves them (it serves files from web/ only and
// there is no bundler).
//
//   npm ci && npm run vendor        refresh web/vendor/ after a version change
//   node scripts/vendor-web.mjs --check   exit 1 if web/vendor/ differs from
//                                         what node_modules would give
//
// The copies are committed, so `make run` works without npm. Each copy gets a
// one-line provenance header; the only other change is the bare import
// specifier "preact" in the hooks module, rewritten to the relative file (a
// browser cannot resolve bare specifiers, and an import map would need an
// inline <script>, which the Content-Security-Policy forbids). The
// sourceMappingURL comments are dropped because the maps are not copied.
import { readFileSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const NODE_MODULES = join(ROOT, 'node_modules');
export const VENDOR_DIR = join(ROOT, 'web', 'vendor');

/* What is copied: package, file inside it, name in web/vendor/, textual
 * replacements that must each match exactly once. */
const FILES = [
  { pkg: 'preact', file: 'dist/preact.mjs', to: 'preact.mjs' },
  {
    pkg: 'preact', file: 'hooks/dist/hooks.mjs', to: 'preact-hooks.mjs',
    replace: [['from"preact"', 'from"./preact.mjs"']],
  },
  { pkg: 'htm', file: 'dist/htm.mjs', to: 'htm.mjs' },
  { pkg: 'preact', file: 'LICENSE', to: 'preact.LICENSE.txt', license: true },
  { pkg: 'htm', file: 'LICENSE', to: 'htm.LICENSE.txt', license: true },
];

function packageInfo(pkg) {
  const meta = JSON.parse(readFileSync(join(NODE_MODULES, pkg, 'package.json'), 'utf8'));
  return { version: meta.version, license: meta.license };
}

/* The expected contents of web/vendor/: [{name, text}]. Throws when a
 * package is missing or a replacement no longer matches (the library changed
 * its output: look at it rather than ship a broken copy). */
export function vendoredFiles() {
  return FILES.map((f) => {
    const { version, license } = packageInfo(f.pkg);
    let text = readFileSync(join(NODE_MODULES, f.pkg, f.file), 'utf8');
    if (f.license) return { name: f.to, text };
    for (const [from, to] of f.replace || []) {
      const count = text.split(from).length - 1;
      if (count !== 1) throw new Error(`${f.pkg}/${f.file}: expected "${from}" once, found ${count} times`);
      text = text.replace(from, to);
    }
    text = text.replace(/\n?\/\/# sourceMappingURL=\S+\s*$/, '\n');
    const header = `/* ${f.pkg} ${version} (${license}), ${f.file}: copied by scripts/vendor-web.mjs, do not edit */\n`;
    return { name: f.to, text: header + text };
  });
}

/* Names of the differences between web/vendor/ and vendoredFiles(). */
export function vendorDifferences() {
  const expected = vendoredFiles();
  let present = [];
  try { present = readdirSync(VENDOR_DIR); } catch { /* missing directory: all differ */ }
  const diffs = [];
  for (const { name, text } of expected) {
    let actual = null;
    try { actual = readFileSync(join(VENDOR_DIR, name), 'utf8'); } catch { /* missing */ }
    if (actual !== text) diffs.push(name);
  }
  for (const name of present) if (!expected.some((f) => f.name === name)) diffs.push(name + ' (not vendored by this script)');
  return diffs;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv.includes('--check')) {
    const diffs = vendorDifferences();
    if (diffs.length) {
      console.error('web/vendor/ is out of date (run npm run vendor): ' + diffs.join(', '));
      process.exit(1);
    }
    console.log('web/vendor/ matches node_modules');
  } else {
    mkdirSync(VENDOR_DIR, { recursive: true });
    for (const { name, text } of vendoredFiles()) writeFileSync(join(VENDOR_DIR, name), text);
    console.log('web/vendor/ written: ' + FILES.map((f) => f.to).join(', '));
  }
}
