// The learning Web Worker: fine-tunes LeNet-5 on your corrections with the same Rust trainer
// as the native one (pkg/lenet5_learn_bg.wasm, no inference engine: ~80 KB gzip), so drawing
// never waits for it. Loaded on the first correction; the module and the MNIST replay sample
// (model/mnist-replay.bin.gz, 1,000 digits that keep it reading everyone else's handwriting)
// are checked against the build's SHA-384 digests like the page's own files.
//
// In:  { id, model: Uint8Array (the original ONNX), inputs: Float32Array (n x 1024), labels: Uint8Array,
//        drawings: (null | { strokes: Float32Array[], penWidth })[] (n, optional) }
// Out: { id, type: 'progress', step, steps } ... then { id, type: 'done', model, report, ms }
//      or { id, type: 'error', message }.

import { fetchVerified } from './verified-fetch.js';

let ready = null;

async function fetchChecked(path, integrity) {
  const url = new URL(path, new URL('./', self.location.href));
  const res = await fetchVerified(url, integrity);
  if (!res.ok) throw new Error(`could not load ${url.pathname} (HTTP ${res.status})`);
  return res;
}

async function setup() {
  const digests = (await import('./pkg/integrity.js')).default;
  const module = await import('./pkg/lenet5_learn.js');
  const [wasm, replayRes] = await Promise.all([
    fetchChecked('pkg/lenet5_learn_bg.wasm', digests['pkg/lenet5_learn_bg.wasm']),
    fetchChecked('model/mnist-replay.bin.gz', digests['model/mnist-replay.bin.gz']),
  ]);
  await module.default({ module_or_path: wasm });
  const unpacked = replayRes.body.pipeThrough(new DecompressionStream('gzip'));
  const replay = new Uint8Array(await new Response(unpacked).arrayBuffer());
  return { fineTune: module.fineTune, replay };
}

self.onmessage = async (event) => {
  const { id, model, inputs, labels, options, drawings } = event.data ?? {};
  try {
    ready ??= setup();
    let env;
    try {
      env = await ready;
    } catch (err) {
      ready = null; // try again next time
      throw err;
    }
    const t0 = performance.now();
    const out = env.fineTune(
      model,
      inputs,
      labels,
      env.replay,
      options,
      (step, steps) => {
        self.postMessage({ id, type: 'progress', step, steps });
      },
      drawings,
    );
    const ms = performance.now() - t0;
    self.postMessage({ id, type: 'done', model: out.model, report: out.report, ms }, [out.model.buffer]);
  } catch (err) {
    self.postMessage({ id, type: 'error', message: err?.message ?? String(err) });
  }
};
