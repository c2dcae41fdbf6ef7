// The page: loads the WebAssembly recognizer and the LeNet-5 model, wires the
// drawing pad to live recognition (the whole pad as a number in #number, the
// whole ink as one digit in #prediction, the feature maps), and reports every
// failure in #status.
//
// Query parameters: ?model=URL loads another model file (relative to the page);
// ?pen=thin|medium|bold|marker picks the pen width (the setting writes it back
// into the address, and nowhere else).
import { DrawingPad } from './pad.js';
import { Readings } from './readings.js';
import { NumberView, normalizeReading, plain } from './number.js';
import { UnsureView } from './unsure.js';
import { FeatureMapsView } from './maps.js';
import { HintView } from './hints.js';
import { Announcer } from './announce.js';
import { ModelPicker } from './model-picker.js';
import { registerServiceWorker } from './offline.js';
import { Teacher } from './teach.js';
import { errorText, loading } from './loader.js';
import { LocalRecognizer, openUserModel, warmUp } from './engine.js';

const $ = (id) => document.getElementById(id);
const els = {
  pad: $('pad'),
  frame: document.querySelector('.pad-frame'),
  clear: $('clear'),
  undo: $('undo'),
  status: $('status'),
  strokeWidth: $('stroke-width'),
  resultTitle: $('result-title'),
};

/**
 * Pen widths as a fraction of the pad's shorter side. Medium is the default: on the
 * stroke fixture drawn through the page it reads more digits than a bolder pen (numbers
 * written on a wide pad have digits smaller than the pad, where a bold pen fills loops).
 */
const PENS = { thin: 1 / 32, medium: 1 / 22, bold: 1 / 14, marker: 1 / 9 };
/** A model file larger than this is not a LeNet-5 (ours is 0.25 MB): refuse before reading it. */
const MAX_MODEL_BYTES = 100 * 1024 * 1024;

const readings = new Readings({
  prediction: $('prediction'),
  confidence: $('confidence'),
  runnerUp: $('runner-up'),
  probabilities: $('probabilities'),
  preview: $('preview'),
  timing: $('timing'),
});
const numberView = new NumberView({ number: $('number'), boxes: $('digit-boxes') });
const unsure = new UnsureView($('unsure'));
const hint = new HintView($('hint'));
const maps = new FeatureMapsView({ panel: $('maps'), c1: $('maps-c1'), c3: $('maps-c3'), note: $('maps-note') });
const announcer = new Announcer($('announce'));

let recognizer = null; // the one in use: a LocalRecognizer, or a WorkerRecognizer (`remote`) for a model you chose
let builtIn = null; // { recognizer, label, message }
let custom = null; // { recognizer, name, size }, while a model of your own is in use
let personal = null; // { recognizer, count }: learnt from your corrections (teach.js)
let lastDrawing = null; // { input, digits, text, version }: the drawing as the network last saw it, for teaching
let readyMessage = '';
let recognitionFailed = false;
let loadFailed = false;

function setStatus(text, state) {
  els.status.textContent = text;
  els.status.dataset.state = state;
}

function fail(message, err) {
  loadFailed = true;
  resetReadings('Recognition unavailable');
  setStatus(message, 'error');
  document.body.dataset.ready = 'error';
  if (err !== undefined) console.error(message, err);
}

const pad = new DrawingPad(els.pad, { onRender: ({ live }) => update(live), widthRatio: PENS[initialPen()] });

/**
 * Called after every render of the pad: refresh the controls and the readings. The pad renders
 * at most once per animation frame while the pen moves (scheduleRender), and a reading of the
 * strokes follows the number of points, not the canvas's pixels, so every render is read.
 */
function update(live = false) {
  const empty = pad.isEmpty;
  els.frame.dataset.empty = String(empty);
  els.clear.disabled = empty;
  els.undo.disabled = empty || pad.isDrawing;
  recognize(live);
}

function resetReadings(message) {
  lastDrawing = null;
  readings.reset(message);
  els.resultTitle.textContent = 'The drawing as one digit';
  numberView.reset();
  unsure.reset();
  hint.reset();
  maps.show(null, pad.version);
}

/**
 * Read the drawing: the pad's strokes (in canvas pixels, as drawn) as a number, the digit in
 * focus (the whole drawing when it is one digit, else the one being written) and its feature
 * maps, in one call. No pixels are read back from the canvas: the recognizer draws the strokes
 * straight into the network's 32x32 input.
 */
function recognize(live) {
  if (pad.isEmpty || !recognizer) {
    // Nothing drawn, or the model is still loading (or failed): nothing to read.
    resetReadings(idleMessage());
    announcer.say('');
    markRecognized();
    return;
  }
  if (recognizer.remote) {
    recognizeInWorker(live);
    return;
  }
  const t0 = performance.now();
  let readingMs = 0;
  try {
    const { strokes, penWidth, stride } = pad.forRecognizer();
    const res = recognizer.readStrokes(strokes, penWidth, stride, maps.available);
    readingMs = performance.now() - t0;
    const number = normalizeReading(res.number);
    present({ out: res.focus, number, penWidth, live, version: pad.version, maps: res.maps }, readingMs);
  } catch (err) {
    readingMs = performance.now() - t0;
    readingFailed(err);
  }
  // The whole reading (the strokes out of the pad, the number, the digit in focus, its feature
  // maps; not the painting of the results), for benchmarks (bench/frame reads it).
  els.pad.dataset.readingMs = readingMs.toFixed(3);
  markRecognized();
}

/** Show a reading of pad version `version` that took `ms` milliseconds. */
function present({ out, number, penWidth, live, version, maps: featureMaps }, ms) {
  const { width, height } = els.pad;
  lastDrawing = out.empty ? null : { input: out.input, digits: number.digits.length, text: number.text, version };
  readings.show(out, ms);
  els.resultTitle.textContent = focusTitle(out, number);
  numberView.show(number, width, height);
  unsure.show(out, number);
  hint.show(out, number, { width, height, lineWidth: penWidth });
  maps.paint(out.empty ? null : featureMaps, version);
  if (live) announcer.hold();
  else announcer.say(announcement(out, number));
  if (recognitionFailed) {
    recognitionFailed = false;
    setStatus(readyMessage, 'ready');
  }
}

/** The readings card's title: which digit its readings and maps are of. */
function focusTitle(out, number) {
  const n = number.digits.length;
  if (out.empty || n <= 1) return 'The drawing as one digit';
  const r = out.rect;
  const i = number.digits.findIndex((d) => d.x === r.x && d.y === r.y && d.width === r.width && d.height === r.height);
  // Not one of the digits: the whole drawing, which the network reads surely as one digit.
  return i < 0 ? 'The drawing as one digit' : `Digit ${i + 1} of ${n}, where the pen was last`;
}

function readingFailed(err) {
  recognitionFailed = true;
  resetReadings('');
  setStatus(`Could not read the drawing: ${errorText(err)}`, 'warning');
  console.warn('recognize failed', err);
}

// A model you chose is read in its worker: one reading in flight at a time; a drawing that
// changes meanwhile is read again as soon as the answer arrives, so the page shows the latest.
let inFlight = false;
let readAgain = null; // the `live` flag of a reading asked for while one was in flight

function recognizeInWorker(live) {
  if (inFlight) {
    readAgain = live;
    return;
  }
  inFlight = true;
  const r = recognizer;
  const version = pad.version;
  const t0 = performance.now();
  let penWidth;
  let reading;
  try {
    const drawing = pad.forRecognizer();
    penWidth = drawing.penWidth;
    reading = r.read(drawing.strokes, penWidth, drawing.stride, maps.available);
  } catch (err) {
    reading = Promise.reject(err);
  }
  reading
    .then(
      (res) => {
        if (r !== recognizer || pad.isEmpty) return;
        try {
          const number = normalizeReading(res.number);
          present({ out: res.focus, number, penWidth, live, version, maps: res.maps }, res.ms);
        } catch (err) {
          readingFailed(err);
        }
        // There and back, for benchmarks: the main thread is free meanwhile.
        els.pad.dataset.readingMs = (performance.now() - t0).toFixed(3);
        markRecognized(version);
      },
      (err) => {
        if (r !== recognizer) return;
        readingFailed(err);
        markRecognized(version);
      },
    )
    .finally(() => {
      inFlight = false;
      if (readAgain !== null || version !== pad.version) {
        const again = readAgain ?? pad.isDrawing;
        readAgain = null;
        recognize(again);
      }
    });
}

/** What a screen reader says once the drawing settles. */
function announcement(out, number) {
  if (out.empty || number.text === '') return out.empty ? '' : 'No digit found';
  const doubt = unsure.text ? ` ${unsure.text}` : '';
  return `Reads ${number.text}.${doubt}`;
}

function idleMessage() {
  if (recognizer) return 'Nothing drawn yet';
  return loadFailed ? 'Recognition unavailable' : 'Waiting for the model…';
}

// Lets tests (and curious people) see that the readings match the pad's strokes.
function markRecognized(version = pad.version) {
  els.pad.dataset.recognized = String(version);
}

// --- pen width: in memory and in the address (?pen=), nowhere else ------------

function initialPen() {
  const pen = new URLSearchParams(location.search).get('pen');
  return pen && Object.hasOwn(PENS, pen) ? pen : 'medium';
}

els.strokeWidth.value = initialPen();
els.strokeWidth.addEventListener('change', () => {
  const pen = Object.hasOwn(PENS, els.strokeWidth.value) ? els.strokeWidth.value : 'medium';
  pad.setWidthRatio(PENS[pen]);
  const url = new URL(location.href);
  if (pen === 'medium') url.searchParams.delete('pen');
  else url.searchParams.set('pen', pen);
  history.replaceState(history.state, '', url);
});

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
  } else if (/^[0-9]$/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey && !isTextField(e.target)) {
    e.preventDefault();
    teacher.teach(Number(e.key));
  }
});

function isTextField(el) {
  return el instanceof HTMLElement && (el.isContentEditable || /^(INPUT|SELECT|TEXTAREA)$/.test(el.tagName));
}

function formatBytes(n) {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`;
}

// --- models: the built-in one, and one of your own ----------------------------

const picker = new ModelPicker(
  { input: $('model-file'), builtin: $('builtin-model'), overlay: $('drop-overlay'), name: $('model-name') },
  { onFile: (file) => useFile(file), onBuiltin: () => useBuiltIn() },
);

/** Make `r` the recognizer in use and re-read the drawing with it. */
function switchTo(r, message) {
  recognizer = r;
  maps.setRecognizer(r);
  readyMessage = message;
  recognitionFailed = false;
  setStatus(message, 'ready');
  update();
}

function accuracyOf(r) {
  try {
    const acc = Number(plain(r.metadata())?.accuracy);
    return acc > 0 && acc <= 1 ? `, ${(acc * 100).toFixed(2)}% on the MNIST test set` : '';
  } catch {
    return '';
  }
}

let loadingFile = 0; // the latest file being loaded: an older one finishing late is dropped

async function useFile(file) {
  const name = file.name || 'the file';
  if (!builtIn) {
    setStatus(`Could not use ${name}: the recognizer has not loaded yet.`, loadFailed ? 'error' : 'warning');
    return;
  }
  if (file.size > MAX_MODEL_BYTES) {
    setStatus(`Could not use ${name}: it is ${formatBytes(file.size)}, far larger than a LeNet-5 model.`, 'warning');
    return;
  }
  const ticket = ++loadingFile;
  setStatus(`Loading ${name}…`, 'loading');
  let r;
  try {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (ticket !== loadingFile) return;
    // Built and tried in a worker of its own, never on the built-in model's module.
    r = await openUserModel(bytes, { onRestart: () => r === recognizer && update() });
  } catch (err) {
    if (ticket !== loadingFile) return;
    // The model in use stays.
    setStatus(`Could not use ${name}: ${errorText(err)}`, 'warning');
    console.warn(`Could not use ${name}`, err);
    return;
  }
  if (ticket !== loadingFile) {
    r.free?.();
    return;
  }
  const previous = custom?.recognizer;
  custom = { recognizer: r, name, size: file.size };
  picker.showModel(`your ${name} (${formatBytes(file.size)}${accuracyOf(r)})`, { custom: true });
  switchTo(r, `Using your model ${name} (${formatBytes(file.size)})`);
  previous?.free?.();
}

/** The page's own model: your personal one if you taught it, else the original. */
function home() {
  return personal?.recognizer ?? builtIn.recognizer;
}

function homeLabel() {
  if (!personal) return builtIn.label;
  const n = personal.count;
  return `your personal LeNet-5, learnt from ${n} correction${n === 1 ? '' : 's'}`;
}

function useBuiltIn() {
  loadingFile += 1; // a file still loading is no longer wanted
  if (!builtIn) return;
  const previous = custom?.recognizer;
  custom = null;
  picker.showModel(homeLabel(), { custom: false });
  switchTo(home(), personal ? 'Using your personal model again' : 'Using the built-in model again');
  previous?.free?.();
  $('model-file').focus();
}

/** teach.js hands over a personal recognizer (null: back to the original). */
function usePersonal(r, count) {
  const previous = personal?.recognizer;
  personal = r ? { recognizer: r, count } : null;
  if (!custom) {
    picker.showModel(homeLabel(), { custom: false });
    switchTo(home(), r ? `Using your personal model (learnt from ${count} correction${count === 1 ? '' : 's'})` : 'Using the original model again');
  }
  if (previous && previous !== r) previous.free?.();
}

const teacher = new Teacher(
  {
    group: $('teach'),
    status: $('teach-status'),
    progress: $('teach-progress'),
    reset: $('reset-model'),
    download: $('download-model'),
  },
  {
    current: () => {
      // A key pressed between a move of the pen and the next frame: read what is drawn now.
      if (lastDrawing && lastDrawing.version !== pad.version) recognize(pad.isDrawing);
      if (!lastDrawing) return null;
      const strokes = pad.strokes.map((s) => s.map((p) => [...p]));
      // A correction is the whole drawing as one digit; with several digits read, the
      // readings show the one being written, so frame the whole drawing now.
      let { input } = lastDrawing;
      if (lastDrawing.digits > 1) {
        const drawing = pad.forRecognizer();
        input = recognizer.recognizeStrokes(drawing.strokes, drawing.penWidth, drawing.stride).input;
      }
      return { ...lastDrawing, input, strokes, penWidth: pad.penWidthInHeights };
    },
    canTeach: () => !custom,
    load: (bytes) => LocalRecognizer.create(bytes, { onRestart: () => update() }),
    use: usePersonal,
  },
);

/** Warms the page's module up in idle time (engine.js), until the pen first touches the pad. */
function warmUpSoon(bytes) {
  if (!pad.isEmpty) return; // drawn on while the model loaded: real readings warm it up
  const touched = new AbortController();
  els.pad.addEventListener('pointerdown', () => touched.abort(), { once: true });
  // For benchmarks and tests: how many readings warmed the module up.
  warmUp(bytes, { signal: touched.signal })
    .then((n) => {
      els.pad.dataset.warmReadings = String(n);
    })
    .catch((err) => console.warn('warming the recognizer up failed', err));
}

async function main() {
  document.body.dataset.ready = 'loading';
  setStatus('Loading the model…', 'loading');
  // Started by loader.js as soon as the HTML was parsed (index.html runs it on its own).
  const { param, modelUrl } = loading;
  if (!modelUrl) {
    fail(`The model address "${param}" is not a valid URL.`);
    return;
  }
  // Both load at once; if both fail, say both.
  const [wasmResult, modelResult] = await Promise.allSettled([loading.wasm, loading.model]);
  const failures = [wasmResult, modelResult].filter((r) => r.status === 'rejected').map((r) => r.reason);
  if (failures.length > 0) {
    fail(failures.map(errorText).join(' '), failures.length === 1 ? failures[0] : failures);
    return;
  }
  const bytes = modelResult.value;
  let r;
  try {
    // The built-in model on the page's own module; a ?model= in a worker of its own, like a
    // file you choose.
    r = loading.recognizer
      ? await LocalRecognizer.create(bytes, { inner: await loading.recognizer, onRestart: () => update() })
      : await openUserModel(bytes, { onRestart: () => r === recognizer && update() });
  } catch (err) {
    fail(loading.recognizer ? errorText(err) : `The model file ${modelUrl.href} could not be used: ${errorText(err)}`, err);
    return;
  }
  const ms = performance.now() - loading.startedAt;
  const label = param
    ? `${decodeURIComponent(modelUrl.pathname.split('/').pop() || modelUrl.href)} from the page's address (${formatBytes(bytes.length)})`
    : `the built-in LeNet-5${accuracyOf(r)}`;
  builtIn = { recognizer: r, label };
  els.status.title = `${modelUrl.href}, ${formatBytes(bytes.length)}`;
  picker.showModel(label, { custom: false });
  switchTo(r, `Ready: model loaded in ${Math.round(ms)} ms`); // reads anything drawn while the model was loading
  document.body.dataset.ready = 'true';
  if (loading.recognizer) warmUpSoon(bytes);
  registerServiceWorker();
  teacher.start(bytes).catch((err) => console.warn('teaching is unavailable', err));
}

main().catch((err) => fail(errorText(err), err));
