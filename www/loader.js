// Loads the recognizer: the WebAssembly module (compiled while it downloads) and the model,
// then builds the Recognizer. index.html runs this module on its own, as soon as the HTML is
// parsed, so the downloads and the compile start before the page's other modules have even
// arrived; app.js imports the same instance and takes over what it started. (When app.js
// started them itself, the wasm download began ~390 ms after navigation on this 2-core
// machine; the README's Performance section has the before/after.)
import { fetchVerified } from './verified-fetch.js';

/** A readable message for anything thrown. */
export function errorText(err) {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

/**
 * SHA-384 digests of the wasm and the built-in model, written by scripts/build.sh
 * (pkg/integrity.js), so a damaged, stale or swapped file is refused instead of run.
 */
async function loadIntegrity() {
  try {
    return (await import('./pkg/integrity.js')).default;
  } catch (err) {
    throw new Error(`pkg/integrity.js is missing or broken (${errorText(err)}); build the page with scripts/build.sh`, {
      cause: err,
    });
  }
}

/** The module, compiled while its bytes arrive (after the digest check, when there is one). */
async function compileWasm(url, integrity) {
  const res = await fetchVerified(url, integrity);
  if (!res.ok) throw new Error(`HTTP ${res.status} for ${url.pathname}`);
  // Streaming compilation needs the right MIME type; a host that labels .wasm otherwise gets
  // the plain path instead of an error.
  const type = (res.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  if (type === 'application/wasm' && WebAssembly.compileStreaming) return WebAssembly.compileStreaming(res);
  return WebAssembly.compile(await res.arrayBuffer());
}

/**
 * Instantiates a wasm-bindgen module (`glue`) on `file`, compiled while it downloads. Resolves
 * to `{ glue, exports, module }`: the compiled `module` lets engine.js start fresh instances.
 */
async function startModule(glue, file, integrity) {
  try {
    const url = new URL(`./pkg/${file}`, import.meta.url);
    const digest = integrity.then((i) => i[`pkg/${file}`]);
    const [js, module] = await Promise.all([glue, digest.then((d) => compileWasm(url, d))]);
    const exports = await js.default({ module_or_path: module });
    // The module's static constructors (tract's kernel registry), once: they are exported rather
    // than run before every call (.cargo/config.toml).
    exports.__wasm_call_ctors?.();
    return { glue: js, exports, module, dead: false };
  } catch (err) {
    throw Object.assign(
      new Error(
        `Could not start the WebAssembly recognizer (${errorText(err)}). ` +
          'It needs a recent browser with WebAssembly SIMD support (Chrome 91, Firefox 89, Safari 16.4 or newer).',
      ),
      { cause: err },
    );
  }
}

async function loadModel(url, integrity) {
  let res;
  try {
    res = await fetchVerified(url, integrity);
  } catch (err) {
    throw new Error(`Could not load the model from ${url.href} (${errorText(err)}). Check your connection and reload.`, {
      cause: err,
    });
  }
  if (!res.ok) {
    const status = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`;
    throw new Error(`Could not load the model (${status}) from ${url.href}.`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

/**
 * Everything the page needs before it can read a drawing, started at once:
 * - `param`: the page's `?model=` address, or null for the built-in model;
 * - `modelUrl`: the model's URL, or null when `?model=` is not a valid URL (nothing to load);
 * - `integrity`: the build's digests; `wasm`: the page's wasm-bindgen module, started
 *   (`{ glue, exports, module }`); `model`: the model's bytes;
 * - `recognizer`: for the built-in model, a Recognizer of the page's module on them, built as
 *   soon as both have arrived; null for a `?model=` (a model you chose is built in a worker of
 *   its own: engine.js);
 * - `startedAt`: `performance.now()` when loading began.
 * Each promise rejects with a message meant for the page's status line.
 */
function start() {
  const startedAt = performance.now();
  const param = new URLSearchParams(location.search).get('model');
  let modelUrl = null;
  try {
    modelUrl = new URL(param || 'model/lenet5.onnx', document.baseURI);
  } catch {
    // app.js reports the bad address.
  }
  const integrity = loadIntegrity();
  const wasm = startModule(import('./pkg/lenet5.js'), 'lenet5_bg.wasm', integrity);
  // The built-in model is checked against the build's digest; a ?model= file is the user's choice.
  const modelDigest = param ? Promise.resolve(undefined) : integrity.then((i) => i['model/lenet5.onnx'], () => undefined);
  // The page's Content Security Policy (connect-src 'self') lets it fetch from its own site only:
  // a model elsewhere is refused before any fetch, saying so (not "check your connection").
  const model = !modelUrl
    ? Promise.reject(new Error(`The model address "${param}" is not a valid URL.`))
    : modelUrl.origin !== location.origin
      ? Promise.reject(
          new Error(
            `The model must come from this site (${location.origin}): this page may only fetch files from its own address, ` +
              `and ${modelUrl.href} is on ${modelUrl.origin === 'null' ? 'no site' : modelUrl.origin}. ` +
              'Download the model and choose it with "Choose an .onnx file…", or put it on this site.',
          ),
        )
      : modelDigest.then((digest) => loadModel(modelUrl, digest));
  const recognizer = param
    ? null
    : Promise.all([wasm, model]).then(([{ glue }, bytes]) => {
        try {
          return new glue.Recognizer(bytes);
        } catch (err) {
          throw new Error(`The model file ${modelUrl.href} could not be used: ${errorText(err)}`, { cause: err });
        }
      });
  // Reported by app.js, which awaits each of them.
  for (const p of [integrity, wasm, model, recognizer]) p?.catch(() => {});
  return { param, modelUrl, integrity, wasm, model, recognizer, startedAt };
}

export const loading = start();
