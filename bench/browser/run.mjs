#!/usr/bin/env node
// Browser benchmark driver (run by scripts/bench-browser.sh, which builds what it needs first).
//
//  1. Engines, in the benchmark page bench/browser/index.html (never loaded by the app):
//     ours (www/pkg: Recognizer.predict, and recognize on a 280x280 drawing), onnxruntime-web
//     (wasm backend, 1 thread) and rten (bench/rten-wasm), same model/lenet5.onnx, same inputs
//     (the first MNIST test digits of crate/tests/fixtures/mnist-mini, padded to 32x32).
//     - load: from the start of fetching to the first prediction, each engine alone in a fresh
//       browser context, median of LOAD_RUNS;
//     - agreement: max |Δp| against ours on every input, must be <= 1e-4 (else exit 1);
//     - speed: one page with all three loaded, batches of calls interleaved across engines,
//       p50/p90 of the per-call time of each batch.
//  2. Sizes: wasm raw / gzip -9 of each engine, and everything the main page transfers before
//     it is ready (gzip -9 of each response body).
//  3. Cold start of the main page (www/): navigation -> body[data-ready=true] and -> the first
//     reading of a digit drawn with the mouse, median of COLD_RUNS fresh contexts; then again
//     with COLD_RTT_MS (100) of round-trip time added to every request.
//
// Prints Markdown tables; writes everything as JSON to target/bench-browser.json (or $BENCH_OUT).
// Environment: BENCH_BATCH (200 calls), BENCH_BATCHES (15), BENCH_RECOGNIZE_BATCH (50),
// BENCH_WARMUP_MS (1000 per engine), LOAD_RUNS (3), COLD_RUNS (7), COLD_RTT_MS (100), DIGITS (50), CHROMIUM_PATH.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { resolveUnder, startServer } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, drawMouse, sample } from '../../tests/e2e/helpers.mjs';
import { unpackOnnx } from './onnx-unpack.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
const env = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name}=${v}: expected a positive number`);
  return n;
};
const CFG = {
  batch: env('BENCH_BATCH', 200),
  batches: env('BENCH_BATCHES', 15),
  recognizeBatch: env('BENCH_RECOGNIZE_BATCH', 50),
  warmupMs: env('BENCH_WARMUP_MS', 1000),
  loadRuns: env('LOAD_RUNS', 3),
  coldRuns: env('COLD_RUNS', 7),
  // A second set of cold starts with this round-trip time added to every request (DevTools
  // network emulation): on a real network each level of module imports costs a round trip.
  coldRtt: env('COLD_RTT_MS', 100),
  digits: env('DIGITS', 50),
  tolerance: 1e-4,
};
const OUT = process.env.BENCH_OUT || path.join(ROOT, 'target', 'bench-browser.json');
const ENGINES = ['ours', 'ort', 'rten'];
// rten 0.27 cannot read our (prost-written, packed) ONNX as is: it gets a copy with the packed
// fields unpacked, same graph and weights (see onnx-unpack.mjs), written next to its wasm.
const RTEN_MODEL = 'bench/browser/rten-pkg/lenet5-unpacked.onnx';
const MODEL_URL = { ours: '/model/lenet5.onnx', ort: '/model/lenet5.onnx', rten: `/${RTEN_MODEL}` };
const LABEL = { ours: 'ours (tract)', ort: 'onnxruntime-web', rten: 'rten', recognize: 'ours `recognize` 280x280' };

const log = (...a) => console.error('[bench]', ...a);

// ---------- inputs ----------
/** The first `count` MNIST test digits of the fixture, padded 28x28 -> 32x32, ink = pixel/255. */
function mnistInputs(count) {
  const file = path.join(ROOT, 'crate/tests/fixtures/mnist-mini/t10k-images-idx3-ubyte.gz');
  const buf = gunzipSync(readFileSync(file));
  if (buf.readUInt32BE(0) !== 0x803) throw new Error(`${file}: not an IDX image file`);
  const [n, rows, cols] = [buf.readUInt32BE(4), buf.readUInt32BE(8), buf.readUInt32BE(12)];
  if (rows !== 28 || cols !== 28 || n < count) throw new Error(`${file}: ${n} images of ${rows}x${cols}`);
  const out = [];
  for (let i = 0; i < count; i++) {
    const x = new Array(1024).fill(0);
    const base = 16 + i * 784;
    for (let r = 0; r < 28; r++) for (let c = 0; c < 28; c++) x[(r + 2) * 32 + c + 2] = buf[base + r * 28 + c] / 255;
    out.push(x);
  }
  return out;
}

// ---------- helpers ----------
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
/** Nearest-rank percentile. */
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const gz = (buf) => gzipSync(buf, { level: 9 }).length;
const fileSizes = (rel) => {
  const buf = readFileSync(path.join(ROOT, rel));
  return { file: rel, raw: buf.length, gzip: gz(buf) };
};
const kb = (n) => (n >= 1e6 ? `${(n / 1e6).toFixed(2)} MB` : `${(n / 1e3).toFixed(1)} KB`);
const ms = (x) => (x === undefined ? '—' : x.toFixed(0));
const us = (x) => x.toFixed(1);
const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

/** gzip -9 size of a served path (by reading the file it maps to). */
const gzCache = new Map();
function servedGzip(p) {
  if (!gzCache.has(p)) {
    let file = resolveUnder(ROOT, p);
    if (file && statSync(file).isDirectory()) file = path.join(file, 'index.html');
    gzCache.set(p, file ? gz(readFileSync(file)) : NaN);
  }
  return gzCache.get(p);
}

async function newPage(browser, errors) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`console.${m.type()}: ${m.text()}`);
  });
  return { context, page };
}

async function openBench(browser, baseUrl, errors) {
  const s = await newPage(browser, errors);
  await s.page.goto(new URL('bench/browser/index.html', baseUrl).href);
  await s.page.waitForSelector('body[data-bench-ready="true"]', { timeout: 30_000 });
  return s;
}

// ---------- 1. engines ----------
async function freshLoads(browser, baseUrl, firstInput, errors) {
  const runs = Object.fromEntries(ENGINES.map((e) => [e, []]));
  for (let r = 0; r < CFG.loadRuns; r++) {
    for (let k = 0; k < ENGINES.length; k++) {
      const name = ENGINES[(r + k) % ENGINES.length];
      const { context, page } = await openBench(browser, baseUrl, errors);
      const res = await page.evaluate(([n, x, u]) => window.bench.load(n, { firstInput: x, modelUrl: u }), [name, firstInput, MODEL_URL[name]]);
      await context.close();
      runs[name].push(res);
      log(`load ${name} #${r + 1}: ${res.t.firstPrediction.toFixed(0)} ms`);
    }
  }
  const summary = {};
  for (const name of ENGINES) {
    const rs = runs[name];
    const t = {};
    for (const key of Object.keys(rs[0].t)) t[key] = median(rs.map((x) => x.t[key]));
    const resources = rs[0].resources.map((e) => ({ ...e, gzip: servedGzip(e.path) }));
    summary[name] = {
      t,
      runs: rs.map((x) => x.t),
      resources,
      bytes: resources.reduce((s, e) => s + e.bytes, 0),
      gzip: resources.reduce((s, e) => s + e.gzip, 0),
    };
  }
  return summary;
}

async function speed(browser, baseUrl, inputs, strokes, errors) {
  const { context, page } = await openBench(browser, baseUrl, errors);
  const loads = {};
  for (const name of ENGINES) {
    loads[name] = await page.evaluate(([n, x, u]) => window.bench.load(n, { firstInput: x, modelUrl: u }), [
      name,
      inputs[0],
      MODEL_URL[name],
    ]);
  }
  log(`speed: ${CFG.batches} batches of ${CFG.batch} calls (recognize: ${CFG.recognizeBatch}) per engine…`);
  const res = await page.evaluate((cfg) => window.bench.run(cfg), {
    inputs,
    strokes,
    batch: CFG.batch,
    batches: CFG.batches,
    recognizeBatch: CFG.recognizeBatch,
    warmupMs: CFG.warmupMs,
    tolerance: CFG.tolerance,
  });
  await context.close();
  const stats = {};
  for (const [name, xs] of Object.entries(res.perCallUs)) {
    stats[name] = { p50: median(xs), p90: pct(xs, 90), min: Math.min(...xs), max: Math.max(...xs), batches: xs };
  }
  return { ...res, stats, loadsInSession: Object.fromEntries(Object.entries(loads).map(([k, v]) => [k, v.t])) };
}

// ---------- 3. main page cold start (and 2. its transfers) ----------
const COLD_PROBE = () => {
  const cold = (window.__cold = {});
  const mark = (k, t = performance.now()) => {
    if (!(k in cold)) cold[k] = t;
  };
  new MutationObserver(() => {
    if (document.body?.dataset.ready === 'true') mark('ready');
    const pad = document.getElementById('pad');
    if (
      'ready' in cold &&
      pad?.dataset.recognized &&
      pad.dataset.recognized !== '0' &&
      document.getElementById('prediction')?.textContent !== ''
    ) {
      mark('firstReading');
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-ready', 'data-recognized'] });
  addEventListener('pointerdown', (e) => mark('firstDown', e.timeStamp), true);
};

async function coldStarts(browser, baseUrl, errors, rttMs = 0) {
  const strokes = sample(3).strokes;
  const runs = [];
  let transfers = null;
  for (let r = 0; r < CFG.coldRuns; r++) {
    const { context, page } = await newPage(browser, errors);
    await page.addInitScript(COLD_PROBE);
    if (rttMs > 0) {
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: rttMs,
        downloadThroughput: -1,
        uploadThroughput: -1,
      });
    }
    const bodies = [];
    let recording = r === 0 && rttMs === 0;
    if (recording) {
      // Bodies are not read back from the browser (DevTools evicts one as large as our wasm):
      // the sizes come from the transfer, the gzip from the file served (served verbatim).
      page.on('requestfinished', (req) => {
        if (!recording || !req.url().startsWith('http')) return;
        const p = new URL(req.url()).pathname;
        bodies.push(
          Promise.all([req.sizes(), req.response()]).then(([sz, resp]) => ({
            path: p,
            status: resp?.status(),
            raw: sz.responseBodySize,
            gzip: servedGzip(p),
          })).catch((err) => ({ path: p, error: String(err), raw: NaN, gzip: NaN })),
        );
      });
    }
    await page.goto(new URL('www/', baseUrl).href);
    await page.waitForFunction(() => document.body.dataset.ready && document.body.dataset.ready !== 'loading', null, {
      timeout: 60_000,
    });
    const state = await page.evaluate(() => document.body.dataset.ready);
    if (state !== 'true') throw new Error(`the main page did not get ready: data-ready=${state}`);
    if (recording) {
      recording = false;
      transfers = await Promise.all(bodies);
    }
    await drawMouse(page, strokes);
    const t = await page.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        ...window.__cold,
        domContentLoaded: nav.domContentLoadedEventEnd,
        prediction: document.getElementById('prediction').textContent,
      };
    });
    await context.close();
    if (!('firstReading' in t)) throw new Error(`cold start #${r + 1}: no reading recorded (${JSON.stringify(t)})`);
    t.inputToReading = t.firstReading - t.firstDown;
    runs.push(t);
    log(`cold start${rttMs ? ` (+${rttMs} ms RTT)` : ''} #${r + 1}: ready ${t.ready.toFixed(0)} ms, first reading ${t.firstReading.toFixed(0)} ms ("${t.prediction}")`);
  }
  const med = (k) => median(runs.map((x) => x[k]));
  return {
    runs,
    median: {
      domContentLoaded: med('domContentLoaded'),
      ready: med('ready'),
      firstReading: med('firstReading'),
      inputToReading: med('inputToReading'),
    },
    transfers,
  };
}

// ---------- main ----------
async function main() {
  const need = ['www/pkg/lenet5.js', 'www/pkg/lenet5_bg.wasm', 'www/model/lenet5.onnx', 'model/lenet5.onnx'];
  const rtenJs = 'bench/browser/rten-pkg/lenet5_bench_rten.js';
  const ortDist = 'bench/browser/node_modules/onnxruntime-web/dist';
  for (const f of [...need, rtenJs, `${ortDist}/ort.wasm.min.mjs`]) {
    try {
      statSync(path.join(ROOT, f));
    } catch {
      throw new Error(`${f} is missing: run scripts/bench-browser.sh (it runs scripts/build.sh's output check and builds the rest)`);
    }
  }
  const inputs = mnistInputs(CFG.digits);
  const unpacked = unpackOnnx(readFileSync(path.join(ROOT, 'model/lenet5.onnx')));
  writeFileSync(path.join(ROOT, RTEN_MODEL), unpacked.bytes);
  const strokes = sample(3).strokes;
  const ortVersion = JSON.parse(readFileSync(path.join(ROOT, 'bench/browser/node_modules/onnxruntime-web/package.json'))).version;

  const sizes = {
    ours: { wasm: fileSizes('www/pkg/lenet5_bg.wasm'), js: [fileSizes('www/pkg/lenet5.js')] },
    ort: {
      wasm: fileSizes(`${ortDist}/ort-wasm-simd-threaded.wasm`),
      js: [fileSizes(`${ortDist}/ort.wasm.min.mjs`), fileSizes(`${ortDist}/ort-wasm-simd-threaded.mjs`)],
    },
    rten: { wasm: fileSizes('bench/browser/rten-pkg/lenet5_bench_rten_bg.wasm'), js: [fileSizes(rtenJs)] },
    model: fileSizes('model/lenet5.onnx'),
  };
  const wasmBuilt = statSync(path.join(ROOT, 'www/pkg/lenet5_bg.wasm')).mtime.toISOString();

  const load0 = loadavg()[0];
  const server = await startServer({ root: ROOT, port: 0 });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const errors = [];
  let result;
  try {
    log(`Chromium ${browser.version()}, onnxruntime-web ${ortVersion}, ${inputs.length} MNIST inputs`);
    const loads = await freshLoads(browser, server.url, inputs[0], errors);
    const sp = await speed(browser, server.url, inputs, strokes, errors);
    const cold = await coldStarts(browser, server.url, errors);
    const coldRtt = await coldStarts(browser, server.url, errors, CFG.coldRtt);
    result = {
      date: new Date().toISOString(),
      chromium: browser.version(),
      ortVersion,
      wasmBuilt,
      loadavg: { start: load0, end: loadavg()[0] },
      cpus: availableParallelism(),
      config: CFG,
      sizes,
      loads,
      speed: sp,
      cold,
      coldRtt,
    };
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }

  // ---------- report ----------
  const { loads, speed: s, cold, coldRtt } = result;
  const lines = [];
  lines.push(
    `## Engines in headless Chromium ${result.chromium} (same model, ${s.inputs} inputs; ` +
      `${s.batches} interleaved batches of ${s.batch} calls, recognize ${s.recognizeBatch}; timer step ${s.timerStepMs.toFixed(3)} ms)`,
    '',
    `Load average (1 min) ${result.loadavg.start.toFixed(2)} at the start, ${result.loadavg.end.toFixed(2)} at the end, on ${result.cpus} cores: ` +
      'with other work running, p90 and the ratios are noisy; the best batch is the steadiest figure.',
    '',
  );
  const ours50 = s.stats.ours.p50;
  const row = (name, load) => {
    const st = s.stats[name];
    const ratio =
      name === 'ours' ? '1 (ours)' : `${(ours50 / st.p50).toFixed(2)} (${(s.stats.ours.min / st.min).toFixed(2)})`;
    return [LABEL[name], load, us(st.p50), us(st.p90), us(st.min), name === 'recognize' ? '—' : ratio];
  };
  lines.push(
    table(
      ['engine', 'load ms (to 1st prediction)', 'p50 µs/call', 'p90 µs/call', 'best batch µs/call', 'ours/theirs p50 (best)'],
      [...ENGINES.map((e) => row(e, ms(loads[e].t.firstPrediction))), row('recognize', '—')],
    ),
    '',
  );
  lines.push(
    `Agreement with ours (max |Δp| over ${s.agreement.ort.inputs} inputs, tolerance ${CFG.tolerance}): ` +
      `onnxruntime-web ${s.agreement.ort.maxDiff.toExponential(2)}, rten ${s.agreement.rten.maxDiff.toExponential(2)}; ` +
      `recognize vs predict on its input ${s.agreement.recognize.maxDiff.toExponential(2)} (read "${s.agreement.recognize.digit}").`,
    '',
  );
  lines.push(`### Load, each engine alone in a fresh context (median of ${CFG.loadRuns}; ms from the start of fetching)`, '');
  lines.push(
    table(
      ['engine', 'JS imported', 'runtime started', 'model fetched', 'session built', 'first prediction', 'model load alone', 'bytes (raw)', 'bytes (gzip -9)'],
      ENGINES.map((e) => {
        const t = loads[e].t;
        const runtime = e === 'ort' ? `${ms(t.runtime)}*` : ms(t.runtime);
        return [LABEL[e], ms(t.imported), runtime, ms(t.model), ms(t.session), ms(t.firstPrediction), ms(t.sessionOnly), kb(loads[e].bytes), kb(loads[e].gzip)];
      }),
    ),
    '',
    '\\* onnxruntime-web starts its runtime inside `InferenceSession.create`: runtime = first create − a second create on the same bytes.',
    '',
  );
  lines.push('## Sizes', '');
  const jsSum = (x) => x.js.reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
  lines.push(
    table(
      ['engine', 'wasm', 'wasm raw', 'wasm gzip -9', 'JS glue raw / gzip'],
      ENGINES.map((e) => {
        const x = sizes[e];
        const j = jsSum(x);
        return [LABEL[e], x.wasm.file.replace(/^.*node_modules\//, ''), kb(x.wasm.raw), kb(x.wasm.gzip), `${kb(j.raw)} / ${kb(j.gzip)}`];
      }),
    ),
    '',
    `Model \`model/lenet5.onnx\`: ${kb(sizes.model.raw)} raw, ${kb(sizes.model.gzip)} gzip -9.`,
    '',
  );
  const tr = cold.transfers;
  // Only what was served (HTTP 200) counts; a 404 is listed but adds nothing.
  const total = tr
    .filter((f) => f.status === 200)
    .reduce((a, f) => ({ raw: a.raw + f.raw, gzip: a.gzip + f.gzip }), { raw: 0, gzip: 0 });
  lines.push('### What the main page transfers before it is ready', '');
  lines.push(
    table(
      ['file', 'raw', 'gzip -9'],
      [
        ...tr.map((f) => [f.status === 200 ? f.path : `${f.path} (HTTP ${f.status ?? f.error})`, kb(f.raw), kb(f.gzip)]),
        ['**total**', `**${kb(total.raw)}**`, `**${kb(total.gzip)}**`],
      ],
    ),
    '',
  );
  lines.push(`## Cold start of the main page (median of ${CFG.coldRuns} fresh contexts, ms from navigation start)`, '');
  lines.push(
    table(
      ['network', 'DOMContentLoaded', 'data-ready', 'first reading (digit drawn right after ready)', 'pointerdown → first reading'],
      [cold, coldRtt].map((c, i) => [
        i === 0 ? 'local' : `+${CFG.coldRtt} ms round trip`,
        ms(c.median.domContentLoaded),
        ms(c.median.ready),
        ms(c.median.firstReading),
        ms(c.median.inputToReading),
      ]),
    ),
    '',
  );
  console.log(lines.join('\n'));
  result.totalMainPage = total;
  result.errors = errors;
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, OUT)}`);
  if (errors.length) log(`page messages:\n  ${errors.join('\n  ')}`);

  const bad = ['ort', 'rten', 'recognize'].filter((k) => !s.agreement[k].ok);
  if (bad.length) {
    console.error(
      `\nFAIL: probabilities differ from ours by more than ${CFG.tolerance}: ` +
        bad.map((k) => `${k} max |Δp| = ${s.agreement[k].maxDiff}`).join(', '),
    );
    process.exit(1);
  }
}

main().catch((err) => {
  console.error(`bench failed: ${err.stack || err}`);
  process.exit(1);
});
