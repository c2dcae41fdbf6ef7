// Your corrections and your personal model, kept in this browser (IndexedDB, database
// "lenet5-personal"): nothing leaves the device. If IndexedDB is unavailable (some private
// modes), `openStore` returns a store in memory and says so (`reason`): teaching still works
// until reload.
//
// Every correction is checked when it is read (`checkCorrection`): one damaged record (no input,
// an input of the wrong size or with NaN in it, a label that is not a digit) must not stop every
// later teach. A damaged record is removed from the database: it holds nothing the trainer can
// use, and keeping it aside would only repeat the warning on every visit; `corrections()` says
// how many it removed, and the page says so once. Damaged strokes are dropped from their record
// (the input, what the learning uses, is kept). A database that lacks one of its object stores
// (or was left at another version by another build) is repaired by an upgrade that creates what
// is missing, and the store says so (`notes`).

const DB = 'lenet5-personal';
// { input: Float32Array(1024), label, time, strokes, penWidth }: `input` is what the network saw
// (the whole drawing, framed) and all the learning uses; `strokes` (arrays of points [u, v, t] in
// pad heights, as www/pad.js keeps them) and `penWidth` (in pad heights) keep the drawing itself,
// so it can be framed again should the framing change. Corrections kept before strokes were
// stored have only `input`, `label` and `time`, and teach just as well.
const CORRECTIONS = 'corrections';
const MODELS = 'models'; // 'personal' -> { bytes: Uint8Array, base: digest of the original, count, time }

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

class IdbStore {
  constructor(db) {
    this.db = db;
    this.persistent = true;
  }

  async addCorrection(c) {
    const tx = this.db.transaction(CORRECTIONS, 'readwrite');
    tx.objectStore(CORRECTIONS).add(c);
    await done(tx);
  }

  /** { list: the good corrections, damaged: how many records were removed, stripped: how many lost their strokes } */
  async corrections() {
    const tx = this.db.transaction(CORRECTIONS);
    const store = tx.objectStore(CORRECTIONS);
    const [records, keys] = await Promise.all([request(store.getAll()), request(store.getAllKeys())]);
    const result = sortCorrections(records);
    if (result.bad.length > 0 || result.fixed.length > 0) {
      try {
        const wtx = this.db.transaction(CORRECTIONS, 'readwrite');
        const ws = wtx.objectStore(CORRECTIONS);
        for (const i of result.bad) ws.delete(keys[i]);
        for (const [i, c] of result.fixed) ws.put(c, keys[i]);
        await done(wtx);
      } catch (err) {
        console.warn('could not remove the damaged corrections', err);
      }
    }
    return { list: result.list, damaged: result.bad.length, stripped: result.fixed.length };
  }

  async saveModel(m) {
    const tx = this.db.transaction(MODELS, 'readwrite');
    tx.objectStore(MODELS).put(m, 'personal');
    await done(tx);
  }

  async model() {
    return (await request(this.db.transaction(MODELS).objectStore(MODELS).get('personal'))) ?? null;
  }

  /** Forgets every correction and the personal model. */
  async clear() {
    const tx = this.db.transaction([CORRECTIONS, MODELS], 'readwrite');
    tx.objectStore(CORRECTIONS).clear();
    tx.objectStore(MODELS).clear();
    await done(tx);
  }
}

class MemoryStore {
  constructor() {
    this.list = [];
    this.personal = null;
    this.persistent = false;
  }
  async addCorrection(c) {
    this.list.push(c);
  }
  async corrections() {
    return { list: [...this.list], damaged: 0, stripped: 0 };
  }
  async saveModel(m) {
    this.personal = m;
  }
  async model() {
    return this.personal;
  }
  async clear() {
    this.list = [];
    this.personal = null;
  }
}

const INPUT = 1024; // 32x32
const MAX_POINTS = 20000; // all strokes together: far more than any drawing on the pad

/**
 * A correction as read from the database, checked: `{ ok: false, why }` when it cannot teach
 * (then it is removed), else `{ ok: true, correction, stripped }`, `stripped` when its strokes or
 * pen width were damaged and are dropped (the input still teaches).
 */
export function checkCorrection(c) {
  if (c === null || typeof c !== 'object') return { ok: false, why: 'not a record' };
  const input = c.input;
  if (!(input instanceof Float32Array || Array.isArray(input))) return { ok: false, why: 'no input' };
  if (input.length !== INPUT) return { ok: false, why: `an input of ${input.length} values, not ${INPUT}` };
  for (let i = 0; i < INPUT; i++) {
    if (typeof input[i] !== 'number' || !Number.isFinite(input[i])) return { ok: false, why: 'an input value that is not a number' };
  }
  if (!Number.isInteger(c.label) || c.label < 0 || c.label > 9) return { ok: false, why: 'a label that is not a digit' };
  const correction = { input: input instanceof Float32Array ? input : Float32Array.from(input), label: c.label, time: Number.isFinite(c.time) ? c.time : 0 };
  const hasDrawing = c.strokes !== undefined || c.penWidth !== undefined;
  if (!hasDrawing) return { ok: true, correction, stripped: false };
  let points = 0;
  const point = (p) => Array.isArray(p) && p.length >= 2 && p.length <= 3 && p.every((x) => typeof x === 'number' && Number.isFinite(x)) && ++points <= MAX_POINTS;
  const good =
    Array.isArray(c.strokes) &&
    c.strokes.length > 0 &&
    c.strokes.every((s) => Array.isArray(s) && s.length > 0 && s.every(point)) &&
    typeof c.penWidth === 'number' &&
    Number.isFinite(c.penWidth) &&
    c.penWidth > 0 &&
    c.penWidth < 1;
  if (!good) return { ok: true, correction, stripped: true };
  return { ok: true, correction: { ...correction, strokes: c.strokes, penWidth: c.penWidth }, stripped: false };
}

/** The good corrections of `records`, the indices of the damaged ones, and [index, cleaned] of those whose strokes were dropped. */
function sortCorrections(records) {
  const list = [];
  const bad = [];
  const fixed = [];
  records.forEach((r, i) => {
    const checked = checkCorrection(r);
    if (!checked.ok) {
      console.warn(`stored correction ${i} is damaged (${checked.why}) and is removed`);
      bad.push(i);
      return;
    }
    list.push(checked.correction);
    if (checked.stripped) fixed.push([i, checked.correction]);
  });
  return { list, bad, fixed };
}

function openDb(version, upgrade) {
  const open = version === undefined ? indexedDB.open(DB) : indexedDB.open(DB, version);
  open.onupgradeneeded = () => upgrade?.(open.result);
  open.onblocked = () => console.warn('the saved corrections wait for another tab of this page to close');
  return request(open);
}

const createMissing = (db) => {
  if (!db.objectStoreNames.contains(CORRECTIONS)) db.createObjectStore(CORRECTIONS, { autoIncrement: true });
  if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS);
};

/**
 * The store: IndexedDB if the browser lets us, else memory (`persistent` is false then, and
 * `reason` says why). With `create: false` it returns null when nothing was ever saved, so merely
 * visiting the page stores nothing; the first correction creates the database. `notes` lists
 * what was repaired on opening (a database without its object stores).
 */
export async function openStore({ create = true } = {}) {
  try {
    if (!create && typeof indexedDB.databases === 'function') {
      const names = (await indexedDB.databases()).map((d) => d.name);
      if (!names.includes(DB)) return null;
    }
    // Whatever version is there: a database left at another version by another build is used
    // as it is when it has both stores, and upgraded (to create the missing ones) when not.
    let db = await openDb(undefined, createMissing);
    const notes = [];
    if (!db.objectStoreNames.contains(CORRECTIONS) || !db.objectStoreNames.contains(MODELS)) {
      const missing = [CORRECTIONS, MODELS].filter((n) => !db.objectStoreNames.contains(n));
      const version = db.version + 1;
      db.close();
      db = await openDb(version, createMissing);
      notes.push(`The saved corrections' database lacked its ${missing.join(' and ')} store${missing.length === 1 ? '' : 's'}; it was repaired${missing.includes(CORRECTIONS) ? ' (no corrections were in it)' : ''}.`);
    }
    db.onversionchange = () => db.close();
    const store = new IdbStore(db);
    store.notes = notes;
    return store;
  } catch (err) {
    const why = err?.message ?? String(err);
    console.info('IndexedDB is unavailable; corrections last until the page is closed:', why);
    const store = new MemoryStore();
    store.reason = `This browser did not let the page open its saved corrections (${why}): new corrections last until you close the page.`;
    return store;
  }
}

/** SHA-256 of `bytes`, hex: ties a personal model to the original it was learnt from. */
export async function digest(bytes) {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}
