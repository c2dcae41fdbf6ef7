// The benchmark page's engines: ours (www/pkg, tract), onnxruntime-web (wasm backend, 1 thread,
// no JSEP/WebGPU) and rten (bench/rten-wasm, built by scripts/bench-browser.sh), all on the same
// model file and the same inputs. bench/browser/run.mjs drives it through window.bench; nothing
// here runs by itself. Paths are absolute because run.mjs serves the repository root.
const OURS_JS = '/www/pkg/lenet5.js';
const RTEN_JS = new URL('./rten-pkg/lenet5_bench_rten.js', import.meta.url).href;
const ORT_DIST = new URL('./node_modules/onnxruntime-web/dist/', import.meta.url).href;
// The wasm-only build: no JSEP, no WebGPU, no WebGL; it loads ort-wasm-simd-threaded.{mjs,wasm}.
const ORT_JS = `${ORT_DIST}ort.wasm.min.mjs`;
const INPUT_LEN = 1024;

const now = () => performance.now();
const engines = {};

async function fetchModel(url) {
  const res = await fetch(url, { cache: 'no-store' });
  if (!res.ok) throw new Error(`model: HTTP ${res.status} for ${url}`);
  return new Uint8Array(await res.arrayBuffer());
}

/** Resources fetched since `t0` (the engine's own files and the model), as the page saw them. */
function resourcesSince(t0) {
  return performance
    .getEntriesByType('resource')
    .filter((e) => e.startTime >= t0 - 0.5)
    .map((e) => ({
      path: new URL(e.name).pathname,
      type: e.initiatorType,
      bytes: e.encodedBodySize,
      transfer: e.transferSize,
    }));
}

// Each loader: fetch + start the runtime and fetch the model in parallel, then build the
// engine's session from the bytes; returns the phase times (ms from t0) and the engine.
const loaders = {
  async ours(modelUrl, t0) {
    const t = {};
    const [wasm, bytes] = await Promise.all([
      (async () => {
        const m = await import(OURS_JS);
        t.imported = now() - t0;
        const exports = await m.default();
        exports.__wasm_call_ctors?.(); // once, as the page does (www/loader.js)
        t.runtime = now() - t0;
        return m;
      })(),
      fetchModel(modelUrl).then((b) => ((t.model = now() - t0), b)),
    ]);
    const r = new wasm.Recognizer(bytes);
    t.session = now() - t0;
    return {
      t,
      engine: {
        predict: (x) => r.predict(x),
        recognize: (rgba, w, h) => r.recognize(rgba, w, h),
        async sessionOnly() {
          const s = now();
          new wasm.Recognizer(bytes).free();
          return now() - s;
        },
      },
    };
  },

  async ort(modelUrl, t0) {
    const t = {};
    const [ort, bytes] = await Promise.all([
      (async () => {
        const m = await import(ORT_JS);
        t.imported = now() - t0;
        m.env.wasm.numThreads = 1;
        m.env.wasm.proxy = false;
        m.env.wasm.wasmPaths = ORT_DIST;
        m.env.logLevel = 'error';
        return m;
      })(),
      fetchModel(modelUrl).then((b) => ((t.model = now() - t0), b)),
    ]);
    // onnxruntime-web starts its runtime (fetches and instantiates the wasm) inside the first
    // InferenceSession.create: `runtime` is derived below from a second create (model only).
    const opts = { executionProviders: ['wasm'], graphOptimizationLevel: 'all' };
    const session = await ort.InferenceSession.create(bytes, opts);
    t.session = now() - t0;
    return {
      t,
      engine: {
        async: true,
        async predict(x) {
          const out = await session.run({ input: new ort.Tensor('float32', x, [1, 1, 32, 32]) });
          return out.probabilities.data;
        },
        async sessionOnly() {
          const s = now();
          const again = await ort.InferenceSession.create(bytes, opts);
          const ms = now() - s;
          await again.release();
          return ms;
        },
      },
    };
  },

  async rten(modelUrl, t0) {
    const t = {};
    const [rten, bytes] = await Promise.all([
      (async () => {
        const m = await import(RTEN_JS);
        t.imported = now() - t0;
        await m.default();
        t.runtime = now() - t0;
        return m;
      })(),
      fetchModel(modelUrl).then((b) => ((t.model = now() - t0), b)),
    ]);
    rten.load(bytes);
    t.session = now() - t0;
    return {
      t,
      engine: {
        predict: (x) => rten.predict(x),
        async sessionOnly() {
          const s = now();
          rten.load(bytes);
          return now() - s;
        },
      },
    };
  },
};

/**
 * Load one engine: from the start of fetching (its JS, its wasm, the model) to its first
 * prediction on `firstInput`. Times in ms from the start; `resources` = what was fetched.
 */
async function load(name, { modelUrl = '/model/lenet5.onnx', firstInput } = {}) {
  if (engines[name]) throw new Error(`${name} is already loaded in this page`);
  const x = Float32Array.from(firstInput ?? new Array(INPUT_LEN).fill(0));
  const t0 = now();
  const { t, engine } = await loaders[name](modelUrl, t0);
  const first = await engine.predict(x);
  t.firstPrediction = now() - t0;
  const resources = resourcesSince(t0);
  // Model load alone, on a second session from the same bytes (after the clock stopped).
  t.sessionOnly = await engine.sessionOnly();
  if (t.runtime === undefined) t.runtime = t.session - t.sessionOnly; // onnxruntime-web
  engines[name] = engine;
  return { name, t, resources, first: Array.from(first) };
}

/** An RGBA drawing: `strokes` (unit square, x right, y down) with a round pen of `pen` px. */
function drawing(strokes, { size = 280, pen = size / 14 } = {}) {
  const canvas = document.getElementById('drawing');
  canvas.width = size;
  canvas.height = size;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, size, size);
  ctx.strokeStyle = ctx.fillStyle = '#111111';
  ctx.lineWidth = pen;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const stroke of strokes) {
    const pts = stroke.map(([x, y]) => [x * size, y * size]);
    ctx.beginPath();
    if (pts.length === 1) {
      ctx.arc(pts[0][0], pts[0][1], pen / 2, 0, Math.PI * 2);
      ctx.fill();
      continue;
    }
    ctx.moveTo(...pts[0]);
    for (const p of pts.slice(1)) ctx.lineTo(...p);
    ctx.stroke();
  }
  return { rgba: ctx.getImageData(0, 0, size, size).data, width: size, height: size };
}

/** Time `n` calls of `call(i)`; ms for the whole batch (one timer read each side: it is coarse). */
async function timeBatch(engine, call, n) {
  const t = now();
  if (engine.async) {
    for (let i = 0; i < n; i++) await call(i);
  } else {
    for (let i = 0; i < n; i++) call(i);
  }
  return now() - t;
}

/** The smallest step of performance.now() seen over a few ms. */
function timerStep() {
  let step = Infinity;
  let last = now();
  const end = last + 20;
  while (last < end) {
    const t = now();
    if (t > last) {
      step = Math.min(step, t - last);
      last = t;
    }
  }
  return step;
}

/**
 * With all three engines loaded: check they agree on every input, then time interleaved
 * batches (engines in rotating order, so machine noise spreads over all of them).
 * `inputs`: arrays of 1024 numbers; `strokes`: the digit drawn for `recognize`.
 */
async function run({ inputs, strokes, batch = 200, batches = 15, recognizeBatch = 50, warmupMs = 1000, tolerance = 1e-4 }) {
  for (const name of ['ours', 'ort', 'rten']) if (!engines[name]) throw new Error(`load('${name}') first`);
  const xs = inputs.map((a) => Float32Array.from(a));
  const draw = drawing(strokes);
  const ours = engines.ours;
  const recognition = ours.recognize(draw.rgba, draw.width, draw.height);
  if (recognition.empty) throw new Error('the benchmark drawing reads as empty');
  xs.push(Float32Array.from(recognition.input)); // what recognize fed the network, too

  // Same probabilities everywhere (to `tolerance`), and recognize = predict on its own input.
  const agreement = {};
  for (const name of ['ort', 'rten']) {
    let maxDiff = 0;
    let argmaxMismatches = 0;
    for (const x of xs) {
      const a = ours.predict(x);
      const b = await engines[name].predict(x);
      for (let k = 0; k < 10; k++) maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k]));
      const am = (p) => Array.prototype.indexOf.call(p, Math.max(...p));
      if (am(a) !== am(b)) argmaxMismatches++;
    }
    agreement[name] = { maxDiff, argmaxMismatches, inputs: xs.length, ok: maxDiff <= tolerance };
  }
  let recDiff = 0;
  const direct = ours.predict(xs[xs.length - 1]);
  for (let k = 0; k < 10; k++) recDiff = Math.max(recDiff, Math.abs(direct[k] - recognition.probabilities[k]));
  agreement.recognize = { maxDiff: recDiff, ok: recDiff <= tolerance, digit: recognition.digit };

  const n = xs.length;
  const jobs = [
    { name: 'ours', engine: ours, call: (i) => ours.predict(xs[i % n]), calls: batch },
    { name: 'ort', engine: engines.ort, call: (i) => engines.ort.predict(xs[i % n]), calls: batch },
    { name: 'rten', engine: engines.rten, call: (i) => engines.rten.predict(xs[i % n]), calls: batch },
    {
      name: 'recognize',
      engine: ours,
      call: () => ours.recognize(draw.rgba, draw.width, draw.height),
      calls: recognizeBatch,
    },
  ];
  // Warm-up: each engine runs for warmupMs, in two interleaved rounds (the wasm tiers up).
  for (let round = 0; round < 2; round++) {
    for (const job of jobs) {
      const end = now() + warmupMs / 2;
      let i = 0;
      while (now() < end || i < 20) await timeBatch(job.engine, () => job.call(i++), 1);
    }
  }
  const perCallUs = Object.fromEntries(jobs.map((j) => [j.name, []]));
  for (let b = 0; b < batches; b++) {
    for (let k = 0; k < jobs.length; k++) {
      const job = jobs[(b + k) % jobs.length];
      const ms = await timeBatch(job.engine, job.call, job.calls);
      perCallUs[job.name].push((ms * 1000) / job.calls);
    }
  }
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: self.crossOriginIsolated,
    timerStepMs: timerStep(),
    batch,
    batches,
    recognizeBatch,
    inputs: n,
    agreement,
    recognition: { digit: recognition.digit, confidence: recognition.confidence },
    perCallUs,
  };
}

window.bench = { load, run, drawing };
document.body.dataset.benchReady = 'true';
