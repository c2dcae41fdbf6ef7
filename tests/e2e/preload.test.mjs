// index.html lists every module the page loads at start as a <script> or a modulepreload, so
// they download in parallel rather than one import level after another (measured in the
// README's Performance section), and the offline worker caches each of them. A module added
// to the page without a preload would still work, only slower: this test is what notices.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WWW = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'www');
const html = readFileSync(path.join(WWW, 'index.html'), 'utf8');
const attrs = (re) => [...html.matchAll(re)].map((m) => m[1]);
const scripts = attrs(/<script type="module" src="([^"]+)"/g);
const preloads = attrs(/<link rel="modulepreload" href="([^"]+)">/g);

/** Modules reachable from `entries` by static or dynamic `import` of a relative path. */
function importGraph(entries) {
  const seen = new Set();
  const visit = (rel) => {
    if (seen.has(rel)) return;
    seen.add(rel);
    const file = path.join(WWW, rel);
    if (!existsSync(file)) return; // www/pkg before a build: counted, not read
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*import\s[^'"]*?from\s+['"](\.[^'"]+)['"]/gm),
      ...source.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm),
      ...source.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)/g),
    ].map((m) => m[1]);
    for (const s of specifiers) visit(path.posix.normalize(path.posix.join(path.posix.dirname(rel), s)));
  };
  entries.forEach(visit);
  return seen;
}

test('the page runs loader.js on its own, before app.js', () => {
  assert.deepEqual(scripts, ['loader.js', 'app.js']);
  assert.match(html, /<script type="module" src="loader.js" async><\/script>/);
});

test('every module the page imports at start is preloaded, and nothing else', () => {
  const graph = importGraph(scripts);
  for (const must of ['pad.js', 'verified-fetch.js', 'pkg/integrity.js', 'pkg/lenet5.js', 'trusted.js']) {
    assert.ok(graph.has(must), `the import graph should reach ${must} (is the parser still right?)`);
  }
  const needed = [...graph].filter((m) => !scripts.includes(m)).sort();
  assert.deepEqual([...preloads].sort(), needed);
  assert.equal(new Set(preloads).size, preloads.length, 'a module is preloaded twice');
});

test("loader.js's own imports are preloaded before it runs", () => {
  const loaderAt = html.indexOf('src="loader.js"');
  for (const dep of [...importGraph(['loader.js'])].filter((m) => m !== 'loader.js' && m !== 'pkg/lenet5.js')) {
    const at = html.indexOf(`href="${dep}"`);
    assert.ok(at >= 0 && at < loaderAt, `${dep} should be preloaded ahead of loader.js`);
  }
});

test('the offline worker caches every module of the page', () => {
  const sw = readFileSync(path.join(WWW, 'sw.js'), 'utf8');
  const assets = [...sw.slice(sw.indexOf('const ASSETS')).matchAll(/^\s*'([^']+)',$/gm)].map((m) => m[1]);
  for (const m of importGraph(scripts)) assert.ok(assets.includes(m), `sw.js ASSETS lacks ${m}`);
});
