// Shared helpers for the browser end-to-end tests (node --test tests/e2e/).
//
// Chromium is Debian's (/usr/bin/chromium), driven by playwright-core; nothing
// downloads a browser. www/ must have been built by scripts/build.sh (wasm glue
// in www/pkg, model in www/model).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { writeManifest } from '../../scripts/sw-manifest.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(HERE, '..', '..');
// E2E_WWW serves another directory (e.g. to try the tests on a copy of www/).
export const WWW = process.env.E2E_WWW ? path.resolve(process.env.E2E_WWW) : path.join(ROOT, 'www');

export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Fail early, in words, when the app was not built. */
export function assertBuilt({ model = true } = {}) {
  const missing = [];
  if (!existsSync(path.join(WWW, 'pkg', 'lenet5.js'))) missing.push('www/pkg/lenet5.js');
  if (!existsSync(path.join(WWW, 'pkg', 'lenet5_bg.wasm'))) missing.push('www/pkg/lenet5_bg.wasm');
  if (!existsSync(path.join(WWW, 'pkg', 'integrity.js'))) missing.push('www/pkg/integrity.js');
  if (model && !existsSync(path.join(WWW, 'model', 'lenet5.onnx'))) missing.push('www/model/lenet5.onnx');
  if (missing.length > 0) {
    throw new Error(`${missing.join(', ')} missing: run scripts/build.sh first (it also copies model/lenet5.onnx)`);
  }
  // The service worker caches only files that match pkg/sw-manifest.js: written again here so a
  // file edited since the last build is not refused (scripts/build.sh writes it too).
  writeManifest(WWW);
}

/**
 * For a test suite: checks the build and starts the server and Chromium once before its tests
 * (before()), stops them after (after()). Returns the environment object, filled in by then.
 */
export function sharedEnv(options = {}) {
  const env = {};
  before(async () => {
    assertBuilt(options);
    Object.assign(env, await startEnv());
  });
  after(async () => {
    await env.stop?.();
  });
  return env;
}

/** Start the static server on a free port and launch Chromium. Call stop() at the end. */
export async function startEnv() {
  const server = await startServer({ root: WWW, port: 0 });
  let browser;
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    server,
    browser,
    url: server.url,
    async stop() {
      await browser.close().catch(() => {});
      await server.close();
    },
  };
}

/**
 * A new context + page that records page errors and console errors.
 * `allowErrors` holds regexps for console errors a test expects.
 */
export async function openPage(env, { query = '', contextOptions = {}, allowErrors = [], route, wait = true } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 }, ...contextOptions });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    const text = msg.text();
    if (!allowErrors.some((re) => re.test(text))) errors.push(`console.error: ${text}`);
  });
  if (route) await route(page);
  await page.goto(new URL(query, env.url).href);
  if (wait) await waitReady(page);
  return {
    context,
    page,
    errors,
    /** Assert no unexpected errors happened, then close the context. */
    async close() {
      await context.close();
      assert.deepEqual(errors, [], 'the page logged errors');
    },
  };
}

export async function waitReady(page, timeout = 30_000) {
  await page.waitForFunction(() => document.body.dataset.ready && document.body.dataset.ready !== 'loading', null, {
    timeout,
  });
  const state = await page.evaluate(() => document.body.dataset.ready);
  if (state !== 'true') {
    const status = await page.textContent('#status');
    throw new Error(`the page did not get ready: data-ready=${state}, #status: ${status}`);
  }
}

/** The pad's box in CSS pixels (viewport coordinates). */
export async function padBox(page) {
  const box = await page.locator('#pad').boundingBox();
  assert.ok(box && box.width > 100 && box.height > 100, `the pad is too small or hidden: ${JSON.stringify(box)}`);
  return box;
}

/**
 * Strokes -> viewport points, at most `step` CSS px apart.
 *
 * `fit: 'square'` (the default) takes points in a unit square (the fixture's digits) and
 * places that square in the middle of the pad, as tall as the pad: a digit keeps its shape
 * on a landscape pad. `fit: 'box'` takes points from 0 to 1 across the pad's whole box.
 */
export function toViewport(strokes, box, step = 4, fit = 'square') {
  const side = Math.min(box.width, box.height);
  const frame =
    fit === 'box'
      ? { x: box.x, y: box.y, w: box.width, h: box.height }
      : { x: box.x + (box.width - side) / 2, y: box.y + (box.height - side) / 2, w: side, h: side };
  return strokes.map((stroke) => {
    const pts = stroke.map(([x, y]) => [frame.x + x * frame.w, frame.y + y * frame.h]);
    const out = [pts[0]];
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1];
      const [x1, y1] = pts[i];
      const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0) / step));
      for (let k = 1; k <= n; k++) out.push([x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n]);
    }
    return out;
  });
}

/**
 * Draw strokes with the mouse: move to the start, press, move through points at
 * most `step` CSS px apart, release. Resolves when the readings match. Points are
 * in a unit square in the middle of the pad (a fixture digit), or with
 * `fit: 'box'` across the pad's whole box (see toViewport).
 *
 * By default the moves of a stroke are sent back to back without waiting for
 * each one (like a real mouse, faster than the screen refreshes: the browser
 * coalesces them, the page reads them with getCoalescedEvents). Playwright and
 * CDP keep their order. `paced: true` waits for every move (about one per
 * frame: slow). `release: false` leaves the button down after the last stroke.
 * `cdp`: a CDP session of the page, to send the same mouse events straight to
 * Chromium's input pipeline (Input.dispatchMouseEvent), about twice as fast as
 * page.mouse for long runs. `box`: the pad's box, if already known.
 */
export async function drawMouse(
  page,
  strokes,
  { step = 6, release = true, paced = false, cdp = null, box = null, fit = 'square' } = {},
) {
  const before = Number(await page.getAttribute('#pad', 'data-strokes'));
  const paths = toViewport(strokes, box ?? (await padBox(page)), step, fit);
  const mouse = cdp ? cdpMouse(cdp) : page.mouse;
  for (const [i, pts] of paths.entries()) {
    await mouse.move(pts[0][0], pts[0][1]);
    await mouse.down();
    if (paced) {
      for (const [x, y] of pts.slice(1)) await mouse.move(x, y);
    } else {
      await Promise.all(pts.slice(1).map(([x, y]) => mouse.move(x, y)));
    }
    if (release || i < paths.length - 1) await mouse.up();
  }
  if (release) await waitSettled(page, before + strokes.length);
}

/** page.mouse's move/down/up (left button) as raw CDP input events. */
function cdpMouse(cdp) {
  const state = { x: 0, y: 0, down: false };
  const send = (type, extra = {}) =>
    cdp.send('Input.dispatchMouseEvent', {
      type,
      x: state.x,
      y: state.y,
      button: state.down || type === 'mouseReleased' ? 'left' : 'none',
      buttons: state.down ? 1 : 0,
      pointerType: 'mouse',
      ...extra,
    });
  return {
    move(x, y) {
      state.x = x;
      state.y = y;
      return send('mouseMoved');
    },
    down() {
      state.down = true;
      return send('mousePressed', { clickCount: 1 });
    },
    up() {
      state.down = false;
      return send('mouseReleased', { clickCount: 1 });
    },
  };
}

/** Draw strokes with a finger through CDP touch events (moves sent back to back); points as in drawMouse. */
export async function drawTouch(page, cdp, strokes, { step = 6, fit = 'square' } = {}) {
  const before = Number(await page.getAttribute('#pad', 'data-strokes'));
  const paths = toViewport(strokes, await padBox(page), step, fit);
  const touch = ([x, y]) => ({ x, y, id: 1, radiusX: 4, radiusY: 4, force: 0.5 });
  for (const pts of paths) {
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [touch(pts[0])] });
    await Promise.all(
      pts.slice(1).map((p) => cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [touch(p)] })),
    );
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
  }
  await waitSettled(page, before + strokes.length);
}

/** Wait until the pad holds `strokes` strokes, no stroke is in progress and the readings match. */
export async function waitSettled(page, strokes, timeout = 10_000) {
  await page.waitForFunction(
    (n) => {
      const pad = document.getElementById('pad');
      return (
        (n === undefined || Number(pad.dataset.strokes) === n) &&
        pad.dataset.drawing === 'false' &&
        pad.dataset.recognized === pad.dataset.version
      );
    },
    strokes,
    { timeout },
  );
}

/** Everything the page shows about the current reading. */
export async function readings(page) {
  return page.evaluate(() => {
    const bars = [...document.querySelectorAll('#probabilities [data-digit]')].map((el) => ({
      digit: Number(el.dataset.digit),
      p: Number(el.dataset.p),
      top: el.classList.contains('top'),
      width: el.querySelector('.bar-fill')?.style.width ?? '',
    }));
    const preview = document.getElementById('preview');
    const data = preview.getContext('2d').getImageData(0, 0, preview.width, preview.height).data;
    let distinct = new Set();
    for (let i = 0; i < data.length && distinct.size < 3; i += 4) distinct.add(`${data[i]},${data[i + 1]},${data[i + 2]}`);
    let inked = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1]) inked++;
    return {
      prediction: document.getElementById('prediction').textContent,
      confidence: document.getElementById('confidence').textContent,
      status: document.getElementById('status').textContent,
      ready: document.body.dataset.ready,
      bars,
      previewBlank: distinct.size <= 1,
      previewInked: inked,
      strokes: Number(document.getElementById('pad').dataset.strokes),
    };
  });
}

/** Check the readings are consistent with a drawn digit; returns them. */
export async function assertReading(page) {
  const r = await readings(page);
  assert.match(r.prediction, /^[0-9]$/, `#prediction should be one digit, got ${JSON.stringify(r.prediction)}`);
  assert.equal(r.bars.length, 10, 'ten probability bars');
  assert.deepEqual(
    r.bars.map((b) => b.digit),
    [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  );
  const sum = r.bars.reduce((s, b) => s + b.p, 0);
  assert.ok(Math.abs(sum - 1) < 1e-3, `probabilities sum to ${sum}`);
  const best = r.bars.reduce((a, b) => (b.p > a.p ? b : a));
  assert.equal(String(best.digit), r.prediction, 'the most probable bar is the prediction');
  assert.deepEqual(
    r.bars.filter((b) => b.top).map((b) => b.digit),
    [best.digit],
    'exactly the top bar is highlighted',
  );
  assert.ok(!r.previewBlank, 'the preview shows the network input');
  return r;
}

export async function assertEmpty(page) {
  const r = await readings(page);
  assert.equal(r.prediction, '', '#prediction is empty');
  assert.equal(r.bars.length, 10);
  assert.ok(
    r.bars.every((b) => b.p === 0 && !b.top),
    `bars at zero: ${JSON.stringify(r.bars.map((b) => b.p))}`,
  );
  assert.ok(r.previewBlank, 'the preview is blank');
  return r;
}

let fixtureCache = null;
/** tests/e2e/fixtures/strokes.json (made by scripts/make-stroke-fixture.py). */
export function loadFixture() {
  fixtureCache ??= JSON.parse(readFileSync(path.join(HERE, 'fixtures', 'strokes.json'), 'utf8'));
  return fixtureCache;
}

/** tests/e2e/fixtures/styles.json: digit forms MNIST rarely has (scripts/make-style-fixture.py). */
export function loadStyleFixture() {
  return JSON.parse(readFileSync(path.join(HERE, 'fixtures', 'styles.json'), 'utf8'));
}

// Hand-authored glyphs of the fixture used as clear, typical samples of each digit.
const SAMPLE_GLYPHS = {
  0: '0-oval',
  1: '1-stroke',
  2: '2-plain',
  3: '3-round',
  4: '4-open-top',
  5: '5-two-strokes',
  6: '6-curl',
  7: '7-crossbar',
  8: '8-two-loops',
  9: '9-straight-stem',
};

/** A clearly written `label` from the fixture: the largest variant of a typical glyph. */
export function sample(label, glyph = SAMPLE_GLYPHS[label]) {
  const all = loadFixture().digits.filter((d) => d.label === label && d.glyph === glyph);
  assert.ok(all.length > 0, `no ${glyph} in the fixture`);
  return all.reduce((a, b) => (digitHeight(b) > digitHeight(a) ? b : a));
}

/** Height of a fixture digit as a fraction of the pad. */
export function digitHeight(d) {
  const ys = d.strokes.flat().map((p) => p[1]);
  return Math.max(...ys) - Math.min(...ys);
}

/** A seeded random generator (mulberry32): numbers in [0, 1), the same for the same seed. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Fixture digits written side by side as one number, in box units of a pad
 * `aspect` times as wide as tall (draw with `fit: 'box'`).
 *
 * Each digit is cropped to its strokes, scaled to `height` (a fraction of the pad
 * height, times 1 ± `sizeJitter`), shifted up or down by up to `baseline`, and
 * slanted by `slant` (x moves right by slant x the height above the digit's
 * bottom). `gaps[i]` is the space between the boxes of digits i and i+1, in pad
 * heights, on top of `penWidth` so strokes of neighbours never touch. A number too
 * wide for the pad is scaled down (the gaps are not) to fit within `margin` of the
 * edges; `shift` (0..1) places it in the room left over, from left to right.
 */
export function composeNumber(
  digits,
  {
    aspect,
    height = 0.6,
    sizeJitter = 0,
    baseline = 0,
    slant = 0,
    gaps = [],
    penWidth = 1 / 22, // the page's default pen
    margin = 0.06,
    random = Math.random,
    shift = 0.5,
  } = {},
) {
  const jitter = (amount) => (random() * 2 - 1) * amount;
  // Each digit scaled, slanted and moved so its box starts at x = 0.
  const shapes = digits.map((d) => {
    const pts = d.strokes.flat();
    const x0 = Math.min(...pts.map((p) => p[0]));
    const y0 = Math.min(...pts.map((p) => p[1]));
    const h = Math.max(...pts.map((p) => p[1])) - y0 || 1;
    const size = height * (1 + jitter(sizeJitter));
    const top = jitter(baseline) - size / 2;
    const strokes = d.strokes.map((s) =>
      s.map(([x, y]) => {
        const yy = top + ((y - y0) / h) * size;
        return [((x - x0) / h) * size + slant * (top + size - yy), yy];
      }),
    );
    const xs = strokes.flat().map((p) => p[0]);
    const left = Math.min(...xs);
    return { strokes: strokes.map((s) => s.map(([x, y]) => [x - left, y])), width: Math.max(...xs) - left };
  });
  const spaces = shapes.slice(1).map((_, i) => (gaps[i] ?? 0.15) + penWidth);
  const fixed = spaces.reduce((a, b) => a + b, 0);
  const inked = shapes.reduce((a, s) => a + s.width, 0);
  const ys = shapes.flatMap((s) => s.strokes.flat().map((p) => p[1]));
  const span = Math.max(...ys) - Math.min(...ys);
  const room = { w: aspect - 2 * margin - penWidth, h: 1 - 2 * margin - penWidth };
  const k = Math.min(1, (room.w - fixed) / inked, room.h / span);
  const total = inked * k + fixed;
  const midY = (Math.max(...ys) + Math.min(...ys)) / 2;
  let cursor = margin + penWidth / 2 + Math.max(0, room.w - total) * shift;
  const out = [];
  for (const [i, shape] of shapes.entries()) {
    for (const stroke of shape.strokes) {
      out.push(stroke.map(([x, y]) => [(cursor + x * k) / aspect, 0.5 + (y - midY) * k]));
    }
    cursor += shape.width * k + (spaces[i] ?? 0);
  }
  return out;
}
