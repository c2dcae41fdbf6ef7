#!/usr/bin/env node
// Assembles the <digit-input> package from what scripts/build.sh built (its last step runs
// this; on its own: `node packages/digit-input/build.mjs` after scripts/build.sh):
//   packages/digit-input/dist/   lenet5.js + lenet5_bg.wasm (the page's small module, www/pkg),
//                                lenet5.onnx (the model), integrity.js (their SHA-384 digests),
//                                the licences
//   target/npm/lenet5-digit-input-<version>.tgz   `npm pack` of packages/digit-input
//   www/examples/digit-input/    the element and its glue for the examples, which load the site's
//                                own wasm and model (www/pkg, www/model): one copy on the site
// Prints what an embedder downloads (raw and gzip -9).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const PKG = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(PKG, '..', '..');
const WWW = path.join(ROOT, 'www');
const DIST = path.join(PKG, 'dist');
const say = (s) => console.log(`[digit-input] ${s}`);

const sources = {
  'lenet5.js': path.join(WWW, 'pkg', 'lenet5.js'),
  'lenet5_bg.wasm': path.join(WWW, 'pkg', 'lenet5_bg.wasm'),
  'lenet5.onnx': path.join(WWW, 'model', 'lenet5.onnx'),
  'LICENSE-MIT': path.join(ROOT, 'LICENSE-MIT'),
  'LICENSE-APACHE': path.join(ROOT, 'LICENSE-APACHE'),
};
const missing = Object.values(sources).filter((f) => !existsSync(f));
if (missing.length > 0) {
  console.error(`[digit-input] error: ${missing.map((f) => path.relative(ROOT, f)).join(', ')} missing; run scripts/build.sh`);
  process.exit(1);
}

rmSync(DIST, { recursive: true, force: true });
mkdirSync(DIST, { recursive: true });
for (const [name, from] of Object.entries(sources)) copyFileSync(from, path.join(DIST, name));

const sri = (file) => `sha384-${createHash('sha384').update(readFileSync(file)).digest('base64')}`;
writeFileSync(
  path.join(DIST, 'integrity.js'),
  '// Written by packages/digit-input/build.mjs: SHA-384 digests of the files next to this one;\n' +
    '// digit-input.js checks its default wasm and model against them.\n' +
    `export default ${JSON.stringify({ wasm: sri(path.join(DIST, 'lenet5_bg.wasm')), model: sri(path.join(DIST, 'lenet5.onnx')) }, null, 2)};\n`,
);

// The examples' copy: the element and the glue that matches www/pkg/lenet5_bg.wasm.
const EXAMPLES = path.join(WWW, 'examples', 'digit-input');
rmSync(EXAMPLES, { recursive: true, force: true });
mkdirSync(path.join(EXAMPLES, 'dist'), { recursive: true });
copyFileSync(path.join(PKG, 'digit-input.js'), path.join(EXAMPLES, 'digit-input.js'));
copyFileSync(path.join(DIST, 'lenet5.js'), path.join(EXAMPLES, 'dist', 'lenet5.js'));
say(`copied the element to ${path.relative(ROOT, EXAMPLES)}/`);

// npm pack: no network, no scripts.
const outDir = path.join(ROOT, 'target', 'npm');
mkdirSync(outDir, { recursive: true });
const packed = JSON.parse(
  execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', outDir], {
    cwd: PKG,
    encoding: 'utf8',
    env: { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' },
  }),
)[0];
say(`packed ${path.relative(ROOT, path.join(outDir, packed.filename))} (${packed.size} bytes, ${packed.entryCount} files)`);

// What a page with one or more <digit-input>s downloads.
const fetched = ['digit-input.js', 'dist/integrity.js', 'dist/lenet5.js', 'dist/lenet5_bg.wasm', 'dist/lenet5.onnx'];
let raw = 0;
let gz = 0;
for (const f of fetched) {
  const bytes = readFileSync(path.join(PKG, f));
  const g = gzipSync(bytes, { level: 9 }).length;
  raw += bytes.length;
  gz += g;
  say(`  ${f}: ${bytes.length} bytes, ${g} gzip -9`);
}
say(`an embedder downloads ${raw} bytes, ${gz} gzip -9 (${(gz / 1e6).toFixed(2)} MB)`);
