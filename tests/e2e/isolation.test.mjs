// Isolation (#19): a model you choose is built and run in a worker of its own, never on the
// built-in model's module; a module that crashed is discarded and the model rebuilt on a fresh
// one. After any sequence of hostile models, the built-in model reads a drawing bit for bit as
// a fresh page does, and the page keeps drawing frames meanwhile.
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openPage, readings, sample, sharedEnv, waitSettled } from './helpers.mjs';
import { hostileModels, linearModel } from './onnx-models.mjs';

const onnx = (name, buffer) => ({ name, mimeType: 'application/octet-stream', buffer });

/** Count animation frames and keep the longest gap between two, from now on. */
async function watchFrames(page) {
  await page.evaluate(() => {
    const w = { frames: 0, longest: 0, last: performance.now() };
    window.__frames = w;
    const tick = (t) => {
      w.longest = Math.max(w.longest, t - w.last);
      w.last = t;
      w.frames += 1;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
}

/** The frame counter and longest gap since the last call (which starts a new window). */
async function framesSince(page) {
  return page.evaluate(() => {
    const w = window.__frames;
    const out = { frames: w.frames, longest: Math.max(w.longest, performance.now() - w.last) };
    w.frames = 0;
    w.longest = 0;
    w.last = performance.now();
    return out;
  });
}

async function status(page) {
  return page.evaluate(() => ({ text: document.getElementById('status').textContent, state: document.getElementById('status').dataset.state }));
}

async function choose(page, name, bytes) {
  await page.setInputFiles('#model-file', onnx(name, bytes));
  await page.waitForFunction(() => document.getElementById('status').dataset.state !== 'loading', null, { timeout: 30_000 });
  await waitSettled(page);
  return status(page);
}

/**
 * Put `bytes` into the page as a File (window.__file), outside any frame measurement: handing a
 * large file to the page costs the test, not the page.
 */
async function stageFile(page, name, bytes) {
  await page.evaluate(
    ([name, b64]) => {
      const raw = atob(b64);
      const data = new Uint8Array(raw.length);
      for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
      window.__file = new File([data], name, { type: 'application/octet-stream' });
    },
    [name, Buffer.from(bytes).toString('base64')],
  );
}

/** Drop the staged file on the page, as a person dropping a file would, and wait for the verdict. */
async function dropStaged(page) {
  await page.evaluate(() => {
    const dt = new DataTransfer();
    dt.items.add(window.__file);
    document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    window.__file = null;
  });
  await page.waitForFunction(() => document.getElementById('status').dataset.state !== 'loading', null, { timeout: 30_000 });
  await waitSettled(page);
  return status(page);
}

/**
 * Draw `strokes` (a unit square in the middle of the pad) with synthetic pen events whose times
 * are fixed (a point every 8 ms), so the same drawing gives the same strokes on any page: the
 * readings can then be compared bit for bit. Resolves when the readings match.
 */
async function drawExact(page, strokes) {
  const before = Number(await page.getAttribute('#pad', 'data-strokes'));
  await page.evaluate((strokes) => {
    const pad = document.getElementById('pad');
    const r = pad.getBoundingClientRect();
    const side = Math.min(r.width, r.height) * 0.8;
    const x0 = r.left + (r.width - side) / 2;
    const y0 = r.top + (r.height - side) / 2;
    let t = 1000;
    const fire = (type, [x, y]) => {
      const e = new PointerEvent(type, {
        pointerId: 9,
        pointerType: 'pen',
        isPrimary: true,
        button: type === 'pointermove' ? -1 : 0,
        buttons: type === 'pointerup' ? 0 : 1,
        clientX: x0 + x * side,
        clientY: y0 + y * side,
        bubbles: true,
        cancelable: true,
      });
      Object.defineProperty(e, 'timeStamp', { value: t });
      t += 8;
      pad.dispatchEvent(e);
    };
    for (const stroke of strokes) {
      fire('pointerdown', stroke[0]);
      for (const p of stroke.slice(1)) fire('pointermove', p);
      fire('pointerup', stroke[stroke.length - 1]);
    }
  }, strokes);
  await waitSettled(page, before + strokes.length);
}

/** The exact probabilities on the page (data-p holds each float32 as JS prints it). */
async function exactBars(page) {
  return (await readings(page)).bars.map((b) => b.p);
}

const engine = (page) => page.evaluate(async () => (await import('./engine.js')).memoryReport());

describe('isolation of the models you choose', () => {
  const env = sharedEnv();
  let fresh; // the built-in model's probabilities for sample 3 on a fresh page
  before(async () => {
    const s = await openPage(env);
    await drawExact(s.page, sample(3).strokes);
    fresh = await exactBars(s.page);
    assert.equal((await readings(s.page)).prediction, '3');
    await s.close();
  });

  test('hostile models are refused in words from their worker; the page keeps drawing frames; the built-in model reads bit for bit as on a fresh page', async () => {
    const s = await openPage(env);
    const { page } = s;
    await watchFrames(page);
    const report = [];
    for (const m of hostileModels()) {
      await stageFile(page, m.name, m.bytes);
      await framesSince(page);
      const t0 = Date.now();
      const st = await dropStaged(page);
      const frames = await framesSince(page);
      const ms = Date.now() - t0;
      report.push(`${m.name}: ${ms} ms, ${frames.frames} frames, longest gap ${frames.longest.toFixed(0)} ms; ${st.text}`);
      if (m.says) {
        assert.equal(st.state, 'warning', `${m.name}: ${st.text}`);
        assert.match(st.text, new RegExp(`^Could not use ${m.name.replace(/[.]/g, '\\.')}: `), st.text);
        assert.match(st.text, m.says, `${m.name}: ${st.text}`);
        assert.ok(await page.isHidden('#builtin-model'), 'the built-in model stays in use');
      } else {
        assert.equal(st.state, 'ready', `${m.name}: ${st.text}`);
        await page.click('#builtin-model');
        await page.waitForFunction(() => /built-in model/.test(document.getElementById('status').textContent));
      }
      // The page's main thread never stalls on a model you chose: it is built in a worker.
      assert.ok(frames.longest < 1000, `${m.name}: the page froze for ${frames.longest.toFixed(0)} ms`);
      assert.ok(frames.frames >= 1, `${m.name}: no frame was drawn while it was handled`);
    }
    console.log(`  ${report.join('\n  ')}`);

    // Nothing of them is left: one main-thread instance (the built-in model's, never discarded)
    // and no worker.
    const mem = await engine(page);
    assert.deepEqual({ instances: mem.instances, dead: mem.dead, liveWorkers: mem.liveWorkers }, { instances: 1, dead: 0, liveWorkers: 0 });

    await drawExact(page, sample(3).strokes);
    assert.deepEqual(await exactBars(page), fresh, 'the built-in model reads exactly as on a fresh page');
    await s.close();
  });

  test('a model you choose runs in its own worker: the drawing is read there, the built-in module is never used for it', async () => {
    const s = await openPage(env);
    const { page } = s;
    await drawExact(page, sample(3).strokes);
    const st = await choose(page, 'linear.onnx', linearModel());
    assert.match(st.text, /^Using your model linear\.onnx/);
    assert.equal(page.workers().length >= 1, true, 'a worker holds the model');
    const linear = await exactBars(page);
    assert.notDeepEqual(linear, fresh, 'read by the chosen model');
    let mem = await engine(page);
    assert.equal(mem.liveWorkers, 1);
    assert.ok(mem.workers > 0, 'the worker reports its wasm memory');
    assert.equal(mem.instances, 1, 'no main-thread instance was made for it');

    // Drawing while it is in use: every reading comes from the worker, the latest is shown.
    await page.click('#clear');
    await drawExact(page, sample(7).strokes);
    assert.match((await readings(page)).prediction, /^[0-9]$/);

    await page.click('#builtin-model');
    await waitSettled(page);
    mem = await engine(page);
    assert.equal(mem.liveWorkers, 0, 'its worker is stopped once the model is no longer in use');
    await page.click('#clear');
    await drawExact(page, sample(3).strokes);
    assert.deepEqual(await exactBars(page), fresh);
    await s.close();
  });

  test('a worker that does not answer in time is stopped, the page says so and keeps its model', async () => {
    const s = await openPage(env, {
      // Once the offline worker controls the page (when depends on timing), it fetches the
      // general module itself, past the page's route below.
      contextOptions: { serviceWorkers: 'block' },
      route: (page) =>
        // The general module, which this model needs, arrives only after the time limit.
        page.route('**/lenet5_general_bg.wasm', async (route) => {
          await new Promise((r) => setTimeout(r, 3000));
          await route.continue().catch(() => {});
        }),
    });
    const { page } = s;
    await page.evaluate(async () => {
      (await import('./engine.js')).limits.loadMs = 1000;
    });
    await watchFrames(page);
    const st = await choose(page, 'slow.onnx', linearModel({ matmul: true }));
    const frames = await framesSince(page);
    assert.equal(st.state, 'warning');
    assert.match(st.text, /^Could not use slow\.onnx: building it took longer than 1 s, so it was stopped/);
    assert.ok(frames.longest < 1000, `the page froze for ${frames.longest.toFixed(0)} ms`);
    assert.equal((await engine(page)).liveWorkers, 0);
    await drawExact(page, sample(3).strokes);
    assert.deepEqual(await exactBars(page), fresh, 'the built-in model is still in use, unchanged');
    await s.close();
  });

  test("a model's worker that stops answering is replaced by a new one, and given up on after three times", async () => {
    const s = await openPage(env, { allowErrors: [] });
    const { page } = s;
    const st = await choose(page, 'lenet-copy.onnx', await page.evaluate(async () => [...new Uint8Array(await (await fetch('model/lenet5.onnx')).arrayBuffer())]).then((a) => Buffer.from(a)));
    assert.match(st.text, /^Using your model lenet-copy\.onnx/);
    await drawExact(page, sample(3).strokes);
    assert.deepEqual(await exactBars(page), fresh, 'the same model in its worker reads as the built-in one');
    const firstWorker = page.workers().find((w) => w.url().endsWith('/model-worker.js'));

    // No reading may take any time now: each one stops the worker, and a new one is started.
    await page.evaluate(async () => {
      (await import('./engine.js')).limits.readMs = 0;
    });
    await page.click('#clear');
    await drawExact(page, sample(7).strokes);
    await page.waitForFunction(() => /not restarted again/.test(document.getElementById('status').textContent), null, { timeout: 20_000 });
    const text = (await status(page)).text;
    assert.match(text, /^Could not read the drawing: a reading took longer than 0 s, so its worker was stopped, 3 times: it is not restarted again; choose another model$/);
    assert.equal((await engine(page)).liveWorkers, 0, 'no worker is left running');
    assert.ok(firstWorker, 'the model had a worker');

    // The built-in model is one click away and reads as ever.
    await page.click('#builtin-model');
    await page.waitForFunction(() => /built-in model/.test(document.getElementById('status').textContent));
    await page.click('#clear');
    await drawExact(page, sample(3).strokes);
    assert.deepEqual(await exactBars(page), fresh);
    await s.close();
  });

  test('a module that crashed is discarded: the model is rebuilt on a fresh instance and reads as before', async () => {
    const crashes = [];
    const s = await openPage(env, { allowErrors: [/module failed/, /unreachable|RuntimeError/] });
    const { page } = s;
    page.on('console', (m) => {
      if (/module failed/.test(m.text())) crashes.push(m.text());
    });
    // Exhaust the built-in model's module: its memory cannot grow any more and its allocator is
    // full, so its next allocation aborts (a trap, as a Rust panic is).
    const exhausted = await page.evaluate(async () => {
      const { exports } = await (await import('./loader.js')).loading.wasm;
      for (const pages of [4096, 256, 16, 1]) {
        try {
          for (;;) exports.memory.grow(pages);
        } catch {
          // cannot grow by this much: try less
        }
      }
      let traps = 0;
      for (let size = 1 << 24; size >= 8; size >>= 1) {
        try {
          for (;;) exports.__wbindgen_malloc(size, 8);
        } catch (err) {
          if (err instanceof WebAssembly.RuntimeError) traps += 1;
        }
      }
      return { traps, bytes: exports.memory.buffer.byteLength };
    });
    assert.ok(exhausted.traps > 0, `the allocator failed: ${JSON.stringify(exhausted)}`);

    await drawExact(page, sample(3).strokes);
    // The reading that trapped said so; the model was rebuilt on a new instance, which read
    // the drawing again.
    await page.waitForFunction(() => document.getElementById('status').dataset.state === 'ready', null, { timeout: 15_000 });
    await waitSettled(page);
    assert.ok(crashes.length >= 1, 'the crash was noticed');
    const mem = await engine(page);
    assert.equal(mem.dead, 1, 'the crashed instance is marked dead');
    assert.equal(mem.instances, 2, 'and a fresh one started');
    assert.deepEqual(await exactBars(page), fresh, 'the rebuilt model reads exactly as on a fresh page');

    // It keeps working: another drawing.
    await page.click('#clear');
    await drawExact(page, sample(3).strokes);
    assert.deepEqual(await exactBars(page), fresh);
    await s.close();
  });
});
