// Damaged corrections in IndexedDB (#19): each stored correction is checked when it is read. A
// damaged record (null input, 2000 values, NaN, label 12) is removed and reported in words, a
// record with damaged strokes keeps its input, the good corrections keep teaching; a database
// without its corrections store, or at another version, is repaired or used, never silently
// replaced by a store in memory.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { drawMouse, openPage, sharedEnv, waitReady, waitSettled } from './helpers.mjs';

const ONE = [[[0.5, 0.12], [0.5, 0.88]]];

async function learnt(page, n, timeout = 60_000) {
  await page.waitForFunction((n) => document.body.dataset.learnt === String(n) && !document.body.dataset.learning, n, {
    timeout,
  });
  return page.textContent('#teach-status');
}

async function teachOne(page) {
  await page.keyboard.press('Escape');
  await waitSettled(page, 0);
  await page.locator('#pad').scrollIntoViewIfNeeded();
  await drawMouse(page, ONE);
  await waitSettled(page, 1);
  await page.keyboard.press('1');
}

/** Writes `records` (built in the page by `make`) into a database at `version` with `stores`. */
async function writeDb(page, { version, stores, records = 'none' }) {
  await page.evaluate(
    async ({ version, stores, records }) => {
      const plainOne = () => {
        const input = new Float32Array(1024);
        for (let y = 6; y < 26; y++) for (let x = 15; x < 18; x++) input[y * 32 + x] = 1;
        return input;
      };
      const good = (extra = {}) => ({ input: plainOne(), label: 1, time: Date.now(), ...extra });
      const list = {
        none: [],
        one: [good()],
        damaged: [
          good(),
          { input: null, label: 1, time: 1 },
          { input: new Float32Array(2000), label: 1, time: 2 },
          { input: plainOne().map((v, i) => (i === 500 ? NaN : v)), label: 1, time: 3 },
          good({ label: 12 }),
          good({ strokes: [[[0.5, 0.1, 0], [0.5, 'x', 16]], null], penWidth: 0.04 }),
          good({ strokes: [[[0.5, 0.12, 0], [0.5, 0.88, 100]]], penWidth: 0.04 }),
          null,
        ],
      }[records];
      await new Promise((resolve, reject) => {
        const del = indexedDB.deleteDatabase('lenet5-personal');
        del.onsuccess = resolve;
        del.onerror = () => reject(del.error);
      });
      const open = indexedDB.open('lenet5-personal', version);
      open.onupgradeneeded = () => {
        if (stores.includes('corrections')) open.result.createObjectStore('corrections', { autoIncrement: true });
        if (stores.includes('models')) open.result.createObjectStore('models');
      };
      const db = await new Promise((resolve, reject) => {
        open.onsuccess = () => resolve(open.result);
        open.onerror = () => reject(open.error);
      });
      if (list.length > 0) {
        const tx = db.transaction('corrections', 'readwrite');
        for (const r of list) tx.objectStore('corrections').add(r);
        await new Promise((resolve, reject) => {
          tx.oncomplete = resolve;
          tx.onerror = () => reject(tx.error);
        });
      }
      db.close();
    },
    { version, stores, records },
  );
}

/** The database as the page left it: version, stores, and each correction's label, input size and strokes. */
function readDb(page) {
  return page.evaluate(async () => {
    const db = await new Promise((resolve, reject) => {
      const open = indexedDB.open('lenet5-personal');
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    const stores = [...db.objectStoreNames].sort();
    const all = stores.includes('corrections')
      ? await new Promise((resolve) => {
          const req = db.transaction('corrections').objectStore('corrections').getAll();
          req.onsuccess = () => resolve(req.result);
        })
      : [];
    const version = db.version;
    db.close();
    return {
      version,
      stores,
      corrections: all.map((c) => ({ label: c.label, input: c.input?.length ?? null, strokes: c.strokes ? c.strokes.length : null })),
    };
  });
}

async function reloadReady(page) {
  await page.reload();
  await waitReady(page);
  await page.waitForFunction(() => !document.querySelector('#teach button').disabled);
}

describe('damaged stored corrections', () => {
  const env = sharedEnv();

  test('damaged records are skipped, removed and reported; the good ones still teach', async () => {
    const s = await openPage(env);
    const { page } = s;
    await writeDb(page, { version: 1, stores: ['corrections', 'models'], records: 'damaged' });
    await reloadReady(page);
    const status = await page.textContent('#teach-status');
    assert.match(status, /5 stored corrections were damaged and are skipped \(removed from this browser\); your other 3 still teach\./);
    assert.match(status, /The pen strokes of 1 stored correction were damaged and are dropped; it still teaches from its input\./);
    assert.equal(await page.getAttribute('#teach-status', 'data-state'), 'warning');
    // Removed: the good ones are left, the one with damaged strokes without them.
    assert.deepEqual((await readDb(page)).corrections, [
      { label: 1, input: 1024, strokes: null },
      { label: 1, input: 1024, strokes: null },
      { label: 1, input: 1024, strokes: 1 },
    ]);

    // Teaching works, from the three good corrections and the new one.
    await teachOne(page);
    assert.match(await learnt(page, 4), /Learnt from 4 corrections in [\d.]+ s/);
    // Said once: a reload finds nothing damaged.
    await reloadReady(page);
    await page.waitForFunction(() => /personal/.test(document.getElementById('model-name').textContent));
    const after = await page.textContent('#teach-status');
    assert.match(after, /learnt from 4 corrections/);
    assert.doesNotMatch(after, /damaged/);
    await s.close();
  });

  test('a database without its corrections store is repaired, and says so', async () => {
    const s = await openPage(env);
    const { page } = s;
    await writeDb(page, { version: 3, stores: ['models'] });
    await reloadReady(page);
    assert.match(await page.textContent('#teach-status'), /database lacked its corrections store; it was repaired \(no corrections were in it\)/);
    await teachOne(page);
    assert.match(await learnt(page, 1), /Learnt from 1 correction in [\d.]+ s/);
    const db = await readDb(page);
    assert.equal(db.version, 4);
    assert.deepEqual(db.stores, ['corrections', 'models']);
    assert.equal(db.corrections.length, 1, 'kept in IndexedDB, not in memory');
    await reloadReady(page);
    assert.match(await page.textContent('#teach-status'), /learnt from 1 correction/);
    await s.close();
  });

  test('a database at another version with both stores is used as it is', async () => {
    const s = await openPage(env);
    const { page } = s;
    await writeDb(page, { version: 7, stores: ['corrections', 'models'], records: 'one' });
    await reloadReady(page);
    const status = await page.textContent('#teach-status');
    assert.match(status, /^1 correction kept\.$/, 'stored, not "kept until you close the page"');
    await teachOne(page);
    assert.match(await learnt(page, 2), /Learnt from 2 corrections/);
    assert.equal((await readDb(page)).corrections.length, 2);
    await s.close();
  });
});
