// The JavaScript API of the shipped package (www/pkg, the release build the page uses),
// driven in the real browser: every bad model, pixel buffer and stroke list throws a plain
// `Error` with a message (never a wasm trap, never `unreachable`), and the module keeps
// working for the next call. Also checks the shapes of what the API returns.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WWW, openPage, sample, seededRandom, sharedEnv } from './helpers.mjs';
import { linearModel } from './onnx-models.mjs';

/**
 * Runs `body(api)` in the page, where `api` has the wasm module `m` (already started by
 * the page), the committed model bytes `model`, `draw(digits, w, h)` (fixture strokes side by
 * side on a transparent canvas, returns RGBA) and `attempt(f)` ({ ok, value } or the thrown
 * value's { ok: false, isError, name, kind, message }).
 */
async function inPage(page, body, arg) {
  await page.evaluate(async () => {
    if (window.__api) return;
    const m = await import('./pkg/lenet5.js');
    await m.default(); // already started by the page: returns at once
    const model = new Uint8Array(await (await fetch('model/lenet5.onnx')).arrayBuffer());
    const draw = (digits, w, h) => {
      const c = new OffscreenCanvas(w, h);
      const ctx = c.getContext('2d');
      ctx.lineWidth = h / 14;
      ctx.lineCap = 'round';
      ctx.lineJoin = 'round';
      const side = h * 0.8;
      digits.forEach((strokes, i) => {
        const x0 = (w - digits.length * side) / 2 + i * side;
        for (const s of strokes) {
          ctx.beginPath();
          s.forEach(([x, y], k) => (k ? ctx.lineTo : ctx.moveTo).call(ctx, x0 + x * side, h * 0.1 + y * side));
          ctx.stroke();
        }
      });
      return ctx.getImageData(0, 0, w, h).data;
    };
    const attempt = (f) => {
      try {
        return { ok: true, value: f() };
      } catch (e) {
        return { ok: false, isError: e instanceof Error, name: e?.name, kind: e?.kind, message: String(e?.message ?? e) };
      }
    };
    window.__api = { m, model, draw, attempt };
  });
  // A string expression: code Playwright evaluates is exempt from the page's CSP (an eval()
  // inside the page would not be).
  return page.evaluate(`(${body.toString()})(window.__api, ${JSON.stringify(arg ?? null)})`);
}

/** A thrown value that is a proper Error in words, not a trap, with its case as data (`kind`). */
function assertCleanError(r, what, says = /\S/, kind = undefined) {
  assert.equal(r.ok, false, `${what} was accepted`);
  if (kind) assert.equal(r.kind, kind, `${what}: error.kind`);
  assert.ok(r.isError, `${what}: threw a ${r.name}, not an Error`);
  assert.notEqual(r.name, 'RuntimeError', `${what}: a wasm trap (${r.message})`);
  assert.doesNotMatch(r.message, /unreachable|RuntimeError|panicked/i, what);
  assert.match(r.message, says, `${what}: ${r.message}`);
}

describe('JavaScript API (the shipped wasm, in Chromium)', () => {
  const env = sharedEnv();

  test('bad models throw an Error in words and the module keeps working', async () => {
    const s = await openPage(env);
    const model = readFileSync(path.join(WWW, 'model', 'lenet5.onnx'));
    const random = seededRandom(5);
    const cases = [
      ['empty', Buffer.alloc(0), /empty/],
      ['random bytes', Buffer.from(Array.from({ length: 5000 }, () => Math.floor(random() * 256))), /ONNX|model/],
      ['text', Buffer.from('this is not an ONNX model'), /ONNX|model/],
      ['1000 zeros', Buffer.alloc(1000), /\S/],
      ['zeros as long as the model', Buffer.alloc(model.length), /\S/],
      ...[0.1, 1 / 3, 0.5, 0.9].map((f) => [`truncated to ${Math.round(f * 100)}%`, model.subarray(0, Math.floor(model.length * f)), /\S/]),
      ['truncated by one byte', model.subarray(0, model.length - 1), /\S/],
      ['input [N,1,28,28]', linearModel({ inputDims: ['N', 1, 28, 28] }), /input shape/],
      ['input named image', linearModel({ inputName: 'image' }), /input/],
      ['output named logits', linearModel({ outputName: 'logits' }), /probabilities/],
      ['output [N,5]', linearModel({ classes: 5 }), /output shape/],
      ['NaN weights', linearModel({ weight: () => NaN }), /NaN or infinite/],
      ['infinite weights', linearModel({ weight: (i) => (i === 3 ? Infinity : 0.01) }), /NaN or infinite/],
      // A graph only the general module builds: this module says so as data, not only in words.
      ['MatMul + Add', linearModel({ matmul: true }), /needs the general engine/, 'needs-general'],
    ];
    const results = await inPage(
      s.page,
      ({ m, model, attempt }, cases) =>
        cases.map(([name, bytes]) => {
          const bad = attempt(() => new m.Recognizer(new Uint8Array(bytes)));
          // After each failure a good model still loads and runs.
          const good = attempt(() => {
            const r = new m.Recognizer(model);
            const p = r.predict(new Float32Array(1024).fill(0.1));
            r.free();
            return Array.from(p);
          });
          return { name, bad, good };
        }),
      cases.map(([name, bytes]) => [name, [...bytes]]),
    );
    for (const [i, { name, bad, good }] of results.entries()) {
      assertCleanError(bad, name, /^bad model: /, cases[i][3] ?? 'model');
      assert.match(bad.message, cases[i][2], `${name}: ${bad.message}`);
      assert.ok(good.ok, `after ${name}, the good model failed: ${good.message}`);
      assert.ok(Math.abs(good.value.reduce((a, b) => a + b, 0) - 1) < 1e-4, `after ${name}`);
    }
    await s.close();
  });

  test('the committed model with flipped bits is refused cleanly or still honours the contract', async () => {
    const s = await openPage(env);
    const out = await inPage(s.page, ({ m, model, attempt }) => {
      let seed = 99;
      const rand = (n) => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed % n;
      };
      const counts = { refused: 0, loaded: 0 };
      const problems = [];
      for (let trial = 0; trial < 40; trial++) {
        const bytes = model.slice();
        for (let k = 0; k < 3; k++) bytes[rand(bytes.length)] ^= 1 << rand(8);
        const r = attempt(() => new m.Recognizer(bytes));
        if (!r.ok) {
          counts.refused++;
          if (!r.isError || r.name === 'RuntimeError' || !r.message.startsWith('bad model: ')) problems.push(r);
          continue;
        }
        counts.loaded++;
        const p = attempt(() => Array.from(r.value.predict(new Float32Array(1024).fill(0.3))));
        const sum = p.ok ? p.value.reduce((a, b) => a + b, 0) : NaN;
        if (!p.ok || p.value.length !== 10 || !(Math.abs(sum - 1) < 1e-3) || p.value.some((v) => !(v >= 0))) {
          problems.push({ trial, p });
        }
        r.value.free();
      }
      const after = new m.Recognizer(model);
      return { counts, problems, stillWorks: after.predict(new Float32Array(1024)).length === 10 };
    });
    console.log(`flipped-bit models: ${out.counts.loaded} load and honour the contract, ${out.counts.refused} refused`);
    assert.deepEqual(out.problems, []);
    assert.equal(out.counts.loaded + out.counts.refused, 40);
    assert.ok(out.stillWorks);
    await s.close();
  });

  test('bad pixels and network inputs throw an Error in words; the recognizer keeps working', async () => {
    const s = await openPage(env);
    const out = await inPage(s.page, ({ m, model, attempt }) => {
      const r = new m.Recognizer(model);
      const rgba = (n) => new Uint8Array(n);
      const input = (f, n = 1024) => new Float32Array(n).fill(f);
      const withOne = (v) => {
        const x = input(0);
        x[500] = v;
        return x;
      };
      const calls = {
        'recognize: buffer one byte short': () => r.recognize(rgba(10 * 10 * 4 - 1), 10, 10),
        'recognize: buffer one byte long': () => r.recognize(rgba(10 * 10 * 4 + 1), 10, 10),
        'recognize: 0x0': () => r.recognize(rgba(0), 0, 0),
        'recognize: width 0': () => r.recognize(rgba(400), 0, 100),
        'recognize: 100000x100000': () => r.recognize(rgba(64), 100000, 100000),
        'recognize: width -1 (wraps to 2^32-1)': () => r.recognize(rgba(64), -1, 4),
        'recognize: NaN size': () => r.recognize(rgba(64), NaN, NaN),
        'recognizeNumber: buffer short': () => r.recognizeNumber(rgba(399), 10, 10),
        'recognizeNumber: 0x0': () => r.recognizeNumber(rgba(0), 0, 0),
        'recognizeNumber: too large': () => r.recognizeNumber(rgba(64), 5000, 5000),
        'predict: NaN': () => r.predict(withOne(NaN)),
        'predict: Infinity': () => r.predict(withOne(Infinity)),
        'predict: -Infinity': () => r.predict(withOne(-Infinity)),
        'predict: 3 values': () => r.predict(input(0, 3)),
        'predict: 1023 values': () => r.predict(input(0, 1023)),
        'predict: 1025 values': () => r.predict(input(0, 1025)),
        'predict: empty': () => r.predict(input(0, 0)),
        'predict: 1e38 everywhere (overflows)': () => r.predict(input(1e38)),
        'featureMaps: NaN': () => r.featureMaps(withOne(NaN)),
        'featureMaps: 1000 values': () => r.featureMaps(input(0, 1000)),
      };
      const results = Object.fromEntries(Object.entries(calls).map(([k, f]) => [k, attempt(f)]));
      const p = r.predict(input(0.2));
      return { results, after: Array.from(p) };
    });
    for (const [name, r] of Object.entries(out.results)) assertCleanError(r, name, /^bad input: /, 'input');
    assert.match(out.results['recognize: 100000x100000'].message, /too large/);
    assert.match(out.results['recognize: buffer one byte short'].message, /399|400/);
    assert.match(out.results['predict: NaN'].message, /non-finite value \(NaN\) at index 500/);
    assert.match(out.results['predict: 3 values'].message, /1024/);
    assert.equal(out.after.length, 10);
    assert.ok(Math.abs(out.after.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    await s.close();
  });

  test('recognize, recognizeNumber and featureMaps return the documented objects', async () => {
    const s = await openPage(env);
    const digits = [4, 2, 7].map((d) => sample(d).strokes);
    const out = await inPage(
      s.page,
      ({ m, model, draw }, digits) => {
        const r = new m.Recognizer(model);
        const one = r.recognize(draw([digits[2]], 200, 200), 200, 200);
        const empty = r.recognize(new Uint8Array(200 * 200 * 4), 200, 200);
        const number = r.recognizeNumber(draw(digits, 480, 160), 480, 160);
        const emptyNumber = r.recognizeNumber(new Uint8Array(50 * 50 * 4), 50, 50);
        const maps = r.featureMaps(one.input);
        const plain = (v) => JSON.parse(JSON.stringify(v, (k, x) => (x instanceof Float32Array ? { f32: x.length } : x)));
        return {
          one: plain(one),
          inputIsF32: one.input instanceof Float32Array,
          empty: plain(empty),
          number: plain(number),
          emptyNumber: plain(emptyNumber),
          maps: plain(maps),
          hasMaps: r.hasFeatureMaps,
          metadata: plain(r.metadata()),
          metadataIsMap: r.metadata() instanceof Map,
        };
      },
      digits,
    );
    assert.equal(out.one.empty, false);
    assert.equal(out.one.digit, 7);
    assert.ok(out.inputIsF32);
    assert.deepEqual(out.one.input, { f32: 1024 });
    assert.equal(out.one.probabilities.length, 10);
    for (const key of ['confidence', 'rect', 'sure', 'runnerUp', 'runnerUpConfidence']) assert.ok(key in out.one, key);
    assert.deepEqual(Object.keys(out.one.rect).sort(), ['height', 'width', 'x', 'y']);
    assert.equal(out.empty.empty, true);
    assert.equal(out.empty.digit, null);
    assert.equal(out.empty.rect, null);
    assert.equal(out.number.text, '427');
    assert.equal(out.number.digits.length, 3);
    for (const key of ['digit', 'confidence', 'sure', 'runnerUp', 'runnerUpConfidence', 'x', 'y', 'width', 'height']) {
      assert.ok(key in out.number.digits[0], `a number digit has ${key}`);
    }
    assert.deepEqual(out.emptyNumber, { text: '', digits: [] });
    assert.ok(out.hasMaps);
    assert.deepEqual(out.maps.c1, { channels: 6, height: 28, width: 28, data: { f32: 6 * 28 * 28 } });
    assert.deepEqual(out.maps.c3, { channels: 16, height: 10, width: 10, data: { f32: 16 * 10 * 10 } });
    assert.equal(out.metadataIsMap, false, 'metadata() is a plain object, as its type says');
    assert.match(out.metadata.accuracy ?? '', /^0\.99\d*$/, `the committed model's metadata: ${JSON.stringify(out.metadata)}`);
    await s.close();
  });
  test('recognizeStrokes and recognizeNumberStrokes: the documented objects at any scale; bad strokes throw kind "input"', async () => {
    const s = await openPage(env);
    const digits = [4, 2, 7].map((d) => sample(d).strokes);
    const out = await inPage(
      s.page,
      ({ m, model, attempt }, digits) => {
        const r = new m.Recognizer(model);
        // Fixture digits (unit squares) side by side as strokes in "pixels": digit i in the
        // square of side 160 at x = 20 + 200 i, y = 20, all times `scale`; with `times`, stride 3.
        const SIDE = 160;
        const slot = (i) => 20 + i * 200;
        const strokesOf = (ds, scale = 1, times = false) =>
          ds.flatMap((strokes, i) =>
            strokes.map((st) =>
              Float32Array.from(
                st.flatMap(([x, y], k) => [(slot(i) + x * SIDE) * scale, (20 + y * SIDE) * scale, ...(times ? [k * 16] : [])]),
              ),
            ),
          );
        const pen = SIDE / 14;
        const one = r.recognizeStrokes(strokesOf([digits[2]]), pen);
        const twice = r.recognizeStrokes(strokesOf([digits[2]], 2), pen * 2);
        const timed = r.recognizeStrokes(strokesOf([digits[2]], 1, true), pen, 3);
        const number = r.recognizeNumberStrokes(strokesOf(digits), pen);
        const numberTwice = r.recognizeNumberStrokes(strokesOf(digits, 2), pen * 2);
        const empty = r.recognizeStrokes([], pen);
        const emptyNumber = r.recognizeNumberStrokes([], pen);
        const diff = (a, b) => a.reduce((sum, v, i) => sum + Math.abs(v - b[i]), 0) / a.length;
        /** The box of digit `strokes`' points in slot `i`. */
        const bounds = (strokes, i) => {
          const pts = strokes.flatMap((st) => st.map(([x, y]) => [slot(i) + x * SIDE, 20 + y * SIDE]));
          const xs = pts.map((p) => p[0]);
          const ys = pts.map((p) => p[1]);
          return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
        };
        const good = strokesOf([digits[2]]);
        const bad = {
          'a NaN point': () => [[new Float32Array([10, 10, NaN, 20, 30, 30])], pen],
          'stride 4': () => [[new Float32Array([10, 10, 0, 0, 20, 20, 0, 0])], pen, 4],
          'a plain Array for a stroke': () => [[[10, 10, 20, 20]], pen],
          'pen width 0': () => [good, 0],
          'pen width NaN': () => [good, NaN],
          'a 3-value stroke with stride 2': () => [[new Float32Array([10, 10, 20])], pen],
        };
        const failures = {};
        for (const [name, args] of Object.entries(bad)) {
          for (const method of ['recognizeStrokes', 'recognizeNumberStrokes']) {
            failures[`${method}: ${name}`] = attempt(() => r[method](...args()));
            // The module keeps working after each.
            const after = attempt(() => r.recognizeStrokes(good, pen).digit);
            if (!after.ok || after.value !== 7) failures[`after ${method}: ${name}`] = { ok: true, after };
          }
        }
        const plain = (v) => JSON.parse(JSON.stringify(v, (k, x) => (x instanceof Float32Array ? { f32: x.length } : x)));
        return {
          one: plain(one),
          inputIsF32: one.input instanceof Float32Array,
          oneBounds: bounds(digits[2], 0),
          twice: { digit: twice.digit, rect: twice.rect },
          timed: { digit: timed.digit, diff: diff(timed.input, one.input) },
          scaleDiff: diff(twice.input, one.input),
          number: plain(number),
          numberTwice: plain(numberTwice),
          slots: digits.map((d, i) => bounds(d, i)),
          empty: plain(empty),
          emptyNumber: plain(emptyNumber),
          failures,
        };
      },
      digits,
    );
    // One digit: the documented object, its box in the strokes' units (pen included).
    assert.equal(out.one.empty, false);
    assert.equal(out.one.digit, 7);
    assert.ok(out.inputIsF32);
    assert.deepEqual(out.one.input, { f32: 1024 });
    assert.equal(out.one.probabilities.length, 10);
    for (const key of ['confidence', 'rect', 'sure', 'runnerUp', 'runnerUpConfidence']) assert.ok(key in out.one, key);
    assert.deepEqual(Object.keys(out.one.rect).sort(), ['height', 'width', 'x', 'y']);
    const pen = 160 / 14;
    const { rect } = out.one;
    const b = out.oneBounds;
    const near = (a, want, what) => assert.ok(Math.abs(a - want) <= 2, `${what}: ${a}, expected about ${want} (${JSON.stringify(rect)})`);
    near(rect.x, b.x0 - pen / 2, 'rect.x');
    near(rect.y, b.y0 - pen / 2, 'rect.y');
    near(rect.x + rect.width, b.x1 + pen / 2, 'rect right');
    near(rect.y + rect.height, b.y1 + pen / 2, 'rect bottom');
    // Twice the size with twice the pen: the same digit, nearly the same input, twice the box.
    assert.equal(out.twice.digit, 7);
    assert.ok(out.scaleDiff < 0.02, `the input at 2x differs by ${out.scaleDiff} per pixel`);
    for (const k of ['x', 'y', 'width', 'height']) near(out.twice.rect[k], 2 * rect[k], `rect.${k} at 2x`);
    // Times (stride 3) change nothing the network sees.
    assert.equal(out.timed.digit, 7);
    assert.equal(out.timed.diff, 0);
    // A number: digits left to right, each box over its digit, in the strokes' units.
    for (const n of [out.number, out.numberTwice]) {
      assert.equal(n.text, '427');
      assert.equal(n.digits.length, 3);
      for (const key of ['digit', 'confidence', 'sure', 'runnerUp', 'runnerUpConfidence', 'x', 'y', 'width', 'height']) {
        assert.ok(key in n.digits[0], `a number digit has ${key}`);
      }
    }
    for (const [i, d] of out.number.digits.entries()) {
      const slot = out.slots[i];
      assert.ok(d.x >= slot.x0 - pen && d.x + d.width <= slot.x1 + pen, `digit ${i}'s box ${JSON.stringify(d)} is over it (${JSON.stringify(slot)})`);
      if (i > 0) assert.ok(d.x > out.number.digits[i - 1].x, 'left to right');
      near(out.numberTwice.digits[i].x, 2 * d.x, `digit ${i}'s x at 2x`);
    }
    assert.equal(out.empty.empty, true);
    assert.equal(out.empty.digit, null);
    assert.equal(out.empty.rect, null);
    assert.deepEqual(out.emptyNumber, { text: '', digits: [] });
    // Bad strokes: an Error of kind "input" in words, and the module keeps working.
    assert.equal(Object.keys(out.failures).length, 12, JSON.stringify(out.failures));
    for (const [name, r] of Object.entries(out.failures)) assertCleanError(r, name, /^bad input: /, 'input');
    assert.match(out.failures['recognizeStrokes: a NaN point'].message, /non-finite/);
    assert.match(out.failures['recognizeStrokes: stride 4'].message, /groups of 4/);
    assert.match(out.failures['recognizeStrokes: a plain Array for a stroke'].message, /Float32Array/);
    assert.match(out.failures['recognizeStrokes: pen width 0'].message, /pen width/);
    assert.match(out.failures['recognizeStrokes: a 3-value stroke with stride 2'].message, /multiple of 2/);
    await s.close();
  });
});
