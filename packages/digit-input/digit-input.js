// <digit-input>: a form field written by hand and read offline, in the browser, by LeNet-5
// compiled to WebAssembly. Plain ES module, no dependencies, no build step.
//
//   <script type="module" src="digit-input.js"></script>
//   <form><label for="pin">PIN</label> <digit-input id="pin" name="pin" digits="4" required></digit-input></form>
//
// - A form-associated custom element (ElementInternals): `name`, `value` (the number read, a
//   string), `digits` (how many are expected), `required`, `disabled`; it takes part in form
//   submission, reset and validation (valueMissing; tooShort/tooLong against `digits`; "not
//   sure" as a custom validity message).
// - Events: `input` while the pen moves (each animation frame a reading is made), `change` once
//   the writing has settled (pen up for 600 ms, or focus leaves); both carry `value`, `digits`
//   (each with its confidence and `sure`) and `sure` (DigitInputEvent).
// - One engine per page: every element shares one WebAssembly instance and one model download.
//   Their URLs default to ./dist/ next to this module (so the package works from any path);
//   override them with the `wasm-src` / `model-src` attributes or `DigitInputElement.engine`.
// - Works under a strict Content-Security-Policy: styles are a constructed stylesheet (no
//   inline style), no eval (the wasm compile needs 'wasm-unsafe-eval'), no HTML string sinks
//   (Trusted Types).
//
// Styling: size it with CSS (any aspect ratio); colours and pen width come from
// --digit-input-ink, --digit-input-paper, --digit-input-accent, --digit-input-unsure and
// --digit-input-pen-width; parts `pad` and `clear`; custom states :state(empty), (drawing),
// (typed), (unsure), (loading), (ready), (error), (user-invalid).

const SETTLE_MS = 600; // the pen up this long: the writing has settled (`change`, announcement)
const DEFAULT_PEN = 1 / 22; // pen width: a fraction of the shorter side (the page's medium pen)
const MIN_STEP = 0.0025; // ignore pointer moves shorter than this (element heights): jitter
const MAX_DPR = 2; // backing store: CSS size x devicePixelRatio, capped

// --- the engine: one per page ----------------------------------------------------------------

const DEFAULT_URLS = Object.freeze({
  wasm: new URL('./dist/lenet5_bg.wasm', import.meta.url).href,
  model: new URL('./dist/lenet5.onnx', import.meta.url).href,
});

let chosen = null; // { wasm, model, integrity } from DigitInputElement.engine = …
/** The page's one engine once started: { config, promise, recognizer, error }. */
let engine = null;
const elements = new Set(); // connected elements, told when the engine is ready or failed
const ENGINE_CHANGED = Symbol('engine changed');

function errorText(err) {
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

function engineError(message, cause) {
  return Object.assign(new Error(message, { cause }), { kind: 'engine' });
}

/** `fetch` with Subresource Integrity when a digest is known; errors say which file and why. */
async function fetchChecked(url, integrity) {
  let res;
  try {
    res = await fetch(url, integrity ? { integrity } : {});
  } catch (err) {
    // The browser only says "Failed to fetch" for a digest mismatch: ask again to tell.
    const plain = integrity ? await fetch(url, { cache: 'no-store' }).catch(() => null) : null;
    if (plain?.ok) throw engineError(`${url} does not match its integrity digest (a stale or damaged copy)`, err);
    throw engineError(`could not fetch ${url} (${errorText(err)})`, err);
  }
  if (!res.ok) throw engineError(`could not fetch ${url} (HTTP ${res.status})`);
  return res;
}

const HASHES = { sha256: 'SHA-256', sha384: 'SHA-384', sha512: 'SHA-512' };

/** Whether `bytes` match an integrity metadata string ("sha384-…", maybe several). */
async function matchesDigest(bytes, integrity) {
  for (const token of integrity.trim().split(/\s+/)) {
    const [alg, expected] = [token.slice(0, token.indexOf('-')), token.slice(token.indexOf('-') + 1).split('?')[0]];
    if (!HASHES[alg]) continue;
    const hash = new Uint8Array(await crypto.subtle.digest(HASHES[alg], bytes));
    if (btoa(String.fromCharCode(...hash)) === expected) return true;
  }
  return false;
}

/**
 * A response for `url` checked against `integrity`: a digest known now goes to fetch (the
 * browser's Subresource Integrity); one still on its way (`later`, the package's
 * dist/integrity.js) does not hold the download up: the bytes are checked when both are there,
 * through `check` (a promise that rejects on a mismatch).
 */
async function fetchWithDigest(url, integrity, later) {
  if (integrity || !globalThis.crypto?.subtle) {
    const res = await fetchChecked(url, integrity ?? (await later));
    return { res, check: Promise.resolve() };
  }
  const res = await fetchChecked(url);
  const copy = res.clone(); // before the body is read
  const check = later.then(async (digest) => {
    if (!digest) {
      await copy.body?.cancel();
      return;
    }
    if (!(await matchesDigest(await copy.arrayBuffer(), digest))) {
      throw engineError(`${url} does not match its integrity digest (a stale or damaged copy)`);
    }
  });
  check.catch(() => {});
  return { res, check };
}

async function compileWasm(url, integrity, later) {
  const { res, check } = await fetchWithDigest(url, integrity, later);
  const type = (res.headers.get('Content-Type') ?? '').split(';')[0].trim().toLowerCase();
  // Streaming compilation (while the bytes arrive) needs the right MIME type.
  const module = type === 'application/wasm' && WebAssembly.compileStreaming ? WebAssembly.compileStreaming(res) : res.arrayBuffer().then((b) => WebAssembly.compile(b));
  const [compiled] = await Promise.all([module, check]);
  return compiled;
}

async function fetchModel(url, integrity, later) {
  const { res, check } = await fetchWithDigest(url, integrity, later);
  const [bytes] = await Promise.all([res.arrayBuffer(), check]);
  return new Uint8Array(bytes);
}

async function loadEngine(config) {
  // The package's own files are checked against the digests the build wrote next to them,
  // fetched alongside (not before) the files themselves.
  const usesDefault = config.wasm === DEFAULT_URLS.wasm || config.model === DEFAULT_URLS.model;
  const digests = usesDefault ? import('./dist/integrity.js').then((m) => m.default ?? {}, () => ({})) : Promise.resolve({});
  const later = (what) => (config[what] === DEFAULT_URLS[what] ? digests.then((d) => d[what]) : Promise.resolve(undefined));
  const glue = import('./dist/lenet5.js');
  const module = compileWasm(config.wasm, config.integrity?.wasm, later('wasm'));
  const model = fetchModel(config.model, config.integrity?.model, later('model'));
  module.catch(() => {});
  model.catch(() => {}); // awaited below; not "unhandled" while the wasm compiles
  let js;
  try {
    const [glueModule, compiled] = await Promise.all([glue, module]);
    js = glueModule;
    const exports = await js.default({ module_or_path: compiled });
    // The module's static constructors, once (exported by the build rather than run before
    // every call into the module).
    exports.__wasm_call_ctors?.();
  } catch (err) {
    if (err?.kind === 'engine') throw err;
    throw engineError(
      `the WebAssembly recognizer did not start (${errorText(err)}); it needs a browser with WebAssembly SIMD (Chrome 91, Firefox 89, Safari 16.4 or newer)`,
      err,
    );
  }
  const bytes = await model;
  try {
    return new js.Recognizer(bytes);
  } catch (err) {
    throw engineError(`the model ${config.model} cannot be used (${errorText(err)})`, err);
  }
}

function absolute(url, base = document.baseURI) {
  return new URL(url instanceof URL ? url.href : String(url), base).href;
}

/** Which files the engine loads: the static setting, else the first element's attributes, else the defaults. */
function configFor(list) {
  if (chosen) return chosen;
  for (const el of list) {
    const wasm = el.getAttribute('wasm-src');
    const model = el.getAttribute('model-src');
    if (wasm || model) {
      const base = el.ownerDocument.baseURI;
      return { wasm: wasm ? absolute(wasm, base) : DEFAULT_URLS.wasm, model: model ? absolute(model, base) : DEFAULT_URLS.model, integrity: {} };
    }
  }
  return { ...DEFAULT_URLS, integrity: {} };
}

/** Start the engine once (from the elements connected so far); returns it. */
function startEngine() {
  if (engine) return engine;
  const config = configFor(elements);
  const e = { config, promise: null, recognizer: null, error: null };
  e.promise = loadEngine(config).then(
    (recognizer) => {
      e.recognizer = recognizer;
      for (const el of elements) el[ENGINE_CHANGED]();
      return undefined;
    },
    (err) => {
      e.error = err;
      console.error(`<digit-input>: ${err.message}`, err.cause ?? '');
      for (const el of elements) el[ENGINE_CHANGED]();
      throw err;
    },
  );
  e.promise.catch(() => {});
  engine = e;
  return e;
}

let startQueued = false;
/**
 * Start the engine a microtask after the first element connects, so a module that imports this
 * one and then sets `DigitInputElement.engine` (before any microtask runs) is in time.
 */
function queueStart() {
  if (engine || startQueued) return;
  startQueued = true;
  queueMicrotask(() => {
    startQueued = false;
    if (elements.size > 0) startEngine();
  });
}

// --- strokes -----------------------------------------------------------------------------------

/** A path of points [x, y, ...] cut to the box [0, w] x [0, h]: the runs of it inside. */
function clipToBox(pts, w, h) {
  const inside = ([x, y]) => x >= 0 && x <= w && y >= 0 && y <= h;
  if (pts.every(inside)) return [pts];
  const at = (a, b, s) => (s === 0 ? a : s === 1 ? b : a.map((v, j) => v + (b[j] - v) * s));
  const runs = [];
  let run = null;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1];
    const b = pts[i];
    const span = clipSegment(a, b, w, h);
    if (!span) {
      run = null;
      continue;
    }
    const [s0, s1] = span;
    if (!run || s0 > 0) {
      run = [at(a, b, s0)];
      runs.push(run);
    }
    run.push(at(a, b, s1));
    if (s1 < 1) run = null;
  }
  return runs;
}

/** The part [s0, s1] of the segment a-b inside [0, w] x [0, h] (Liang-Barsky), or null. */
function clipSegment([x0, y0], [x1, y1], w, h) {
  const dx = x1 - x0;
  const dy = y1 - y0;
  let s0 = 0;
  let s1 = 1;
  for (const [p, q] of [
    [-dx, x0],
    [dx, w - x0],
    [-dy, y0],
    [dy, h - y0],
  ]) {
    if (p === 0) {
      if (q < 0) return null;
      continue;
    }
    const r = q / p;
    if (p < 0) {
      if (r > s1) return null;
      if (r > s0) s0 = r;
    } else {
      if (r < s0) return null;
      if (r < s1) s1 = r;
    }
  }
  return [s0, s1];
}

// --- readings ------------------------------------------------------------------------------------

const EMPTY = Object.freeze({ value: '', digits: Object.freeze([]), sure: true, typed: false });

/** A result from the wasm side as a plain object (serde may hand over a Map). */
const plain = (v) => (v instanceof Map ? Object.fromEntries(v) : v);

function digitOf(d, box) {
  return Object.freeze({
    digit: d.digit,
    confidence: d.confidence,
    sure: d.sure !== false,
    runnerUp: d.runnerUp ?? null,
    runnerUpConfidence: d.runnerUpConfidence ?? 0,
    box: box ? Object.freeze({ x: box.x, y: box.y, width: box.width, height: box.height }) : null,
  });
}

function reading(digits, typed = false) {
  return Object.freeze({
    value: digits.map((d) => d.digit).join(''),
    digits: Object.freeze(digits),
    sure: digits.every((d) => d.sure),
    typed,
  });
}

function typedReading(text) {
  return reading(
    [...text].map((c) => digitOf({ digit: Number(c), confidence: 1, sure: true, runnerUp: null, runnerUpConfidence: 0 }, null)),
    true,
  );
}

function ordinal(n) {
  const teen = n % 100 >= 11 && n % 100 <= 13;
  return `${n}${teen ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' }[n % 10] ?? 'th')}`;
}

/** "Not sure — 4 or 9?" (with which digit, in a number), or '' when every digit is sure. */
function doubtText(r) {
  const doubtful = r.digits.map((d, i) => ({ ...d, i })).filter((d) => !d.sure);
  if (doubtful.length === 0) return '';
  const pair = (d) => [d.digit, d.runnerUp].filter((g) => g != null).join(' or ');
  if (r.digits.length === 1) return `Not sure — ${pair(doubtful[0])}?`;
  const which = doubtful.map((d) => ordinal(d.i + 1)).join(', ');
  return `Not sure — ${doubtful.map(pair).join(', ')}? (${which} digit${doubtful.length > 1 ? 's' : ''})`;
}

const key = (r) => `${r.value}|${r.digits.map((d) => (d.sure ? 1 : 0)).join('')}`;

// --- the element ---------------------------------------------------------------------------------

const CSS = `
:host {
  display: inline-block;
  position: relative;
  box-sizing: border-box;
  width: 20em;
  height: 7em;
  vertical-align: middle;
  border: 1px solid color-mix(in srgb, CanvasText 25%, transparent);
  border-radius: 0.5em;
  overflow: hidden;
  contain: content;
  touch-action: none;
  user-select: none;
  -webkit-user-select: none;
  -webkit-touch-callout: none;
  cursor: crosshair;
}
:host([hidden]) { display: none; }
:host(:disabled) { opacity: 0.55; cursor: not-allowed; }
.field { position: absolute; inset: 0; border-radius: inherit; }
.field:focus { outline: none; }
.field:focus-visible { outline: 2px solid var(--digit-input-accent, Highlight); outline-offset: -3px; }
canvas {
  position: absolute;
  inset: 0;
  display: block;
  width: 100%;
  height: 100%;
  touch-action: none;
  color: var(--digit-input-ink, CanvasText);
  background-color: var(--digit-input-paper, Canvas);
  border-top: 0 solid var(--digit-input-accent, #2f6f8f);
  border-bottom: 0 solid var(--digit-input-unsure, #b45f06);
}
button {
  position: absolute;
  top: 0.25em;
  right: 0.25em;
  min-width: 1.8em;
  min-height: 1.8em;
  padding: 0 0.4em;
  border: 0;
  border-radius: 0.4em;
  font: inherit;
  font-size: 0.85em;
  line-height: 1;
  color: inherit;
  background: color-mix(in srgb, currentColor 10%, transparent);
  cursor: pointer;
}
button[hidden] { display: none; }
.live, .value {
  position: absolute;
  width: 1px;
  height: 1px;
  overflow: hidden;
  clip-path: inset(50%);
  white-space: nowrap;
}
`;

let sheet = null;
function styleSheet() {
  if (!sheet) {
    sheet = new CSSStyleSheet();
    sheet.replaceSync(CSS);
  }
  return sheet;
}

/** `input` and `change` from a <digit-input>: the reading, on the event. */
export class DigitInputEvent extends Event {
  constructor(type, r, init = {}) {
    super(type, { bubbles: true, composed: type === 'input', ...init });
    /** The number read ('' when nothing is). */
    this.value = r.value;
    /** The digits left to right: { digit, confidence, sure, runnerUp, runnerUpConfidence, box }. */
    this.digits = r.digits;
    /** Every digit passed the "not sure" rule (true when empty). */
    this.sure = r.sure;
    /** The value was typed (keyboard or the `value` property), not written. */
    this.typed = r.typed;
  }
}

export class DigitInputElement extends HTMLElement {
  static formAssociated = true;
  static observedAttributes = ['digits', 'required', 'placeholder', 'aria-label', 'aria-labelledby'];

  /**
   * Where the page's engine comes from: `{ wasm, model, integrity?: { wasm, model } }` (URLs
   * relative to the document). Set it before the first element connects (in the module that
   * imports this one); null goes back to the defaults. Reads the setting in use.
   */
  static get engine() {
    const c = engine?.config ?? chosen ?? DEFAULT_URLS;
    return { wasm: c.wasm, model: c.model, integrity: { ...(c.integrity ?? {}) }, started: engine !== null };
  }

  static set engine(value) {
    const next = value
      ? {
          wasm: value.wasm ? absolute(value.wasm) : DEFAULT_URLS.wasm,
          model: value.model ? absolute(value.model) : DEFAULT_URLS.model,
          integrity: { ...(value.integrity ?? {}) },
        }
      : null;
    if (engine) {
      const now = engine.config;
      const same = next && next.wasm === now.wasm && next.model === now.model;
      if (!same) {
        throw new Error(
          '<digit-input>: the engine has already started with other files; set DigitInputElement.engine before the first element connects',
        );
      }
      return;
    }
    chosen = next;
  }

  /** Start loading the engine now (before any element connects); resolves when it is ready. */
  static preload() {
    return startEngine().promise;
  }

  /** The default wasm and model URLs (next to this module). */
  static get defaults() {
    return { ...DEFAULT_URLS };
  }

  #internals;
  #field;
  #valueText;
  #canvas;
  #ctx;
  #clearButton;
  #live;
  #box = { width: 0, height: 0 }; // CSS size of the pad
  #resize = null;

  /** Points [u, v, t]: v = y / height, u = (x - width / 2) / height (box at drawing time), t in ms. */
  #strokes = [];
  #aspect = 0; // the widest aspect the strokes were drawn on
  #current = null;
  #pointerId = null;
  #startTime = 0;
  #rect = null;
  #typed = null; // the typed digits, or null when the value is written

  #reading = EMPTY;
  #readFailure = null; // an Error from the recognizer for the current strokes
  #pending = false; // strokes not read yet: the engine is not ready
  #version = 0; // bumped on every change to the strokes or typed text
  #readVersion = -1; // the version #reading is of
  #readSize = '';
  #frame = 0;
  #settleTimer = 0;
  #announceTimer = 0;
  #committed = EMPTY; // the reading of the last `change` (or reset / programmatic value)
  #needsInput = false; // a user change not yet reported with `input`
  #needsCommit = false; // a user change not yet reported with `change`
  #disabled = false;
  #customMessage = '';
  #touched = false;
  #announced = '';

  constructor() {
    super();
    this.#internals = this.attachInternals();
    // The host delegates focus to .field, the textbox (role, name, value, states) screen readers
    // see: its value is the number read (the text of .value), its name the host's <label>s.
    const root = this.attachShadow({ mode: 'open', delegatesFocus: true });
    root.adoptedStyleSheets = [styleSheet()];
    this.#field = document.createElement('div');
    this.#field.className = 'field';
    this.#field.setAttribute('part', 'field');
    this.#field.setAttribute('role', 'textbox');
    this.#field.tabIndex = 0;
    this.#valueText = document.createElement('span');
    this.#valueText.className = 'value';
    this.#canvas = document.createElement('canvas');
    this.#canvas.setAttribute('part', 'pad');
    this.#canvas.setAttribute('aria-hidden', 'true');
    this.#ctx = this.#canvas.getContext('2d');
    this.#clearButton = document.createElement('button');
    this.#clearButton.type = 'button';
    this.#clearButton.tabIndex = -1; // keyboard users have Escape; pointer users tap it
    this.#clearButton.setAttribute('part', 'clear');
    this.#clearButton.setAttribute('aria-label', 'Clear');
    this.#clearButton.textContent = '✕';
    this.#clearButton.hidden = true;
    this.#live = document.createElement('div');
    this.#live.className = 'live';
    this.#live.setAttribute('role', 'status');
    this.#live.setAttribute('aria-live', 'polite');
    this.#live.setAttribute('aria-atomic', 'true');
    this.#field.append(this.#canvas, this.#valueText);
    root.append(this.#field, this.#clearButton, this.#live);
    this.#listen();
    this.#setStates();
  }

  // --- lifecycle ---

  connectedCallback() {
    this.#updateName();
    this.#field.ariaRequired = String(this.required);
    elements.add(this);
    if (engine) {
      const wasm = this.getAttribute('wasm-src');
      const model = this.getAttribute('model-src');
      const base = this.ownerDocument.baseURI;
      if ((wasm && absolute(wasm, base) !== engine.config.wasm) || (model && absolute(model, base) !== engine.config.model)) {
        console.warn('<digit-input>: one engine per page; this element uses the one already started', engine.config);
      }
    }
    queueStart();
    this.#resize ??= new ResizeObserver(() => this.#fit());
    this.#resize.observe(this.#canvas);
    this.#fit(true);
  }

  disconnectedCallback() {
    elements.delete(this);
    this.#resize?.disconnect();
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#endStroke();
    clearTimeout(this.#settleTimer);
    clearTimeout(this.#announceTimer);
  }

  attributeChangedCallback(name) {
    if (name === 'required') this.#field.ariaRequired = String(this.required);
    if (name === 'aria-label' || name === 'aria-labelledby') this.#updateName();
    if (name === 'placeholder') this.#field.ariaPlaceholder = this.placeholder || null;
    this.#syncForm();
    this.#render();
  }

  formAssociatedCallback() {
    this.#updateName();
  }

  formDisabledCallback(disabled) {
    this.#disabled = disabled;
    if (disabled) this.#endStroke();
    this.#field.tabIndex = disabled ? -1 : 0;
    this.#field.ariaDisabled = disabled ? 'true' : null;
    this.#setStates();
    this.#render();
  }

  formResetCallback() {
    this.#clearAll();
    this.#touched = false;
    this.#reset();
  }

  /** The engine is ready, or failed. */
  [ENGINE_CHANGED]() {
    this.#update();
  }

  // --- properties ---

  get value() {
    return this.#reading.value;
  }

  /** Sets a typed value (digits only; anything else clears): no events, like a native input. */
  set value(v) {
    const text = String(v ?? '');
    this.#endStroke();
    this.#strokes = [];
    this.#aspect = 0;
    this.#typed = /^[0-9]+$/.test(text) ? text : null;
    this.#changed();
    this.#reset();
  }

  get name() {
    return this.getAttribute('name') ?? '';
  }
  set name(v) {
    this.setAttribute('name', v);
  }

  /** How many digits are expected (0: any number). */
  get digits() {
    const n = Number.parseInt(this.getAttribute('digits') ?? '', 10);
    return Number.isFinite(n) && n > 0 ? n : 0;
  }
  set digits(n) {
    const v = Math.floor(Number(n));
    if (v > 0) this.setAttribute('digits', String(v));
    else this.removeAttribute('digits');
  }

  get required() {
    return this.hasAttribute('required');
  }
  set required(v) {
    this.toggleAttribute('required', Boolean(v));
  }

  get disabled() {
    return this.hasAttribute('disabled');
  }
  set disabled(v) {
    this.toggleAttribute('disabled', Boolean(v));
  }

  get placeholder() {
    return this.getAttribute('placeholder') ?? '';
  }
  set placeholder(v) {
    this.setAttribute('placeholder', v);
  }

  get type() {
    return 'digit-input';
  }

  /** The current reading: { value, digits, sure, typed }. */
  get reading() {
    return this.#reading;
  }

  /** Every digit read passed the "not sure" rule (true when empty). */
  get sure() {
    return this.#reading.sure;
  }

  /** How many strokes are on the pad. */
  get strokeCount() {
    return this.#strokes.length;
  }

  /** Resolves when the page's engine is ready (rejects if it failed to load). */
  get ready() {
    return startEngine().promise;
  }

  get form() {
    return this.#internals.form;
  }
  get labels() {
    return this.#internals.labels;
  }
  get validity() {
    return this.#internals.validity;
  }
  get validationMessage() {
    return this.#internals.validationMessage;
  }
  get willValidate() {
    return this.#internals.willValidate;
  }
  checkValidity() {
    return this.#internals.checkValidity();
  }
  reportValidity() {
    this.#markTouched();
    return this.#internals.reportValidity();
  }
  /** Your own message (as on native fields), shown before the element's; '' removes it. */
  setCustomValidity(message) {
    this.#customMessage = String(message ?? '');
    this.#syncForm();
  }

  /** Clear the writing (no events, like setting a native input's value). */
  clear() {
    this.#clearAll();
    this.#reset();
  }

  /** Take back the last stroke (or the last typed digit); no events. */
  undo() {
    if (this.#undoOne()) this.#reset();
  }

  // --- state ---

  #changed() {
    this.#version += 1;
  }

  #clearAll() {
    this.#endStroke();
    const had = this.#strokes.length > 0 || this.#typed !== null;
    this.#strokes = [];
    this.#aspect = 0;
    this.#typed = null;
    if (had) this.#changed();
    return had;
  }

  #undoOne() {
    if (this.#pointerId !== null) return false;
    if (this.#typed !== null) {
      this.#typed = this.#typed.length > 1 ? this.#typed.slice(0, -1) : null;
    } else if (this.#strokes.length > 0) {
      this.#strokes.pop();
      if (this.#strokes.length === 0) this.#aspect = 0;
    } else {
      return false;
    }
    this.#changed();
    return true;
  }

  /** After a programmatic change or a form reset: read now, no events, nothing pending. */
  #reset() {
    clearTimeout(this.#settleTimer);
    this.#needsInput = false;
    this.#needsCommit = false;
    this.#update();
    this.#committed = this.#reading;
    this.#announce('');
  }

  #hasInk() {
    return this.#strokes.length > 0;
  }

  // --- reading ---

  /**
   * Read the strokes (or the typed text) if they changed since the last reading. False while
   * the writing cannot be read yet (the engine is loading, or failed).
   */
  #read() {
    const size = `${this.#box.width}x${this.#box.height}`;
    const ready = engine?.recognizer ?? null;
    const fresh = this.#readVersion === this.#version && this.#readSize === size;
    if (fresh && (!this.#pending || !ready)) return !this.#pending;
    if (this.#typed !== null) {
      this.#setReading(typedReading(this.#typed), null, size);
      return true;
    }
    if (!this.#hasInk()) {
      this.#setReading(EMPTY, null, size);
      return true;
    }
    if (!ready) {
      // The engine is loading (or failed): nothing read yet.
      this.#setReading(EMPTY, null, size);
      this.#pending = true;
      return false;
    }
    const { strokes, penWidth } = this.#forRecognizer();
    if (strokes.length === 0) {
      this.#setReading(EMPTY, null, size);
      return true;
    }
    try {
      const read = ready.readStrokes(strokes, penWidth, 3, false);
      const digits = Array.from(read?.number?.digits ?? [], plain);
      let r;
      if (digits.length <= 1) {
        // One digit: the whole drawing read as one digit (readStrokes' focus).
        const one = plain(read.focus);
        r = one.empty || one.digit == null ? EMPTY : reading([digitOf(one, digits[0] ?? plain(one.rect))]);
      } else {
        r = reading(digits.map((d) => digitOf(d, d)));
      }
      this.#setReading(r, null, size);
    } catch (err) {
      console.warn('<digit-input>: could not read the writing', err);
      this.#setReading(EMPTY, err, size);
    }
    return true;
  }

  #setReading(r, failure, size) {
    this.#reading = r;
    this.#readFailure = failure;
    this.#readVersion = this.#version;
    this.#readSize = size;
    this.#pending = false;
  }

  /** The strokes for the recognizer: CSS pixels of the pad as it is now, cut at its edges. */
  #forRecognizer() {
    const { width: w, height: h } = this.#box;
    const k = h * this.#scale(w, h);
    const strokes = [];
    for (const stroke of this.#strokes) {
      const pts = stroke.map(([u, v, t]) => [w / 2 + u * k, h / 2 + (v - 0.5) * k, t]);
      for (const run of clipToBox(pts, w, h)) {
        const flat = new Float32Array(run.length * 3);
        run.forEach((p, i) => flat.set(p, i * 3));
        strokes.push(flat);
      }
    }
    return { strokes, penWidth: this.#penWidth() };
  }

  /** Read, draw, update the form and the states; report a user change with `input`. */
  #update() {
    const read = this.#read();
    this.#render();
    this.#syncForm();
    if (!read) return; // not read yet: the events wait for the engine
    if (this.#needsInput) {
      this.#needsInput = false;
      this.dispatchEvent(new DigitInputEvent('input', this.#reading));
    }
    if (this.#needsCommit && this.#pointerId === null) {
      clearTimeout(this.#settleTimer);
      this.#settleTimer = setTimeout(() => this.#commit(), SETTLE_MS);
    }
  }

  /** The writing settled: `change` if the reading differs from the last one reported. */
  #commit() {
    clearTimeout(this.#settleTimer);
    if (!this.#needsCommit || this.#pointerId !== null) return;
    if (this.#pending) return; // reported once the engine is ready
    this.#needsCommit = false;
    this.#markTouched();
    const r = this.#reading;
    if (!this.#reading.typed) this.#announce(this.#announcement(r));
    if (key(r) !== key(this.#committed)) {
      this.#committed = r;
      this.dispatchEvent(new DigitInputEvent('change', r));
    }
  }

  #userChanged({ now = false } = {}) {
    this.#needsInput = true;
    this.#needsCommit = true;
    clearTimeout(this.#settleTimer);
    if (now) this.#renderNow();
    else this.#schedule();
  }

  #announcement(r) {
    if (this.#readFailure) return 'Could not read the writing';
    if (!this.#hasInk()) return '';
    if (r.value === '') return 'No digit found';
    const doubt = doubtText(r);
    return `Reads ${r.value}.${doubt ? ` ${doubt}` : ''}`;
  }

  /** Say `text` in the live region (once; '' forgets, so the same reading is said again next time). */
  #announce(text) {
    clearTimeout(this.#announceTimer);
    if (text === '' || text === this.#announced) {
      if (text === '') this.#announced = '';
      return;
    }
    this.#announced = text;
    // Emptied first, so a repeated text is spoken again.
    this.#live.textContent = '';
    this.#announceTimer = setTimeout(() => {
      this.#live.textContent = text;
    }, 50);
  }

  #markTouched() {
    if (this.#touched) return;
    this.#touched = true;
    this.#syncForm();
  }

  // --- form ---

  #validity() {
    const r = this.#reading;
    const n = this.digits;
    if (this.#customMessage) return [{ customError: true }, this.#customMessage];
    if (this.#hasInk() && !r.typed) {
      if (engine?.error) return [{ customError: true }, `The handwriting reader could not load: ${engine.error.message}`];
      if (this.#pending || !engine?.recognizer) return [{ customError: true }, 'Still reading what you wrote; try again in a moment.'];
      if (this.#readFailure) return [{ customError: true }, `Could not read what you wrote: ${errorText(this.#readFailure)}`];
    }
    const what = n ? `${n} digit${n === 1 ? '' : 's'}` : 'a number';
    if (r.value === '') {
      if (!this.required) return [{}, ''];
      return [{ valueMissing: true }, this.#hasInk() ? `No digit found: write ${what} here.` : `Write ${what} here.`];
    }
    if (n && r.value.length !== n) {
      const flag = r.value.length < n ? { tooShort: true } : { tooLong: true };
      return [flag, `Write ${what}; this reads ${r.value.length} (${r.value}).`];
    }
    const doubt = doubtText(r);
    if (doubt) return [{ customError: true }, `${doubt} Write it again more clearly.`];
    return [{}, ''];
  }

  #syncForm() {
    this.#internals.setFormValue(this.#reading.value);
    const [flags, message] = this.#validity();
    if (message) this.#internals.setValidity(flags, message, this.#canvas);
    else this.#internals.setValidity({});
    this.#field.ariaInvalid = this.#touched && message ? 'true' : null;
    if (this.#valueText.textContent !== this.#reading.value) this.#valueText.textContent = this.#reading.value;
    this.#setStates();
  }

  #setStates() {
    const states = this.#internals.states;
    if (!states) return;
    const set = (name, on) => {
      try {
        if (on) states.add(name);
        else states.delete(name);
      } catch {
        // an older browser wants --name; the states are a styling nicety
      }
    };
    const empty = !this.#hasInk() && this.#typed === null;
    set('empty', empty);
    set('drawing', this.#pointerId !== null);
    set('typed', this.#typed !== null);
    set('unsure', !this.#reading.sure);
    set('loading', !engine?.recognizer && !engine?.error);
    set('ready', Boolean(engine?.recognizer));
    set('error', Boolean(engine?.error));
    set('user-invalid', this.#touched && !this.#internals.validity.valid);
    this.#clearButton.hidden = empty || this.#disabled;
  }

  /**
   * The textbox's name: the host's aria-labelledby, aria-label or <label>s (referenced across
   * the shadow boundary where the browser can, else copied as text); else a default name.
   */
  #updateName() {
    const f = this.#field;
    const root = this.getRootNode();
    const byIds = (this.getAttribute('aria-labelledby') ?? '')
      .split(/\s+/)
      .map((id) => (id && typeof root.getElementById === 'function' ? root.getElementById(id) : null))
      .filter(Boolean);
    const labels = byIds.length > 0 ? byIds : this.hasAttribute('aria-label') ? [] : [...(this.#internals.labels ?? [])];
    const reflect = 'ariaLabelledByElements' in Element.prototype;
    if (reflect) f.ariaLabelledByElements = labels.length > 0 ? labels : null;
    if (labels.length === 0) f.ariaLabel = this.getAttribute('aria-label') || 'Handwritten number';
    else f.ariaLabel = reflect ? null : labels.map((l) => l.textContent.trim()).join(' ');
    f.ariaDescription = 'Write digits with a mouse, finger or pen, or type them. Escape clears, Backspace undoes.';
  }

  // --- drawing ---

  #scale(w, h) {
    return this.#aspect > 0 ? Math.min(1, w / h / this.#aspect) : 1;
  }

  /** The pen width in CSS pixels: --digit-input-pen-width as px, %, or a fraction of the shorter side. */
  #penWidth() {
    const { width: w, height: h } = this.#box;
    const raw = getComputedStyle(this).getPropertyValue('--digit-input-pen-width').trim();
    let px = Math.min(w, h) * DEFAULT_PEN;
    const m = /^(\d*\.?\d+)(px|%)?$/.exec(raw);
    if (m) {
      const v = Number(m[1]);
      if (m[2] === 'px') px = v;
      else if (m[2] === '%') px = (Math.min(w, h) * v) / 100;
      else px = Math.min(w, h) * v;
    }
    return Math.max(1, px * this.#scale(w, h));
  }

  #fit(force = false) {
    const r = this.#canvas.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) return;
    const dpr = Math.min(window.devicePixelRatio || 1, MAX_DPR);
    const w = Math.max(1, Math.round(r.width * dpr));
    const h = Math.max(1, Math.round(r.height * dpr));
    const resized = r.width !== this.#box.width || r.height !== this.#box.height;
    this.#box = { width: r.width, height: r.height };
    if (force || resized || w !== this.#canvas.width || h !== this.#canvas.height) {
      this.#canvas.width = w;
      this.#canvas.height = h;
      this.#update();
    }
  }

  #schedule() {
    if (this.#frame) return;
    this.#frame = requestAnimationFrame(() => {
      this.#frame = 0;
      this.#update();
    });
  }

  #renderNow() {
    if (this.#frame) cancelAnimationFrame(this.#frame);
    this.#frame = 0;
    this.#update();
  }

  #colors() {
    const s = getComputedStyle(this.#canvas);
    return { ink: s.color, paper: s.backgroundColor, accent: s.borderTopColor, unsure: s.borderBottomColor, font: s.fontFamily };
  }

  #render() {
    const ctx = this.#ctx;
    const { width: w, height: h } = this.#box;
    if (!ctx || w === 0 || h === 0) return;
    const c = this.#colors();
    const dpr = this.#canvas.width / w;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.fillStyle = c.paper;
    ctx.fillRect(0, 0, this.#canvas.width, this.#canvas.height);
    ctx.setTransform(dpr, 0, 0, this.#canvas.height / h, 0, 0);
    if (this.#typed !== null) {
      ctx.fillStyle = c.ink;
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      ctx.font = `${Math.round(Math.min(h * 0.6, (w * 0.9) / Math.max(1, this.#typed.length) / 0.8))}px ${c.font}`;
      ctx.fillText(this.#typed, w / 2, h / 2);
      return;
    }
    if (this.#strokes.length === 0) {
      if (this.placeholder) {
        ctx.globalAlpha = 0.5;
        ctx.fillStyle = c.ink;
        ctx.textAlign = 'center';
        ctx.textBaseline = 'middle';
        ctx.font = `${Math.round(Math.min(h * 0.22, 20))}px ${c.font}`;
        ctx.fillText(this.placeholder, w / 2, h / 2, w * 0.9);
      }
      return;
    }
    const pen = this.#penWidth();
    const k = h * this.#scale(w, h);
    ctx.lineWidth = pen;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = c.ink;
    ctx.fillStyle = c.ink;
    for (const stroke of this.#strokes) {
      const pts = stroke.map(([u, v]) => [w / 2 + u * k, h / 2 + (v - 0.5) * k]);
      if (pts.length === 1) {
        ctx.beginPath();
        ctx.arc(pts[0][0], pts[0][1], pen / 2, 0, Math.PI * 2);
        ctx.fill();
        continue;
      }
      // Quadratic smoothing: curves through the midpoints, controlled by the samples.
      ctx.beginPath();
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (let i = 1; i < pts.length - 1; i++) {
        const [cx, cy] = pts[i];
        const [nx, ny] = pts[i + 1];
        ctx.quadraticCurveTo(cx, cy, (cx + nx) / 2, (cy + ny) / 2);
      }
      const last = pts[pts.length - 1];
      ctx.lineTo(last[0], last[1]);
      ctx.stroke();
    }
    this.#renderBoxes(c, pen);
  }

  /** A thin box around each digit read, labelled with the digit ("4?" when not sure). */
  #renderBoxes(c, pen) {
    const ctx = this.#ctx;
    const size = Math.max(10, Math.min(16, this.#box.height * 0.14));
    ctx.font = `600 ${Math.round(size)}px ${c.font}`;
    ctx.textAlign = 'left';
    ctx.textBaseline = 'top';
    ctx.lineWidth = 1;
    ctx.setLineDash([4, 3]);
    for (const d of this.#reading.digits) {
      if (!d.box) continue;
      const color = d.sure ? c.accent : c.unsure;
      const m = pen / 2 + 2;
      const x = d.box.x - m;
      const y = d.box.y - m;
      ctx.globalAlpha = 0.7;
      ctx.strokeStyle = color;
      ctx.strokeRect(x, y, d.box.width + 2 * m, d.box.height + 2 * m);
      ctx.globalAlpha = 1;
      ctx.fillStyle = color;
      const label = d.sure ? String(d.digit) : `${d.digit}?`;
      // Above the box; where there is no room, left of it; else inside its corner.
      const lw = ctx.measureText(label).width;
      if (y - size - 2 >= 0) ctx.fillText(label, Math.max(2, x + 2), y - size - 2);
      else if (x - lw - 3 >= 0) ctx.fillText(label, x - lw - 3, Math.max(2, y));
      else ctx.fillText(label, x + 2, y + 2);
    }
    ctx.setLineDash([]);
  }

  // --- input ---

  #point(e) {
    const r = this.#rect;
    const k = r.height * this.#scale(r.width, r.height);
    return [(e.clientX - r.left - r.width / 2) / k, 0.5 + (e.clientY - r.top - r.height / 2) / k, Math.max(0, e.timeStamp - this.#startTime)];
  }

  #add(point, force = false) {
    const s = this.#current;
    const [lx, ly] = s[s.length - 1];
    if (!force && Math.hypot(point[0] - lx, point[1] - ly) < MIN_STEP) return false;
    if (force && point[0] === lx && point[1] === ly) return false;
    s.push(point);
    this.#changed();
    return true;
  }

  #endStroke() {
    const id = this.#pointerId;
    this.#pointerId = null;
    this.#current = null;
    if (id !== null && this.#canvas.hasPointerCapture?.(id)) this.#canvas.releasePointerCapture(id);
    this.#setStates();
  }

  #listen() {
    const c = this.#canvas;
    c.addEventListener('pointerdown', (e) => {
      if (this.#disabled || this.#pointerId !== null || e.button !== 0) return;
      e.preventDefault();
      this.focus({ preventScroll: true });
      try {
        c.setPointerCapture(e.pointerId);
      } catch {
        // the pointer may be gone already; drawing works without capture
      }
      clearTimeout(this.#settleTimer);
      if (this.#typed !== null) {
        this.#typed = null; // writing replaces a typed value
        this.#changed();
      }
      this.#pointerId = e.pointerId;
      this.#rect = c.getBoundingClientRect();
      if (this.#rect.height > 0) this.#aspect = Math.max(this.#aspect, this.#rect.width / this.#rect.height);
      if (this.#strokes.length === 0) this.#startTime = e.timeStamp;
      this.#current = [this.#point(e)];
      this.#strokes.push(this.#current);
      this.#changed();
      this.#setStates();
      this.#userChanged();
    });
    c.addEventListener('pointermove', (e) => {
      if (e.pointerId !== this.#pointerId) return;
      e.preventDefault();
      this.#rect = c.getBoundingClientRect();
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      let changed = false;
      for (const ev of events.length > 0 ? events : [e]) changed = this.#add(this.#point(ev)) || changed;
      if (changed) this.#userChanged();
    });
    const finish = (e) => {
      if (e.pointerId !== this.#pointerId) return;
      if (e.type === 'pointerup') {
        this.#rect = c.getBoundingClientRect();
        this.#add(this.#point(e), true);
      }
      this.#endStroke();
      this.#userChanged({ now: true });
    };
    c.addEventListener('pointerup', finish);
    c.addEventListener('pointercancel', finish);
    c.addEventListener('lostpointercapture', finish);
    c.addEventListener('contextmenu', (e) => e.preventDefault());
    c.addEventListener('dragstart', (e) => e.preventDefault());
    const noScroll = (e) => {
      if (e.cancelable) e.preventDefault();
    };
    c.addEventListener('touchstart', noScroll, { passive: false });
    c.addEventListener('touchmove', noScroll, { passive: false });

    this.#clearButton.addEventListener('click', () => {
      if (this.#disabled || !this.#clearAll()) return;
      this.#userChanged({ now: true });
      this.focus({ preventScroll: true });
    });

    this.addEventListener('keydown', (e) => this.#key(e));
    this.addEventListener('focusout', () => this.#commit());
    this.addEventListener('focusin', () => this.#updateName()); // labels added after connecting
    this.addEventListener('invalid', () => this.#markTouched());
  }

  #key(e) {
    if (this.#disabled || e.defaultPrevented || e.isComposing || e.altKey) return;
    const mod = e.ctrlKey || e.metaKey;
    let acted = false;
    if (e.key === 'Escape' || (e.key === 'Delete' && !mod)) {
      acted = this.#clearAll();
    } else if (e.key === 'Backspace' || (mod && !e.shiftKey && e.key.toLowerCase() === 'z')) {
      acted = this.#undoOne();
    } else if (/^[0-9]$/.test(e.key) && !mod) {
      const n = this.digits;
      const text = this.#typed ?? '';
      if (this.#pointerId === null && (!n || text.length < n)) {
        if (this.#typed === null && this.#hasInk()) this.#clearAll(); // typing replaces the writing
        this.#typed = text + e.key;
        this.#changed();
        acted = true;
      } else {
        e.preventDefault();
        return;
      }
    } else if (e.key === 'Enter' && !mod) {
      e.preventDefault();
      this.#commit();
      this.#internals.form?.requestSubmit();
      return;
    } else {
      return;
    }
    if (!acted) return; // nothing to clear or undo: the key is the page's (Escape closes a dialog)
    e.preventDefault();
    this.#userChanged({ now: true });
  }
}

if (!customElements.get('digit-input')) customElements.define('digit-input', DigitInputElement);

export default DigitInputElement;
