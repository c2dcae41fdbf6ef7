// Where each model runs, and what happens when its engine breaks: the one place the page
// creates recognizers.
//
// - The page's own model (the built-in one, or your personal one learnt from it) runs on the
//   main thread, on an instance of the page's wasm module that runs nothing else, so a reading
//   takes a synchronous call (LocalRecognizer).
// - A model you choose (the picker, a dropped file, ?model=) is parsed, planned and run in a
//   dedicated module Worker of its own (WorkerRecognizer): a long build cannot freeze the page,
//   and whatever it does to its module's memory cannot reach the built-in model's. The worker
//   must answer within `limits`, or it is stopped and the page says so; the previous model
//   stays in use. Stopping the worker returns all of its memory.
// - A module that trapped (a Rust panic surfaces as `unreachable`, a bad access as "memory
//   access out of bounds") is in an unknown state and is never called again: any exception
//   from a call that is not one of the crate's own errors (those carry a `kind`) discards the
//   instance (or the worker), and the model is rebuilt from its bytes on a fresh one.
import { errorText, loading } from './loader.js';
import { trustedScriptUrl } from './trusted.js';

/** How many times a model's worker is restarted after a crash or a timeout before the page gives up on it. */
const MAX_RESTARTS = 2;

/** How long a model's worker may take: to build the model (with one test reading), and per reading. */
export const limits = { loadMs: 10_000, readMs: 5_000 };

/** Whether an exception from a call into a module leaves that module in an unknown state. */
export function isCrash(err) {
  return !(err instanceof Error && typeof err.kind === 'string' && err.kind !== '');
}

// --- the page's own model: main-thread instances of the page's module ----------------

/** Every main-thread instance made (`{ glue, exports, dead }`), for memory reports. */
const instances = [];
let home = null; // Promise of the healthy instance the page's own models run on
let made = 0;

/**
 * Keeps `instance` for memory reports, with its module's own `readStrokes` as it was at load
 * (warmUp calls that one, whatever wraps the prototype later).
 */
function keep(instance) {
  instance.readStrokes = instance.glue.Recognizer.prototype.readStrokes;
  instances.push(instance);
  return instance;
}

async function firstInstance() {
  return keep(await loading.wasm);
}

/**
 * A fresh instance of the page's module: its compiled code is shared, its memory and state are
 * new. wasm-bindgen's glue keeps one instance per JS module, so the glue is imported again
 * under an address of its own (the service worker serves it from its plain path offline).
 */
async function freshInstance() {
  const { module } = await loading.wasm;
  made += 1;
  const glue = await import(new URL(`./pkg/lenet5.js?instance=${made}`, import.meta.url).href);
  const exports = await glue.default({ module_or_path: module });
  exports.__wasm_call_ctors?.();
  return keep({ glue, exports, module, dead: false });
}

function homeInstance() {
  home ??= firstInstance();
  return home.then((instance) => {
    if (!instance.dead) return instance;
    home = freshInstance();
    home.catch(() => {
      home = null; // a later call tries again
    });
    return home;
  });
}

/** A Recognizer of `instance` on `bytes`; a crash while building marks the instance dead. */
function build(instance, bytes) {
  try {
    return new instance.glue.Recognizer(bytes);
  } catch (err) {
    if (isCrash(err)) instance.dead = true;
    throw err;
  }
}

/**
 * A Recognizer of the page's module (the built-in or your personal model), with the same
 * methods. A call that crashes the module marks its instance dead and throws an Error saying
 * so; the model is rebuilt on a fresh instance and `onRestart` is called when it is ready (the
 * other recognizers on the dead instance are rebuilt on their next call).
 */
export class LocalRecognizer {
  #bytes;
  #instance;
  #inner;
  #restarting = null;
  #failed = null;
  #onRestart;

  constructor(bytes, instance, inner, onRestart) {
    this.#bytes = bytes;
    this.#instance = instance;
    this.#inner = inner;
    this.#onRestart = onRestart;
  }

  /** The page's own model on a healthy instance; throws the crate's Error for a bad model. */
  static async create(bytes, { onRestart = () => {}, inner = null } = {}) {
    const instance = await homeInstance();
    return new LocalRecognizer(bytes, instance, inner ?? build(instance, bytes), onRestart);
  }

  #restart(why) {
    this.#inner = null;
    if (this.#failed) return this.#failed;
    this.#restarting ??= (async () => {
      try {
        const instance = await homeInstance();
        this.#inner = build(instance, this.#bytes);
        this.#instance = instance;
        this.#onRestart();
      } catch (err) {
        // Once is enough: a model that crashes a fresh module too is not rebuilt again.
        this.#failed = new Error(`the recognizer could not be rebuilt (${errorText(err)}); reload the page`, { cause: err });
        console.error('could not restart the recognizer', err);
      } finally {
        this.#restarting = null;
      }
    })();
    return new Error(
      `the recognizer stopped (${why}) and is being restarted with the same model; draw again in a moment`,
      { cause: why },
    );
  }

  /** `args` null reads a getter. */
  #call(method, args) {
    if (!this.#inner || this.#instance.dead) throw this.#restart('its module had failed');
    try {
      const inner = this.#inner;
      return args === null ? inner[method] : inner[method](...args);
    } catch (err) {
      if (!isCrash(err)) throw err;
      this.#instance.dead = true;
      console.error(`the recognizer's module failed in ${method}; it is discarded`, err);
      throw this.#restart(errorText(err));
    }
  }

  readStrokes(...args) {
    return this.#call('readStrokes', args);
  }
  recognizeStrokes(...args) {
    return this.#call('recognizeStrokes', args);
  }
  recognizeNumberStrokes(...args) {
    return this.#call('recognizeNumberStrokes', args);
  }
  recognize(...args) {
    return this.#call('recognize', args);
  }
  recognizeNumber(...args) {
    return this.#call('recognizeNumber', args);
  }
  featureMaps(...args) {
    return this.#call('featureMaps', args);
  }
  predict(...args) {
    return this.#call('predict', args);
  }
  metadata() {
    return this.#call('metadata', []);
  }
  get hasFeatureMaps() {
    try {
      return this.#call('hasFeatureMaps', null) !== false;
    } catch {
      return false;
    }
  }

  free() {
    const inner = this.#inner;
    this.#inner = null;
    this.#onRestart = () => {};
    if (inner && !this.#instance.dead) inner.free();
  }
}

// --- warming the page's module up ------------------------------------------------------

/**
 * Reads a made-up number being written, `readings` times, on a throwaway recognizer of `bytes`
 * on the page's own module, in idle time (at most `sliceMs` per idle period). V8 first runs a
 * module's functions as its baseline compiler made them and compiles the hot ones with its
 * optimising tier only after they have run a while; warmed up, the first drawing's live
 * readings are as quick as later ones (docs/performance.md, "A reading per frame").
 *
 * Stops as soon as `signal` aborts (the pen touches the pad: real readings warm it up from
 * then on and must not wait) or a reading fails. It calls the module's own `readStrokes` as it
 * was at load, so nothing that wraps the page's readings sees these. A crash marks the
 * instance dead and says so, as any crash does: the page's recognizer is rebuilt on its next
 * reading. Resolves to the number of readings made.
 */
export async function warmUp(bytes, { signal, readings = 60, sliceMs = 8 } = {}) {
  const instance = await homeInstance();
  if (signal?.aborted || instance.dead) return 0;
  const crashed = (err) => {
    instance.dead = true;
    console.error("the recognizer's module failed while warming up; it is discarded", err);
  };
  let rec;
  try {
    rec = build(instance, bytes);
  } catch (err) {
    if (isCrash(err)) crashed(err);
    return 0;
  }
  const frames = madeUpNumber();
  let done = 0;
  try {
    while (done < readings && !signal?.aborted && !instance.dead) {
      const left = await idle();
      // At least one reading per turn: a busy page's idle callbacks come late, with no time left.
      do {
        // Shifted a little each time: the recognizer's memos must not answer from a remembered read.
        const { strokes, penWidth } = frames(done);
        instance.readStrokes.call(rec, strokes, penWidth, 3, true);
        done += 1;
      } while (done < readings && !signal?.aborted && left() > 0);
    }
  } catch (err) {
    if (isCrash(err)) crashed(err);
    else console.warn('warming the recognizer up failed', err);
  } finally {
    if (!instance.dead) rec.free();
  }
  return done;

  function idle() {
    return new Promise((resolve) => {
      const start = performance.now();
      const slice = () => sliceMs - (performance.now() - start);
      if (typeof requestIdleCallback === 'function') {
        requestIdleCallback((d) => resolve(() => Math.min(d.timeRemaining(), slice())), { timeout: 1000 });
      } else {
        setTimeout(() => resolve(slice), 0);
      }
    });
  }
}

/**
 * Frame `i` of a 3-digit number ("017") being written on a 600x400 pad: the first two digits
 * whole, the third drawn up to a point that moves on with `i`, everything shifted by a
 * fraction of a pixel that changes with `i`.
 */
function madeUpNumber() {
  const zero = Array.from({ length: 40 }, (_, k) => {
    const a = (k / 39) * 2 * Math.PI;
    return [130 + 55 * Math.sin(a), 200 - 95 * Math.cos(a)];
  });
  const one = Array.from({ length: 20 }, (_, k) => [290 + k * 0.8, 105 + k * 10]);
  const seven = [
    ...Array.from({ length: 12 }, (_, k) => [390 + k * 10, 110]),
    ...Array.from({ length: 20 }, (_, k) => [500 - k * 3.5, 110 + k * 10]),
  ];
  return (i) => {
    const dx = ((i * 0.37) % 1) - 0.5;
    const dy = ((i * 0.61) % 1) - 0.5;
    const stroke = (pts) => Float32Array.from(pts.flatMap(([x, y], k) => [x + dx, y + dy, k * 8]));
    const n = 2 + (i % (seven.length - 1));
    return { strokes: [stroke(zero), stroke(one), stroke(seven.slice(0, n))], penWidth: 400 / 22 };
  };
}

// --- a model you choose: one Worker per model ----------------------------------------

const workers = new Set(); // live WorkerRecognizers, for memory reports
/** Compiled modules handed to each new worker (the general one once a worker has compiled it). */
const compiled = {};

/** An Error from a worker's reply: the crate's message and `kind`, or a crash. */
function replyError(reply) {
  const err = new Error(reply.message);
  if (reply.kind) err.kind = reply.kind;
  return err;
}

/**
 * A model of your own in a dedicated Worker. `open` resolves once the worker has built it and
 * run it once; `read` returns a Promise of the drawing's reading. A worker that crashes or does
 * not answer in time is stopped; one in use is replaced, up to MAX_RESTARTS times, by a new one
 * built from the same bytes.
 */
export class WorkerRecognizer {
  /** The page reads this recognizer asynchronously (app.js). */
  remote = true;
  #bytes;
  #worker = null;
  #ready = null;
  #info = { hasFeatureMaps: false, metadata: {}, engine: 'page', memory: 0 };
  #pending = new Map();
  #next = 1;
  #onRestart;
  #closed = false;
  #loaded = false;
  #restarts = 0;
  #failed = null;

  constructor(bytes, onRestart) {
    this.#bytes = bytes;
    this.#onRestart = onRestart;
  }

  /**
   * Builds `bytes` in a new worker; throws an Error saying why it cannot be used (the crate's
   * words, a crash, or the time limit).
   */
  static async open(bytes, { onRestart = () => {} } = {}) {
    const r = new WorkerRecognizer(bytes, onRestart);
    try {
      await r.#start();
    } catch (err) {
      r.free();
      throw err;
    }
    r.#loaded = true;
    return r;
  }

  #start() {
    const worker = new Worker(trustedScriptUrl('model-worker.js'), { type: 'module' });
    this.#worker = worker;
    workers.add(this);
    worker.onmessage = (e) => this.#reply(worker, e.data ?? {});
    worker.onerror = (e) => {
      e.preventDefault?.();
      this.#fail(worker, new Error(`the model's worker failed (${e.message || 'it could not start: are you offline?'})`));
    };
    this.#ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(
          worker,
          new Error(
            `building it took longer than ${limits.loadMs / 1000} s, so it was stopped (a model asking for that much work would freeze the page)`,
          ),
        );
      }, limits.loadMs);
      this.#pending.set(0, {
        resolve: (info) => {
          clearTimeout(timer);
          resolve(info);
        },
        reject: (err) => {
          clearTimeout(timer);
          reject(err);
        },
      });
    });
    // A copy: the caller keeps its bytes, the next worker (after a crash) gets them again.
    const copy = this.#bytes.slice();
    loading.wasm
      .then(
        ({ module }) => module,
        () => undefined,
      )
      .then((page) => {
        if (worker !== this.#worker) return;
        const modules = { lenet5: page, ...compiled };
        worker.postMessage({ type: 'load', id: 0, bytes: copy, modules }, [copy.buffer]);
      });
    return this.#ready.then((info) => {
      this.#info = { ...info, memory: this.#info.memory };
    });
  }

  #reply(worker, msg) {
    if (msg.type === 'module' && msg.module instanceof WebAssembly.Module) compiled[msg.name] = msg.module;
    if (worker !== this.#worker) return;
    if (typeof msg.memory === 'number') this.#info.memory = msg.memory;
    const waiter = this.#pending.get(msg.id);
    if (!waiter) return;
    this.#pending.delete(msg.id);
    if (msg.type === 'error') {
      const err = replyError(msg);
      if (isCrash(err)) {
        // The worker's module is in an unknown state: stop it, answer every waiter.
        this.#fail(worker, new Error(`the model crashed its engine (${msg.message})`), waiter);
        return;
      }
      waiter.reject(err);
    } else {
      waiter.resolve(msg.type === 'ready' ? msg.info : msg);
    }
  }

  /**
   * Stop `worker` for good and reject everything it owed; a model in use is then rebuilt in a
   * new one, up to MAX_RESTARTS times.
   */
  #fail(worker, err, first = null) {
    if (worker !== this.#worker) return;
    worker.terminate();
    this.#worker = null;
    workers.delete(this);
    const restart = !this.#closed && this.#loaded;
    if (restart) {
      this.#loaded = false;
      this.#restarts += 1;
      if (this.#restarts > MAX_RESTARTS) {
        this.#failed = new Error(`${err.message}, ${MAX_RESTARTS + 1} times: it is not restarted again; choose another model`);
      }
    }
    const waiters = [...(first ? [first] : []), ...this.#pending.values()];
    this.#pending.clear();
    for (const w of waiters) w.reject(this.#failed ?? err);
    if (!restart || this.#failed) return;
    console.warn(`the model's worker was stopped (${err.message}); starting a new one`);
    this.#start().then(
      () => {
        this.#loaded = true;
        this.#onRestart();
      },
      (restartErr) => {
        this.#failed = new Error(`the model could not be restarted (${restartErr.message}); choose it again or another`);
        console.warn('could not restart the model', restartErr);
      },
    );
  }

  get hasFeatureMaps() {
    return this.#info.hasFeatureMaps === true;
  }

  /** The engine that builds it in the worker: 'page' (the direct plan) or 'general' (tract). */
  get engine() {
    return this.#info.engine;
  }

  metadata() {
    return this.#info.metadata ?? {};
  }

  /** The wasm memory its worker holds, in bytes (0 once stopped). */
  get memoryBytes() {
    return this.#worker ? this.#info.memory : 0;
  }

  /**
   * Reads pen strokes as the page's `readStrokes` does, in the worker:
   * `{ number, focus, maps, ms }` (`ms`: the reading's time inside the worker).
   */
  read(strokes, penWidth, stride, maps) {
    if (this.#failed) return Promise.reject(this.#failed);
    if (!this.#worker || !this.#loaded) {
      return Promise.reject(new Error('the model is being restarted; draw again in a moment'));
    }
    const worker = this.#worker;
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(worker, new Error(`a reading took longer than ${limits.readMs / 1000} s, so its worker was stopped`));
      }, limits.readMs);
      this.#pending.set(id, {
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      worker.postMessage({ type: 'read', id, strokes, penWidth, stride, maps: Boolean(maps) });
    });
  }

  free() {
    this.#closed = true;
    const worker = this.#worker;
    if (worker) this.#fail(worker, new Error('this model is no longer in use'));
  }
}

/**
 * A model you chose, built in its own worker: resolves to a WorkerRecognizer or throws an Error
 * saying why the model cannot be used. `onRestart` is called when it has been rebuilt after a
 * crash.
 */
export function openUserModel(bytes, { onRestart } = {}) {
  return WorkerRecognizer.open(bytes, { onRestart });
}

/**
 * The wasm memory the page holds, in bytes: its main-thread instances (`page`: all that were
 * made, dead ones included, which stay referenced by their glue) and the workers of models in
 * use (`workers`).
 */
export function memoryReport() {
  const page = instances.reduce((sum, i) => sum + (i.exports?.memory?.buffer?.byteLength ?? 0), 0);
  let inWorkers = 0;
  for (const w of workers) inWorkers += w.memoryBytes;
  return { page, workers: inWorkers, instances: instances.length, dead: instances.filter((i) => i.dead).length, liveWorkers: workers.size };
}
