#!/usr/bin/env node
// The page's per-frame reading replayed under Node's V8 (no browser, fine timer): a 6-digit
// number (FRAME_NUMBER, default 205193) composed from the stroke fixture as bench/frame/run.mjs
// writes it, on a desktop-sized pad (800x500 canvas px); the first five digits whole, then the
// last one point by point, and at every point what app.js does per animation frame (one
// readStrokes: the number, the digit in focus, its feature maps), against the three calls the
// page made before (one digit, number, maps). Prints per-frame p50/p90 over REPLAY_ROUNDS (20)
// replays, alternating. REPLAY_DUMP=file.json also writes the frames (for
// crate/examples/replay_frames.rs).
//
//   node bench/frame/replay.mjs [www/pkg]     # the built page module (scripts/build.sh)
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { composeNumber, sample } from '../../tests/e2e/helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const PKG = path.resolve(process.argv[2] ?? path.join(ROOT, 'www/pkg'));
const glue = await import(path.join(PKG, 'lenet5.js'));
const exports = glue.initSync({ module: readFileSync(path.join(PKG, 'lenet5_bg.wasm')) });
exports.__wasm_call_ctors?.();
const model = readFileSync(path.join(ROOT, 'model/lenet5.onnx'));

const W = 800, H = 500, STEP = 3; // canvas px between the last digit's points (~125 Hz, 1 s)
const digits = [...(process.env.FRAME_NUMBER || '205193')].map((d) => sample(Number(d)));
const strokes = composeNumber(digits, { aspect: W / H, gaps: digits.slice(1).map(() => 0.08), height: 0.5 });
const px = strokes.map((s) => densify(s.map(([x, y]) => [x * W, y * H]), STEP));
const lastCount = digits.at(-1).strokes.length;
const head = px.slice(0, px.length - lastCount);
const tail = px.slice(px.length - lastCount);
const penWidth = Math.min(W, H) / 22;

function densify(pts, step) {
  const out = [pts[0]];
  for (let i = 1; i < pts.length; i++) {
    const [x0, y0] = pts[i - 1], [x1, y1] = pts[i];
    const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / step));
    for (let k = 1; k <= n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
  }
  return out;
}
const flat = (s, t0) => Float32Array.from(s.flatMap(([x, y], i) => [x, y, t0 + i * 8]));

// The frames: the head whole, then the tail growing by one point per frame.
const frames = [];
const headFlat = head.map((s, i) => flat(s, i * 1000));
for (let j = 0; j < tail.length; j++) {
  for (let n = 2; n <= tail[j].length; n++) {
    frames.push([...headFlat, ...tail.slice(0, j).map((s) => flat(s, 9000)), flat(tail[j].slice(0, n), 9500)]);
  }
}

if (process.env.REPLAY_DUMP) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.env.REPLAY_DUMP, JSON.stringify({ penWidth, frames: frames.map((f) => f.map((s) => Array.from(s))) }));
}
const rounds = Number(process.env.REPLAY_ROUNDS || 20);
// The page's reading per frame: one readStrokes call (number, digit in focus, its maps) where
// the module has it, and the three calls pages made before it (one digit, number, maps).
const ways = {
  'three calls': (rec, f) => {
    const out = rec.recognizeStrokes(f, penWidth, 3);
    const number = rec.recognizeNumberStrokes(f, penWidth, 3);
    rec.featureMaps(out.input);
    return number.text;
  },
};
if (typeof glue.Recognizer.prototype.readStrokes === 'function') {
  ways.readStrokes = (rec, f) => rec.readStrokes(f, penWidth, 3, true).number.text;
}
const times = Object.fromEntries(Object.keys(ways).map((k) => [k, []]));
const last = {};
for (let r = 0; r < rounds; r++) {
  for (const [name, way] of Object.entries(ways)) {
    const rec = new glue.Recognizer(model); // fresh memos each round, as on a fresh page
    for (const f of frames) {
      const t0 = performance.now();
      last[name] = way(rec, f);
      times[name].push(performance.now() - t0);
    }
    rec.free();
  }
}
const q = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(p * (s.length - 1))];
};
console.log(`${frames.length} frames x ${rounds} rounds (alternating), ${px.flat().length} points`);
for (const [k, v] of Object.entries(times)) {
  console.log(`${k.padEnd(12)} p50 ${(q(v, 0.5) * 1000).toFixed(0)} us  p90 ${(q(v, 0.9) * 1000).toFixed(0)} us  mean ${((v.reduce((a, b) => a + b, 0) / v.length) * 1000).toFixed(0)} us  last reading "${last[k]}"`);
}
