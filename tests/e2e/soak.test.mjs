// Soak: 10,000 recognitions in one page, through the page's own path (pointer events on
// the pad -> recognize + recognizeNumber + readings + digit boxes + feature maps), then the
// wasm memory, the JS heap and the DOM are compared with what they were after a warm-up.
// Also measures, without asserting (timings belong in benchmarks), how long frames get while
// a stroke is drawn one move per frame, next to the recognition time the page measured.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadFixture, openPage, sharedEnv } from './helpers.mjs';

const RECOGNITIONS = 10_000;
const WARM_UP = 1_000;

describe('soak', () => {
  const env = sharedEnv();

  test(`${RECOGNITIONS.toLocaleString('en')} recognitions: wasm memory, JS heap and DOM stay flat`, async () => {
    const s = await openPage(env);
    const { page } = s;
    const cdp = await page.context().newCDPSession(page);
    // Ten clear fixture digits, one of each, as strokes in a unit square.
    const digits = loadFixture().digits.filter((d, i, all) => all.findIndex((e) => e.label === d.label) === i);
    assert.equal(digits.length, 10);

    // The driver lives in the page: synthetic pointer events are dispatched synchronously, and
    // the page reads the drawing on every pointerup, as it does for a real pen lift.
    await page.evaluate((digits) => {
      const pad = document.getElementById('pad');
      let recognized = 0;
      new MutationObserver((records) => (recognized += records.length)).observe(pad, { attributes: true, attributeFilter: ['data-recognized'] });
      const fire = (type, x, y) =>
        pad.dispatchEvent(
          new PointerEvent(type, {
            pointerId: 7,
            pointerType: 'pen',
            isPrimary: true,
            button: type === 'pointermove' ? -1 : 0,
            buttons: type === 'pointerup' ? 0 : 1,
            clientX: x,
            clientY: y,
            bubbles: true,
            cancelable: true,
          }),
        );
      let n = 0; // digits written so far
      let slot = 0; // position of the next digit in the current number
      let strokes = 0; // pen lifts on a non-empty pad: each one is a full reading
      window.__soak = {
        get recognized() {
          return recognized;
        },
        get strokes() {
          return strokes;
        },
        /** Write digits (up to three in a row, then clear) until `target` pen lifts in all. */
        run(target) {
          while (strokes < target) {
            if (slot === 3) {
              document.getElementById('clear').click();
              slot = 0;
            }
            const r = pad.getBoundingClientRect();
            const side = Math.min(r.height * 0.7, r.width / 4.6);
            const x0 = r.left + side * 0.3 + slot * side * 1.1;
            const y0 = r.top + (r.height - side) / 2 + ((n * 7) % 5) - 2;
            for (const stroke of digits[n % 10].strokes) {
              const pts = stroke.map(([x, y]) => [x0 + x * side, y0 + y * side]);
              fire('pointerdown', ...pts[0]);
              for (const p of pts.slice(1)) fire('pointermove', ...p);
              fire('pointerup', ...pts[pts.length - 1]);
              strokes++;
            }
            n++;
            slot++;
          }
        },
        clear() {
          document.getElementById('clear').click();
          slot = 0;
        },
      };
    }, digits);

    /** Run up to `target` pen lifts in batches, letting frames (and the feature maps) render between. */
    const runTo = async (target) => {
      const t0 = Date.now();
      for (;;) {
        const done = await page.evaluate(async (target) => {
          window.__soak.run(Math.min(target, window.__soak.strokes + 100));
          await new Promise(requestAnimationFrame);
          return window.__soak.strokes;
        }, target);
        if (done >= target) break;
      }
      return Date.now() - t0;
    };

    /** Memory and DOM in a settled state: pad cleared, garbage collected. */
    const measure = async () => {
      await page.evaluate(async () => {
        window.__soak.clear();
        await new Promise(requestAnimationFrame);
        await new Promise(requestAnimationFrame);
      });
      await cdp.send('HeapProfiler.collectGarbage');
      const heap = await cdp.send('Runtime.getHeapUsage');
      const dom = await cdp.send('Memory.getDOMCounters');
      const wasm = await page.evaluate(async () => {
        const exports = await (await import('./pkg/lenet5.js')).default(); // the page's instance
        return exports.memory.buffer.byteLength;
      });
      return { wasm, heap: heap.usedSize, nodes: dom.nodes, listeners: dom.jsEventListeners, documents: dom.documents };
    };

    const start = await measure();
    await runTo(WARM_UP);
    const warm = await measure();
    const ms = await runTo(RECOGNITIONS);
    const end = await measure();
    const soak = await page.evaluate(() => ({
      recognized: window.__soak.recognized,
      strokes: window.__soak.strokes,
      status: document.getElementById('status').dataset.state,
    }));

    const mb = (b) => `${(b / 2 ** 20).toFixed(2)} MB`;
    console.log(
      `soak: ${soak.strokes} pen lifts read in ${(ms / 1000).toFixed(1)} s (${(ms / (soak.strokes - WARM_UP)).toFixed(2)} ms each, all page work included)\n` +
        `  wasm memory: start ${mb(start.wasm)}, after ${WARM_UP} ${mb(warm.wasm)}, after ${soak.strokes} ${mb(end.wasm)}\n` +
        `  JS heap (after GC): start ${mb(start.heap)}, warm ${mb(warm.heap)}, end ${mb(end.heap)}\n` +
        `  DOM nodes: start ${start.nodes}, warm ${warm.nodes}, end ${end.nodes}; listeners ${start.listeners} / ${warm.listeners} / ${end.listeners}`,
    );
    assert.ok(soak.strokes >= RECOGNITIONS, `${soak.strokes} pen lifts`);
    // Every pen lift and every clear was read (the attribute changes once per reading).
    assert.ok(soak.recognized >= RECOGNITIONS, `${soak.recognized} readings for ${soak.strokes} pen lifts`);
    assert.equal(soak.status, 'ready', 'no reading failed');
    // Flat: after the warm-up, 9,000 more readings grow nothing.
    assert.equal(end.wasm, warm.wasm, `wasm memory grew from ${mb(warm.wasm)} to ${mb(end.wasm)}`);
    assert.equal(end.nodes, warm.nodes, 'DOM nodes');
    assert.equal(end.listeners, warm.listeners, 'event listeners');
    assert.equal(end.documents, warm.documents, 'documents');
    assert.ok(end.heap < warm.heap + 2 * 2 ** 20, `JS heap grew from ${mb(warm.heap)} to ${mb(end.heap)}`);
    await cdp.detach();
    await s.close();
  });

  test('frames while drawing one move per frame (measured, not asserted)', async () => {
    const s = await openPage(env);
    const { page } = s;
    const stats = await page.evaluate(async (digit) => {
      const pad = document.getElementById('pad');
      const r = pad.getBoundingClientRect();
      const side = Math.min(r.height * 0.8, r.width / 4.6);
      const frames = [];
      const readMs = [];
      let last = performance.now();
      let reads = 0;
      new MutationObserver((records) => (reads += records.length)).observe(pad, { attributes: true, attributeFilter: ['data-recognized'] });
      const fire = (type, x, y) =>
        pad.dispatchEvent(
          new PointerEvent(type, { pointerId: 3, pointerType: 'pen', isPrimary: true, button: type === 'pointermove' ? -1 : 0, buttons: type === 'pointerup' ? 0 : 1, clientX: x, clientY: y, bubbles: true }),
        );
      for (let k = 0; k < 12; k++) {
        const x0 = r.left + 10 + (k % 4) * side * 1.1;
        for (const stroke of digit.strokes) {
          const pts = stroke.map(([x, y]) => [x0 + x * side, r.top + 10 + y * side]);
          fire('pointerdown', ...pts[0]);
          for (const p of pts.slice(1)) {
            fire('pointermove', ...p);
            const now = await new Promise(requestAnimationFrame);
            frames.push(now - last);
            last = now;
          }
          fire('pointerup', ...pts[pts.length - 1]);
          // The page's own timing of that reading: "… took X ms as one digit, Y ms as a number …".
          const ms = (document.getElementById('timing').textContent.match(/[\d.]+(?= ms)/g) ?? []).map(Number);
          readMs.push(ms.slice(0, 2).reduce((a, b) => a + b, 0));
        }
        if (k % 4 === 3) document.getElementById('clear').click();
      }
      frames.sort((a, b) => a - b);
      const q = (p) => frames[Math.min(frames.length - 1, Math.floor(p * frames.length))];
      return {
        frames: frames.length,
        p50: q(0.5),
        p99: q(0.99),
        max: frames[frames.length - 1],
        over34: frames.filter((f) => f > 34).length,
        reads,
        readMax: Math.max(...readMs),
        readMedian: readMs.sort((a, b) => a - b)[readMs.length >> 1],
      };
    }, loadFixture().digits.find((d) => d.label === 8));
    console.log(
      `frames while drawing: ${stats.frames} frames, p50 ${stats.p50.toFixed(1)} ms, p99 ${stats.p99.toFixed(1)} ms, max ${stats.max.toFixed(1)} ms, ` +
        `${stats.over34} longer than two frames; ${stats.reads} readings, a full reading at pen lift took ${stats.readMedian.toFixed(1)} ms (median), ${stats.readMax.toFixed(1)} ms (max)`,
    );
    assert.ok(stats.frames > 100 && stats.reads > 10, 'the pad was drawn on and read');
    await s.close();
  });
});
