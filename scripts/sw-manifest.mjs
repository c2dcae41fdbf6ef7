// Writes WWW/pkg/sw-manifest.js: the SHA-384 digest of every file under WWW that the service
// worker (www/sw.js) may cache, and a build id made of them. The worker loads it with
// importScripts and caches a response only when it matches its digest (a captive portal's
// login page answering for app.js is never cached), under a cache named after the build.
// Run by scripts/build.sh after www/pkg/integrity.js; by hand after editing a file in www/:
//   node scripts/sw-manifest.mjs [WWW]
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SKIP = new Set(['sw.js', 'pkg/sw-manifest.js']);

/** Every file under `root` (relative paths, '/'-separated, sorted), without dotfiles and type declarations. */
function files(root, dir = '') {
  const out = [];
  for (const entry of readdirSync(path.join(root, dir), { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const rel = dir ? `${dir}/${entry.name}` : entry.name;
    const info = statSync(path.join(root, rel)); // follows links (a test's copy links pkg/, model/)
    if (info.isDirectory()) out.push(...files(root, rel));
    else if (info.isFile() && !rel.endsWith('.d.ts') && !SKIP.has(rel)) out.push(rel);
  }
  return out.sort();
}

export function writeManifest(root) {
  const digests = {};
  for (const rel of files(root)) {
    digests[rel] = `sha384-${createHash('sha384').update(readFileSync(path.join(root, rel))).digest('base64')}`;
  }
  const build = createHash('sha256').update(JSON.stringify(digests)).digest('hex').slice(0, 16);
  const text =
    '// Written by scripts/sw-manifest.mjs (scripts/build.sh): the digest of every file www/sw.js may cache.\n' +
    `self.SW_MANIFEST = ${JSON.stringify({ build, files: digests }, null, 2)};\n`;
  writeFileSync(path.join(root, 'pkg', 'sw-manifest.js'), text);
  return { build, count: Object.keys(digests).length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const root = path.resolve(process.argv[2] ?? path.join(HERE, '..', 'www'));
  const { build, count } = writeManifest(root);
  console.log(`[build] wrote ${path.relative(process.cwd(), path.join(root, 'pkg', 'sw-manifest.js'))}: ${count} files, build ${build}`);
}
