// The page: loads the WebAssembly recognizer and the LeNet-5 model, wires the
// drawing pad to live recognition, and reports every failure in #status.
//
// Query parameters: ?model=URL loads another model file (relative to the page).
import { DrawingPad } from './pad.js';
import { Readings } from './readings.js';

const $ = (id) => document.getElementById(id);
const els = {
  pad: $('pad'),
  frame: document.querySelector('.pad-frame'),
  clear: $('clear'),
  undo: $('undo'),
  status: $('status'),
};

const readings = new Readings({
  prediction: $('prediction'),
  confidence: $('confidence'),
  runnerUp: $('runner-up'),
  probabilities: $('probabilities'),
  preview: $('preview'),
  timing: $('timing'),
  miniDigit: $('mini-digit'),
  miniConfidence: $('mini-confidence'),
});

let recognizer = null;
let readyMessage = '';
let recognitionFailed = false;
let loadFailed = false;

function setStatus(text, state) {
  els.status.textContent = text;
  els.status.dataset.state = state;
}

function errorText(err) {
  if (err instanceof Error) return err.message || err.name;
  if (typeof err === 'string') return err;
  try {
    return JSON.stringify(err);
  } catch {
    return String(err);
  }
}

function fail(message, err) {
  loadFailed = true;
  readings.reset('Recognition unavailable');
  setStatus(message, 'error');
  document.body.dataset.ready = 'error';
  if (err !== undefined) console.error(message, err);
}

const pad = new DrawingPad(els.pad, { onRender: () => update() });

/** Called after every render of the pad: refresh the controls and the readings. */
function update() {
  const empty = pad.isEmpty;
  els.frame.dataset.empty = String(empty);
  els.clear.disabled = empty;
  els.undo.disabled = empty || pad.isDrawing;
  recognize();
}

function recognize() {
  if (pad.isEmpty) {
    readings.reset(idleMessage());
    markRecognized();
    return;
  }
  if (!recognizer) {
    // The model is still loading (or failed): nothing to read with yet.
    readings.reset(idleMessage());
    markRecognized();
    return;
  }
  const { width, height } = els.pad;
  try {
    const pixels = pad.ctx.getImageData(0, 0, width, height).data;
    const t0 = performance.now();
    const out = recognizer.recognize(pixels, width, height);
    readings.show(out, performance.now() - t0);
    if (recognitionFailed) {
      recognitionFailed = false;
      setStatus(readyMessage, 'ready');
    }
  } catch (err) {
    recognitionFailed = true;
    readings.reset('');
    setStatus(`Could not read the drawing: ${errorText(err)}`, 'warning');
    console.error('recognize failed', err);
  }
  markRecognized();
}

function idleMessage() {
  if (recognizer) return 'Nothing drawn yet';
  return loadFailed ? 'Recognition unavailable' : 'Waiting for the model…';
}

// Lets tests (and curious people) see that the readings match the pad's strokes.
function markRecognized() {
  els.pad.dataset.recognized = String(pad.version);
}

pad.fit(true);

els.clear.addEventListener('click', () => pad.clear());
els.undo.addEventListener('click', () => pad.undo());
document.addEventListener('keydown', (e) => {
  if (e.defaultPrevented || e.isComposing) return;
  if (e.key === 'Escape') {
    pad.clear();
  } else if ((e.ctrlKey || e.metaKey) && !e.shiftKey && !e.altKey && e.key.toLowerCase() === 'z') {
    e.preventDefault();
    pad.undo();
  }
});

function formatBytes(n) {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

async function loadWasm() {
  try {
    const wasm = await import('./pkg/lenet5.js');
    await wasm.default();
    return wasm;
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

async function loadModel(url) {
  let res;
  try {
    res = await fetch(url);
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

async function main() {
  document.body.dataset.ready = 'loading';
  setStatus('Loading the model…', 'loading');
  const param = new URLSearchParams(location.search).get('model');
  let modelUrl;
  try {
    modelUrl = new URL(param || 'model/lenet5.onnx', document.baseURI);
  } catch {
    fail(`The model address "${param}" is not a valid URL.`);
    return;
  }

  const t0 = performance.now();
  // Load both at once; if both fail, say both.
  const [wasmResult, modelResult] = await Promise.allSettled([loadWasm(), loadModel(modelUrl)]);
  const failures = [wasmResult, modelResult].filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failures.length > 0) {
    fail(failures.map(errorText).join(' '), failures.length === 1 ? failures[0] : failures);
    return;
  }
  const wasm = wasmResult.value;
  const bytes = modelResult.value;
  try {
    recognizer = new wasm.Recognizer(bytes);
  } catch (err) {
    throw new Error(`The model file ${modelUrl.href} could not be used: ${errorText(err)}`, { cause: err });
  }
  const ms = performance.now() - t0;
  readyMessage = `Ready: model loaded in ${Math.round(ms)} ms`;
  els.status.title = `${modelUrl.href}, ${formatBytes(bytes.length)}`;
  setStatus(readyMessage, 'ready');
  document.body.dataset.ready = 'true';
  update(); // read anything drawn while the model was loading
}

main().catch((err) => fail(errorText(err), err));
