// Your corrections and your personal model, kept in this browser (IndexedDB, database
// "lenet5-personal"): nothing leaves the device. If IndexedDB is unavailable (some private
// modes), `openStore` returns a store in memory and says so: teaching still works until reload.

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

  async corrections() {
    return request(this.db.transaction(CORRECTIONS).objectStore(CORRECTIONS).getAll());
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
    return [...this.list];
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

/**
 * The store: IndexedDB if the browser lets us, else memory (`persistent` is false then).
 * With `create: false` it returns null when nothing was ever saved, so merely visiting the
 * page stores nothing; the first correction creates the database.
 */
export async function openStore({ create = true } = {}) {
  try {
    if (!create && typeof indexedDB.databases === 'function') {
      const names = (await indexedDB.databases()).map((d) => d.name);
      if (!names.includes(DB)) return null;
    }
    const open = indexedDB.open(DB, 1);
    open.onupgradeneeded = () => {
      const db = open.result;
      if (!db.objectStoreNames.contains(CORRECTIONS)) db.createObjectStore(CORRECTIONS, { autoIncrement: true });
      if (!db.objectStoreNames.contains(MODELS)) db.createObjectStore(MODELS);
    };
    return new IdbStore(await request(open));
  } catch (err) {
    console.info('IndexedDB is unavailable; corrections last until the page is closed:', err?.message ?? err);
    return new MemoryStore();
  }
}

/** SHA-256 of `bytes`, hex: ties a personal model to the original it was learnt from. */
export async function digest(bytes) {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, '0')).join('');
}
