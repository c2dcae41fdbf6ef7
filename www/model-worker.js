// A model you chose, in a Worker of its own (started by engine.js, one per model): its own
// instance of the page's wasm module (or of the general one, for a graph the page's module
// does not build) parses, checks, plans and runs it, so a model asking for absurd work cannot
// freeze the page and a crash cannot reach the built-in model. The modules are checked against
// the build's SHA-384 digests like the page's own.
//
// In:  { type: 'load', id: 0, bytes: Uint8Array, modules: { [name]: WebAssembly.Module } }
//      (the modules the page has compiled already, so they are neither fetched nor compiled again)
//      { type: 'read', id, strokes: Float32Array[], penWidth, stride, maps: boolean }
// Out: { type: 'module', name, module } when this worker compiled one (for the next workers)
//      { type: 'ready', id: 0, info: { engine, hasFeatureMaps, metadata }, memory }
//      { type: 'reading', id, out, number, maps, ms: { one, number, maps }, memory }
//      { type: 'error', id, message, kind, memory }: `kind` is the crate's (absent for a crash:
//      then the module is in an unknown state and engine.js stops this worker).

import { fetchVerified } from './verified-fetch.js';

const NEEDS_GENERAL = 'needs-general';
let exports = null;
let recognizer = null;

/** One of the build's recognizer modules (`lenet5` or `lenet5_general`), instantiated here. */
async function start(name, compiled) {
  try {
    return await instantiate(name, compiled);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    // A file that does not match the build says what to do itself; anything else is most likely the network.
    const advice = /does not match this build/.test(why) ? '' : '; check your connection';
    throw Object.assign(new Error(`Could not start the WebAssembly recognizer (${why})${advice}`), { kind: 'unavailable' });
  }
}

async function instantiate(name, compiled) {
  const glue = await import(`./pkg/${name}.js`);
  let module = compiled;
  if (!(module instanceof WebAssembly.Module)) {
    const digests = (await import('./pkg/integrity.js')).default;
    const url = new URL(`pkg/${name}_bg.wasm`, new URL('./', self.location.href));
    const res = await fetchVerified(url, digests[`pkg/${name}_bg.wasm`]);
    if (!res.ok) throw new Error(`could not load ${url.pathname} (HTTP ${res.status})`);
    module = await WebAssembly.compile(await res.arrayBuffer());
    self.postMessage({ type: 'module', name, module });
  }
  exports = await glue.default({ module_or_path: module });
  exports.__wasm_call_ctors?.();
  return glue;
}

function memory() {
  return exports?.memory?.buffer?.byteLength ?? 0;
}

function plainObject(value) {
  return value instanceof Map ? Object.fromEntries(value) : value;
}

async function load(bytes, modules) {
  let engine = 'page';
  let glue = await start('lenet5', modules.lenet5);
  try {
    recognizer = new glue.Recognizer(bytes);
  } catch (err) {
    if (err?.kind !== NEEDS_GENERAL) throw err;
    engine = 'general';
    glue = await start('lenet5_general', modules.lenet5_general);
    recognizer = new glue.Recognizer(bytes);
  }
  // One test run of the plan, and of the feature maps it claims to have.
  const blank = new Float32Array(1024);
  recognizer.predict(blank);
  const hasFeatureMaps = recognizer.hasFeatureMaps;
  if (hasFeatureMaps) recognizer.featureMaps(blank);
  return { engine, hasFeatureMaps, metadata: plainObject(recognizer.metadata()) };
}

function read({ strokes, penWidth, stride, maps }) {
  const t0 = performance.now();
  const res = recognizer.readStrokes(strokes, penWidth, stride, maps && recognizer.hasFeatureMaps);
  return { ...res, ms: performance.now() - t0 };
}

self.onmessage = async (event) => {
  const msg = event.data ?? {};
  const id = msg.id;
  try {
    if (msg.type === 'load') {
      if (recognizer) throw Object.assign(new Error('this worker already has a model'), { kind: 'internal' });
      const info = await load(msg.bytes, msg.modules ?? {});
      self.postMessage({ type: 'ready', id, info, memory: memory() });
    } else if (msg.type === 'read') {
      if (!recognizer) throw Object.assign(new Error('no model loaded'), { kind: 'internal' });
      self.postMessage({ type: 'reading', id, ...read(msg), memory: memory() });
    }
  } catch (err) {
    const kind = typeof err?.kind === 'string' ? err.kind : undefined;
    const message = err instanceof Error ? err.message || err.name : String(err);
    self.postMessage({ type: 'error', id, message, kind, memory: memory() });
  }
};
