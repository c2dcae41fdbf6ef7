// "That's wrong": teach the model your handwriting. A digit button (#teach) or a digit key
// labels the whole drawing on the pad as that digit; the correction (the 32x32 input the network
// saw, and the pen strokes it came from) is kept in this browser (store.js), and the learning
// worker (learn-worker.js) fine-tunes the original model on all your corrections with the Rust
// trainer compiled to wasm. The personal model it writes replaces the one in use, survives a
// reload, can be downloaded, and "Reset" forgets it.
//
// A drawing the number reader splits into several digits is taught whole, as one digit: those
// are the drawings that most need teaching (a crossed 7 or a 1 with a foot read as two digits),
// and the page cannot tell them from a number written on purpose. The status then says what
// the reader saw and that the whole drawing was taught as one digit, so a number taught by
// mistake is plain to see (Reset forgets it).

import { openStore, digest } from './store.js';
import { trustedScriptUrl } from './trusted.js';

/**
 * Whether the learning failed because the browser is offline: navigator.onLine says so, or the
 * learning worker (or a file it fetches) could not be loaded and the page's own address does
 * not answer either.
 */
async function offline(err) {
  if (navigator.onLine === false) return true;
  const loading = err?.cause === 'start' || err instanceof TypeError || /fetch|network|load/i.test(err?.message ?? '');
  if (!loading) return false;
  try {
    await fetch(new URL('learn-worker.js', document.baseURI), { method: 'HEAD', cache: 'no-store' });
    return false;
  } catch {
    return true;
  }
}

export class Teacher {
  /**
   * @param {object} els { group, status, progress, reset, download }
   * @param {object} hooks
   * @param {() => ({input: Float32Array, digits: number, text: string, strokes: number[][][], penWidth: number} | null)} hooks.current
   *   the drawing as the network saw it: its whole 32x32 input, how many digits the number reader found
   *   and read (`text`), and the pad's strokes (points [u, v, t] in pad heights) with the pen's width in
   *   the same unit
   * @param {() => boolean} hooks.canTeach false while a model of your own (not the built-in one) is in use
   * @param {(bytes: Uint8Array) => Promise<object>} hooks.load a Recognizer for ONNX bytes (rejects if unusable)
   * @param {(r: object | null, count: number) => void} hooks.use switch to a personal recognizer (null: the original)
   */
  constructor(els, hooks) {
    this.el = els;
    this.hooks = hooks;
    this.store = null;
    this.base = null; // { bytes, digest }
    this.personal = null; // { bytes, count }
    this.count = 0;
    this.worker = null;
    this.busy = false;
    this.again = false;
    this.nextId = 1;
    this.lastMs = 0;
    this.note = ''; // about the last correction, said while learning from it
    this.generation = 0; // bumped by reset: a run that was going on then is dropped
    for (const b of els.group.querySelectorAll('button[data-digit]')) {
      b.addEventListener('click', () => this.teach(Number(b.dataset.digit)));
    }
    els.reset.addEventListener('click', () => this.reset());
    els.download.addEventListener('click', () => this.download());
    this.setEnabled(false);
  }

  /** Called once the original model is loaded: restores your corrections and personal model. */
  async start(baseBytes) {
    this.base = { bytes: baseBytes, digest: await digest(baseBytes) };
    this.store = await openStore({ create: false });
    let saved = null;
    const problems = this.storeProblems();
    try {
      const read = await this.store?.corrections();
      this.count = read?.list.length ?? 0;
      problems.push(...this.damageNotes(read));
      saved = await this.store?.model();
    } catch (err) {
      problems.push(`Could not read your saved corrections: ${err?.message ?? err}`);
    }
    if (saved && saved.base === this.base.digest && saved.bytes instanceof Uint8Array) {
      try {
        const r = await this.hooks.load(saved.bytes);
        this.personal = { bytes: saved.bytes, count: saved.count };
        this.hooks.use(r, saved.count);
      } catch (err) {
        // A damaged copy: the original stays in use; the corrections can teach it again.
        this.say(`Your saved model could not be used (${err?.message ?? err}); teach again to rebuild it.`, 'warning');
      }
    } else if (saved) {
      this.say('Your saved model was learnt from another version of the original model; teach again to rebuild it.', 'warning');
    }
    if (problems.length > 0) {
      const before = this.el.status.dataset.state ? `${this.el.status.textContent} ` : '';
      this.say(`${before}${problems.join(' ')}`, 'warning');
    }
    this.setEnabled(true);
    if (!this.el.status.dataset.state) this.sayIdle();
  }

  /** What opening the store repaired or could not do, said once (then forgotten). */
  storeProblems() {
    const out = [...(this.store?.notes ?? [])];
    if (this.store?.reason) out.push(this.store.reason);
    if (this.store) {
      this.store.notes = [];
      this.store.reason = '';
    }
    return out;
  }

  /** The words for the damaged records `corrections()` removed and the strokes it dropped. */
  damageNotes(read) {
    const out = [];
    const n = read?.damaged ?? 0;
    if (n > 0) {
      const good = read.list.length;
      out.push(
        `${n} stored correction${n === 1 ? ' was' : 's were'} damaged and ${n === 1 ? 'is' : 'are'} skipped (removed from this browser)` +
          (good > 0 ? `; your other ${good} still teach${good === 1 ? 'es' : ''}.` : '.'),
      );
    }
    const k = read?.stripped ?? 0;
    if (k > 0) out.push(`The pen strokes of ${k} stored correction${k === 1 ? ' were' : 's were'} damaged and are dropped; ${k === 1 ? 'it' : 'they'} still teach${k === 1 ? 'es' : ''} from ${k === 1 ? 'its' : 'their'} input.`);
    return out;
  }

  setEnabled(on) {
    for (const b of this.el.group.querySelectorAll('button')) b.disabled = !on;
    this.el.reset.disabled = !on || (this.count === 0 && !this.personal);
    this.el.download.disabled = !on || !this.personal;
  }

  say(text, state = '') {
    this.el.status.textContent = text;
    if (state) this.el.status.dataset.state = state;
    else delete this.el.status.dataset.state;
  }

  sayIdle() {
    const kept = this.store && !this.store.persistent ? ' (kept until you close the page: this browser does not let the page store them)' : '';
    if (this.personal) {
      const n = this.personal.count;
      this.say(`Your personal model is in use, learnt from ${n} correction${n === 1 ? '' : 's'}${kept}.`);
    } else if (this.count > 0) {
      this.say(`${this.count} correction${this.count === 1 ? '' : 's'} kept${kept}.`);
    } else {
      this.say('Press the digit you meant, or type it: the model learns your handwriting, and nothing leaves this browser.');
    }
  }

  /** Label the current drawing as `digit` and learn from it. */
  async teach(digit) {
    if (!this.base || !this.el.group.querySelector('button:enabled')) return this.say('The model is still loading.', 'warning');
    if (!this.hooks.canTeach()) {
      return this.say('Teaching works with the built-in model: switch back to it first.', 'warning');
    }
    const cur = this.hooks.current();
    if (!cur) return this.say(`Draw a ${digit} first, then press ${digit}.`, 'warning');
    try {
      if (!this.store) {
        this.store = await openStore();
        const problems = this.storeProblems();
        this.storeNote = problems.join(' ');
      }
      await this.store.addCorrection({
        input: new Float32Array(cur.input),
        label: digit,
        time: Date.now(),
        strokes: cur.strokes,
        penWidth: cur.penWidth,
      });
    } catch (err) {
      return this.say(`Could not keep this correction: ${err?.message ?? err}`, 'warning');
    }
    // Said with every message of the learning that follows, until the next correction.
    this.note = cur.digits > 1 ? `The whole drawing (read as ${cur.text}) was taught as one ${digit}. ` : '';
    if (this.storeNote) {
      this.note = `${this.storeNote} ${this.note}`;
      this.storeNote = '';
    }
    this.count += 1;
    this.setEnabled(true);
    this.learn();
  }

  /** Fine-tune on all corrections (once more after the current run if more arrive meanwhile). */
  async learn() {
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    this.el.progress.hidden = false;
    this.el.progress.value = 0;
    document.body.dataset.learning = 'true';
    try {
      const generation = this.generation;
      do {
        this.again = false;
        const read = await this.store.corrections();
        const list = read.list;
        const damage = this.damageNotes(read).join(' ');
        if (damage) this.note = `${damage} ${this.note}`;
        const n = list.length;
        this.count = n;
        if (n === 0) {
          this.say(`${this.note}No correction is left to learn from: draw the digit again and teach it.`, 'warning');
          return;
        }
        this.say(`${this.note}Learning from ${n} correction${n === 1 ? '' : 's'}…`, 'loading');
        const inputs = new Float32Array(n * 1024);
        list.forEach((c, i) => inputs.set(c.input, i * 1024));
        const labels = Uint8Array.from(list, (c) => c.label);
        // The kept pen strokes, which the fine-tuner re-draws a little differently at every step
        // (x, y only). null where there are none (corrections kept before strokes were) or they
        // are not plain finite points: such a correction is learnt from its input alone.
        const point = (p) => Array.isArray(p) && Number.isFinite(p[0]) && Number.isFinite(p[1]);
        const drawings = list.map((c) =>
          Array.isArray(c.strokes) &&
          c.strokes.length > 0 &&
          c.strokes.every((s) => Array.isArray(s) && s.every(point)) &&
          Number.isFinite(c.penWidth) &&
          c.penWidth > 0
            ? { strokes: c.strokes.map((s) => Float32Array.from(s.flatMap((p) => [p[0], p[1]]))), penWidth: c.penWidth }
            : null,
        );
        const result = await this.run({ model: this.base.bytes, inputs, labels, drawings });
        if (generation !== this.generation) return; // reset meanwhile
        if (this.again) continue; // newer corrections: learn again before switching
        const r = await this.hooks.load(result.model);
        this.personal = { bytes: result.model, count: n };
        this.lastMs = result.ms;
        try {
          await this.store.saveModel({ bytes: result.model, base: this.base.digest, count: n, time: Date.now() });
        } catch (err) {
          console.warn('could not save the personal model', err);
        }
        this.hooks.use(r, n);
        this.say(
          `${this.note}Learnt from ${n} correction${n === 1 ? '' : 's'} in ${(result.ms / 1000).toFixed(1)} s; your personal model is in use.`,
          'ready',
        );
        document.body.dataset.learnt = String(n);
      } while (this.again);
    } catch (err) {
      if (await offline(err)) {
        this.say(
          'Learning needs files this page fetches the first time you teach it; you are offline. ' +
            'Your correction is kept: teach again once you are back online.',
          'warning',
        );
      } else {
        this.say(`Could not learn from your corrections: ${err?.message ?? err}`, 'warning');
      }
      console.warn('learning failed', err);
    } finally {
      this.busy = false;
      this.el.progress.hidden = true;
      delete document.body.dataset.learning;
      this.setEnabled(true);
      if (this.again) this.learn(); // taught again after a reset cut a run short
    }
  }

  run(job) {
    if (!this.worker) {
      this.worker = new Worker(trustedScriptUrl('learn-worker.js'), { type: 'module' });
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (e) => {
        const m = e.data;
        if (m?.id !== id) return;
        if (m.type === 'progress') {
          this.el.progress.value = m.steps > 0 ? m.step / m.steps : 0;
          return;
        }
        this.worker.removeEventListener('message', onMessage);
        this.worker.removeEventListener('error', onError);
        if (m.type === 'done') resolve(m);
        else reject(new Error(m.message));
      };
      const onError = (e) => {
        this.worker.removeEventListener('message', onMessage);
        this.worker.removeEventListener('error', onError);
        this.worker.terminate();
        this.worker = null;
        reject(new Error(e.message || 'the learning worker failed to start', { cause: 'start' }));
      };
      this.worker.addEventListener('message', onMessage);
      this.worker.addEventListener('error', onError);
      this.worker.postMessage({ id, ...job }, [job.inputs.buffer, job.labels.buffer]);
    });
  }

  /** Forget every correction and the personal model; the original model is used again. */
  async reset() {
    this.generation += 1;
    this.again = false;
    try {
      await this.store?.clear();
    } catch (err) {
      return this.say(`Could not forget your corrections: ${err?.message ?? err}`, 'warning');
    }
    this.count = 0;
    this.personal = null;
    this.note = '';
    this.hooks.use(null, 0);
    this.say('Back to the original model; your corrections are forgotten.', 'ready');
    delete document.body.dataset.learnt;
    this.setEnabled(true);
  }

  /** Save the personal model as an .onnx file (it loads in this page, tract and onnxruntime). */
  download() {
    if (!this.personal) return;
    const blob = new Blob([this.personal.bytes], { type: 'application/octet-stream' });
    const url = URL.createObjectURL(blob);
    const a = document.createElement('a');
    a.href = url;
    a.download = 'lenet5-personal.onnx';
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}
