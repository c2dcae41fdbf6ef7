// <digit-input> (packages/digit-input), end to end in Chromium with real pointer input.
//
// The npm package scripts/build.sh packed (target/npm/lenet5-digit-input-*.tgz) is unpacked into
// a scratch site at /node_modules/lenet5-digit-input/, away from the pages that use it, so the
// element finds its wasm and model from its own location. Every host page has a strict
// Content-Security-Policy (own origin only, no inline script or style, no eval beyond
// 'wasm-unsafe-eval', Trusted Types with no policy at all), and every page is checked for CSP
// violations and errors when it closes. Then the examples in www/examples/, online and offline.
// SCREENSHOT=1 (or a missing file) writes docs/screenshot-pin.png and docs/screenshot-exercise.png.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, WWW, assertBuilt, composeNumber, sample, toViewport } from './helpers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const PACKAGE = path.join(ROOT, 'packages', 'digit-input');
const VERSION = JSON.parse(readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')).version;
const TARBALL = path.join(ROOT, 'target', 'npm', `lenet5-digit-input-${VERSION}.tgz`);
const NONDIGITS = JSON.parse(readFileSync(path.join(HERE, 'fixtures', 'nondigits.json'), 'utf8')).drawings;
const PIN_SHOT = path.join(ROOT, 'docs', 'screenshot-pin.png');
const EXERCISE_SHOT = path.join(ROOT, 'docs', 'screenshot-exercise.png');
const wantShots = process.env.SCREENSHOT === '1' || !existsSync(PIN_SHOT) || !existsSync(EXERCISE_SHOT);

/** The strict policy of every host page here (the README's five lines have none: an embedder's page). */
const CSP =
  "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src 'self'; img-src data:; " +
  "form-action 'self'; base-uri 'none'; object-src 'none'; require-trusted-types-for 'script'; trusted-types 'none'";

const page = (title, body, { script = 'host.js', css = 'host.css' } = {}) => `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta http-equiv="Content-Security-Policy" content="${CSP}">
  <title>${title}</title>
  <link rel="icon" href="data:,">
  <link rel="stylesheet" href="${css}">
  <script type="module" src="${script}"></script>
</head>
<body>
${body}
</body>
</html>
`;

const FORM = `<form id="f" method="post" action="/submit">
  <label for="pin">PIN</label> <digit-input id="pin" name="pin" digits="4" required></digit-input>
  <label for="age">Age</label> <digit-input id="age" name="age"></digit-input>
  <digit-input id="off" name="off" disabled aria-label="Disabled field"></digit-input>
  <p id="message"></p>
  <button id="send">Send</button> <button type="reset" id="reset">Reset</button>
</form>
<button id="after" type="button">after</button>`;

// Records every input/change event (what the event carries) and shows the message of a blocked submit.
const HOST_JS = `import '../node_modules/lenet5-digit-input/digit-input.js';
window.__events = [];
for (const el of document.querySelectorAll('digit-input')) {
  for (const type of ['input', 'change']) {
    el.addEventListener(type, (e) => {
      window.__events.push({
        id: el.id, type, value: e.value, sure: e.sure, typed: e.typed, t: performance.now(),
        digits: e.digits.map((d) => ({ ...d })), bubbles: e.bubbles, composed: e.composed, cls: e.constructor.name,
        drawing: el.matches(':state(drawing)'),
      });
    });
  }
}
document.getElementById('f').addEventListener('invalid', (e) => {
  document.getElementById('message').textContent = e.target.validationMessage;
}, true);
`;

// #age: tall, red ink on yellow paper, a 12 px pen. #pin: the element's default size.
const HOST_CSS = `#age { width: 200px; height: 260px; --digit-input-ink: rgb(200, 0, 0); --digit-input-paper: rgb(255, 255, 200); --digit-input-pen-width: 12px; }
`;

const OVERRIDE_JS = `import { DigitInputElement } from '../node_modules/lenet5-digit-input/digit-input.js';
DigitInputElement.engine = { wasm: '/elsewhere/engine.wasm', model: '/elsewhere/model.onnx' };
window.__lateSet = (() => {
  // Once started, the engine cannot change files.
  return DigitInputElement.preload().then(() => {
    try {
      DigitInputElement.engine = { model: '/other.onnx' };
      return 'allowed';
    } catch (e) {
      return e.message;
    }
  });
})();
`;

const PLAIN_JS = `import '../node_modules/lenet5-digit-input/digit-input.js';\n`;

/** The first ```html block of the package's README. */
function readmeExample() {
  const m = /```html\n([\s\S]*?)```/.exec(readFileSync(path.join(PACKAGE, 'README.md'), 'utf8'));
  assert.ok(m, 'the README has an html example');
  return m[1];
}

/** A scratch site: the package unpacked into node_modules/, host pages elsewhere. */
function makeSite() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'digit-input-site-'));
  const pkg = path.join(dir, 'node_modules', 'lenet5-digit-input');
  mkdirSync(pkg, { recursive: true });
  execFileSync('tar', ['-xzf', TARBALL, '-C', pkg, '--strip-components=1']);
  writeFileSync(path.join(dir, 'index.html'), readmeExample());
  writeFileSync(path.join(dir, 'favicon.ico'), ''); // the embedder's site has one
  const app = path.join(dir, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'form.html'), page('form', FORM));
  writeFileSync(path.join(app, 'host.js'), HOST_JS);
  writeFileSync(path.join(app, 'host.css'), HOST_CSS);
  writeFileSync(path.join(app, 'override.html'), page('override', '<digit-input id="x" aria-label="x"></digit-input>', { script: 'override.js' }));
  writeFileSync(path.join(app, 'override.js'), OVERRIDE_JS);
  writeFileSync(
    path.join(app, 'attrs.html'),
    page('attributes', '<digit-input id="x" aria-label="x" wasm-src="../elsewhere/engine.wasm" model-src="../elsewhere/model.onnx"></digit-input>', { script: 'plain.js' }),
  );
  writeFileSync(path.join(app, 'broken.html'), page('broken', '<digit-input id="x" aria-label="x" model-src="missing.onnx"></digit-input>', { script: 'plain.js' }));
  writeFileSync(path.join(app, 'plain.js'), PLAIN_JS);
  // A copy of the package whose model was damaged after the build (one byte).
  const tampered = path.join(dir, 'tampered');
  cpSync(pkg, tampered, { recursive: true });
  const model = readFileSync(path.join(tampered, 'dist', 'lenet5.onnx'));
  model[model.length - 100] ^= 1;
  writeFileSync(path.join(tampered, 'dist', 'lenet5.onnx'), model);
  writeFileSync(path.join(app, 'tampered.html'), page('tampered', '<digit-input id="x" aria-label="x"></digit-input>', { script: 'tampered.js' }));
  writeFileSync(path.join(app, 'tampered.js'), "import '../tampered/digit-input.js';\n");
  mkdirSync(path.join(dir, 'elsewhere'));
  copyFileSync(path.join(pkg, 'dist', 'lenet5_bg.wasm'), path.join(dir, 'elsewhere', 'engine.wasm'));
  copyFileSync(path.join(pkg, 'dist', 'lenet5.onnx'), path.join(dir, 'elsewhere', 'model.onnx'));
  return dir;
}

/**
 * A fresh context and page; records requests, CSP violations and errors (checked by close()).
 * `post`: a path whose POSTs are answered here and recorded in `posts` (routed before the page
 * loads: routing a page that is loading can lose the events of requests in flight).
 */
async function open(env, url, { contextOptions = {}, allowErrors = [], server = env.server, post = null } = {}) {
  const context = await env.browser.newContext({ viewport: { width: 1000, height: 800 }, ...contextOptions });
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push(`${e.effectiveDirective} ${e.blockedURI} ${e.sample}`);
    });
  });
  const p = await context.newPage();
  const errors = [];
  const requests = [];
  p.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`));
  p.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (!allowErrors.some((re) => re.test(msg.text()))) errors.push(`console.error: ${msg.text()}`);
  });
  context.on('request', (r) => requests.push(new URL(r.url()).pathname));
  const posts = [];
  if (post) {
    await p.route(`**${post}`, (route) => {
      posts.push({ method: route.request().method(), body: route.request().postData() });
      return route.fulfill({ status: 200, contentType: 'text/plain', body: 'thanks' });
    });
  }
  await p.goto(new URL(url, server.url).href);
  return {
    page: p,
    context,
    requests,
    errors,
    posts,
    async close() {
      const violations = await p.evaluate(() => window.__violations ?? []).catch(() => []);
      await context.close();
      assert.deepEqual(violations, [], 'no Content-Security-Policy violations');
      assert.deepEqual(errors, [], 'no errors');
    },
  };
}

/** Wait until every <digit-input> on the page (or `selector`) can read. */
async function ready(p, selector = 'digit-input') {
  const handle = await p.waitForFunction(
    (sel) => {
      const all = [...document.querySelectorAll(sel)];
      if (all.some((el) => el.matches(':state(error)'))) return 'error';
      return all.every((el) => el.matches(':state(ready)')) && 'ready';
    },
    selector,
    { timeout: 30_000 },
  );
  const state = await handle.jsonValue();
  if (state !== 'ready') throw new Error(`the engine failed: ${await p.evaluate((sel) => document.querySelector(sel).ready.catch((e) => e.message), selector)}`);
}

/** Pointer input as CDP mouse events: mouse (default) or pen. */
function cdpPointer(cdp, pointerType) {
  const state = { x: 0, y: 0, down: false };
  const send = (type) =>
    cdp.send('Input.dispatchMouseEvent', {
      type,
      x: state.x,
      y: state.y,
      button: state.down || type === 'mouseReleased' ? 'left' : 'none',
      buttons: state.down ? 1 : 0,
      clickCount: type === 'mouseMoved' ? 0 : 1,
      pointerType,
    });
  return {
    move: (x, y) => ((state.x = x), (state.y = y), send('mouseMoved')),
    down: () => ((state.down = true), send('mousePressed')),
    up: () => ((state.down = false), send('mouseReleased')),
  };
}

/**
 * Draw `strokes` on the element `selector` (points in a unit square in its middle, or with
 * fit 'box' across its whole box), with the mouse (moves sent back to back, as a real mouse
 * faster than the screen), a pen or a finger (`cdp` needed). Resolves once the element holds
 * the strokes and has read them (unless `release` is false: the last stroke stays down).
 */
async function draw(p, selector, strokes, { fit = 'square', step = 6, release = true, pointer = 'mouse', cdp = null } = {}) {
  const el = p.locator(selector);
  const box = await el.boundingBox();
  const before = await el.evaluate((e) => e.strokeCount);
  const paths = toViewport(strokes, box, step, fit);
  if (pointer === 'touch') {
    const touch = ([x, y]) => ({ x, y, id: 1, radiusX: 4, radiusY: 4, force: 0.5 });
    for (const pts of paths) {
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [touch(pts[0])] });
      await Promise.all(pts.slice(1).map((q) => cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [touch(q)] })));
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    }
  } else {
    const m = pointer === 'pen' ? cdpPointer(cdp, 'pen') : p.mouse;
    for (const [i, pts] of paths.entries()) {
      await m.move(pts[0][0], pts[0][1]);
      await m.down();
      await Promise.all(pts.slice(1).map(([x, y]) => m.move(x, y)));
      if (release || i < paths.length - 1) await m.up();
    }
  }
  if (!release) return;
  await p.waitForFunction(
    ([sel, n]) => {
      const e = document.querySelector(sel);
      return e.strokeCount === n && !e.matches(':state(drawing)') && e.matches(':state(ready)');
    },
    [selector, before + strokes.length],
  );
}

/** Digits written side by side across the element's box (draw with fit 'box'). */
async function numberStrokes(p, selector, text, options = {}) {
  const box = await p.locator(selector).boundingBox();
  const digits = [...text].map((c) => sample(Number(c)));
  return composeNumber(digits, { aspect: box.width / box.height, height: 0.62, gaps: digits.slice(1).map(() => 0.2), ...options });
}

const state = (p, selector) =>
  p.evaluate((sel) => {
    const el = document.querySelector(sel);
    const states = ['empty', 'drawing', 'typed', 'unsure', 'loading', 'ready', 'error', 'user-invalid'].filter((s) => el.matches(`:state(${s})`));
    const v = el.validity;
    return {
      value: el.value,
      sure: el.sure,
      strokes: el.strokeCount,
      message: el.validationMessage,
      valid: v.valid,
      valueMissing: v.valueMissing,
      tooShort: v.tooShort,
      tooLong: v.tooLong,
      customError: v.customError,
      states,
      digits: el.reading.digits.map((d) => ({ ...d })),
    };
  }, selector);

const events = (p, filter = {}) =>
  p.evaluate((f) => window.__events.filter((e) => Object.entries(f).every(([k, v]) => e[k] === v)), filter);

/** Ink pixels (colour far from the paper) on the element's canvas, and its size. */
const canvasInk = (p, selector) =>
  p.evaluate((sel) => {
    const c = document.querySelector(sel).shadowRoot.querySelector('canvas');
    const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
    const [r0, g0, b0] = data;
    let ink = 0;
    for (let i = 0; i < data.length; i += 4) if (Math.abs(data[i] - r0) + Math.abs(data[i + 1] - g0) + Math.abs(data[i + 2] - b0) > 60) ink++;
    return { ink, width: c.width, height: c.height, paper: [r0, g0, b0] };
  }, selector);

/** Accessibility nodes of the page (CDP), unignored, with the properties that matter here. */
async function axNodes(p) {
  const cdp = await p.context().newCDPSession(p);
  const { nodes } = await cdp.send('Accessibility.getFullAXTree');
  await cdp.detach();
  return nodes
    .filter((n) => !n.ignored)
    .map((n) => ({
      role: n.role?.value,
      name: n.name?.value ?? '',
      value: n.value?.value,
      description: n.description?.value ?? '',
      props: Object.fromEntries((n.properties ?? []).map((q) => [q.name, q.value.value])),
    }));
}

describe('<digit-input>', () => {
  const env = {};
  let site;
  before(async () => {
    assertBuilt();
    assert.ok(existsSync(TARBALL), `${path.relative(ROOT, TARBALL)} missing: run scripts/build.sh (its last step packs the package)`);
    site = makeSite();
    env.server = await startServer({ root: site, port: 0 });
    env.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await env.browser?.close().catch(() => {});
    await env.server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  test('the package: the element, its types, the wasm and the model; the README opens with five lines of HTML', () => {
    const files = execFileSync('tar', ['-tzf', TARBALL], { encoding: 'utf8' }).trim().split('\n').sort();
    for (const f of ['digit-input.js', 'digit-input.d.ts', 'package.json', 'README.md', 'dist/lenet5.js', 'dist/lenet5_bg.wasm', 'dist/lenet5.onnx', 'dist/integrity.js']) {
      assert.ok(files.includes(`package/${f}`), `${f} is in the package (${files.join(' ')})`);
    }
    assert.ok(!files.some((f) => f.endsWith('build.mjs')), 'the build script stays out');
    const pkg = JSON.parse(readFileSync(path.join(site, 'node_modules', 'lenet5-digit-input', 'package.json'), 'utf8'));
    assert.equal(pkg.type, 'module');
    assert.equal(pkg.exports['.'].types, './digit-input.d.ts');
    assert.equal(pkg.exports['.'].default, './digit-input.js');
    const types = readFileSync(path.join(PACKAGE, 'digit-input.d.ts'), 'utf8');
    for (const name of ['class DigitInputElement', 'class DigitInputEvent', "'digit-input': DigitInputElement", 'interface DigitReading']) {
      assert.ok(types.includes(name), `the types declare ${name}`);
    }
    // The dist files are the ones the page's build made.
    for (const [f, www] of [
      ['lenet5_bg.wasm', 'pkg/lenet5_bg.wasm'],
      ['lenet5.js', 'pkg/lenet5.js'],
      ['lenet5.onnx', 'model/lenet5.onnx'],
    ]) {
      assert.ok(readFileSync(path.join(site, 'node_modules', 'lenet5-digit-input', 'dist', f)).equals(readFileSync(path.join(WWW, www))), `dist/${f} is www/${www}`);
    }
    const example = readmeExample().trimEnd().split('\n');
    assert.equal(example.length, 5, `five lines:\n${example.join('\n')}`);
    assert.match(example.join('\n'), /<digit-input name="pin"/);
  });

  test("the README's five lines, served from node_modules/: the form posts what was written", async () => {
    const s = await open(env, '/', { post: '/pin' });
    const { page: p } = s;
    await ready(p);
    await draw(p, 'digit-input', await numberStrokes(p, 'digit-input', '2026'), { fit: 'box', step: 4 });
    const st = await state(p, 'digit-input');
    assert.equal(st.value, '2026', `read ${st.value} (${JSON.stringify(st.digits.map((d) => [d.digit, d.confidence.toFixed(3)]))})`);
    assert.ok(st.valid, st.message);
    // The element found its engine next to itself, whatever the page's path.
    assert.ok(s.requests.includes('/node_modules/lenet5-digit-input/dist/lenet5_bg.wasm'), s.requests.join(' '));
    assert.ok(s.requests.includes('/node_modules/lenet5-digit-input/dist/lenet5.onnx'));
    await Promise.all([p.waitForURL('**/pin'), p.click('button')]);
    assert.deepEqual(s.posts, [{ method: 'POST', body: 'pin=2026' }]);
    await s.close();
  });

  test('required blocks an empty submit (valueMissing); too few digits is tooShort', async () => {
    const s = await open(env, '/app/form.html', { post: '/submit' });
    const { page: p } = s;
    await ready(p);
    let st = await state(p, '#pin');
    assert.equal(st.value, '');
    assert.ok(st.valueMissing && !st.valid);
    assert.equal(st.message, 'Write 4 digits here.');
    assert.ok(!st.states.includes('user-invalid'), 'not marked invalid before the user did anything');
    await p.click('#send');
    await p.waitForTimeout(300);
    assert.equal(s.posts.length, 0, 'the empty required field blocked the submit');
    assert.equal(await p.textContent('#message'), 'Write 4 digits here.', 'the form shows the message');
    assert.ok(await p.evaluate(() => document.getElementById('pin').matches(':invalid')));
    st = await state(p, '#pin');
    assert.ok(st.states.includes('user-invalid'), `after a blocked submit: ${st.states}`);
    // The optional field is valid empty.
    assert.ok((await state(p, '#age')).valid);

    await draw(p, '#pin', sample(7).strokes);
    st = await state(p, '#pin');
    assert.equal(st.value, '7');
    assert.ok(st.tooShort && !st.valid);
    assert.equal(st.message, 'Write 4 digits; this reads 1 (7).');
    await p.click('#send');
    await p.waitForTimeout(300);
    assert.equal(s.posts.length, 0);
    await s.close();
  });

  test('"not sure" is a custom validity message the form shows, and blocks the submit', async () => {
    const s = await open(env, '/app/form.html', { post: '/submit' });
    const { page: p } = s;
    await ready(p);
    await p.evaluate(() => {
      document.getElementById('pin').value = '1234';
    });
    // 4 drawn over 9, as in tests/e2e/unsure.test.mjs; a scribble if that reads sure.
    const cases = [[...sample(4).strokes, ...sample(9).strokes], NONDIGITS.find((d) => d.name === 'scribble-5').strokes];
    let st;
    for (const strokes of cases) {
      await p.evaluate(() => document.getElementById('age').clear());
      await draw(p, '#age', strokes);
      st = await state(p, '#age');
      if (!st.sure) break;
    }
    assert.equal(st.sure, false, `read ${st.value} sure`);
    assert.ok(st.customError && !st.valid);
    assert.match(st.message, /^Not sure — [0-9] or [0-9]\? Write it again more clearly\.$/);
    assert.ok(st.states.includes('unsure'));
    await p.waitForFunction(() => window.__events.some((e) => e.id === 'age' && e.type === 'change'));
    const change = (await events(p, { id: 'age', type: 'change' })).at(-1);
    assert.equal(change.sure, false, 'the change event says not sure');
    assert.equal(change.digits[0].sure, false);
    await p.click('#send');
    await p.waitForTimeout(300);
    assert.equal(s.posts.length, 0, '"not sure" blocked the submit');
    assert.equal(await p.textContent('#message'), st.message, 'the form shows the message');
    // Written clearly, it submits.
    await p.evaluate(() => document.getElementById('age').clear());
    await draw(p, '#age', sample(3).strokes);
    assert.ok((await state(p, '#age')).valid);
    await Promise.all([p.waitForURL('**/submit'), p.click('#send')]);
    assert.equal(s.posts.length, 1);
    await s.close();
  });

  test('reset clears the writing, the value and the validity, without events', async () => {
    const s = await open(env, '/app/form.html');
    const { page: p } = s;
    await ready(p);
    await draw(p, '#pin', sample(2).strokes);
    await draw(p, '#age', sample(8).strokes);
    assert.equal((await state(p, '#pin')).value, '2');
    assert.equal((await state(p, '#age')).value, '8');
    assert.ok((await canvasInk(p, '#age')).ink > 100, 'ink on the canvas');
    // Both settled (a pending change would fire when focus leaves for the reset button).
    await p.waitForFunction(() => window.__events.filter((e) => e.type === 'change').length === 2);
    const count = (await events(p)).length;
    await p.click('#reset');
    for (const id of ['#pin', '#age']) {
      const st = await state(p, id);
      assert.equal(st.value, '');
      assert.equal(st.strokes, 0);
      assert.ok(st.states.includes('empty'));
      assert.ok(!st.states.includes('user-invalid'));
      assert.equal((await canvasInk(p, id)).ink, 0, `${id}: the canvas is blank`);
    }
    assert.ok((await state(p, '#pin')).valueMissing);
    assert.deepEqual(await p.evaluate(() => [...new FormData(document.getElementById('f'))]), [
      ['pin', ''],
      ['age', ''],
    ]);
    await p.waitForTimeout(800);
    assert.equal((await events(p)).length, count, 'no input or change from a reset (nor a change left over)');
    await s.close();
  });

  test('two elements read independently, with one wasm and one model download', async () => {
    const s = await open(env, '/app/form.html');
    const { page: p } = s;
    await ready(p);
    await draw(p, '#pin', await numberStrokes(p, '#pin', '3141'), { fit: 'box', step: 4 });
    await draw(p, '#age', sample(6).strokes);
    assert.equal((await state(p, '#pin')).value, '3141');
    assert.equal((await state(p, '#age')).value, '6');
    const count = (file) => s.requests.filter((r) => r.endsWith(file)).length;
    assert.equal(count('/lenet5_bg.wasm'), 1, 'one wasm download for three elements');
    assert.equal(count('/lenet5.onnx'), 1, 'one model download');
    assert.equal(count('/dist/lenet5.js'), 1);
    await s.close();
  });

  test('input while the pen moves, change once the writing settles, with the digits, confidences and sure', async () => {
    const s = await open(env, '/app/form.html');
    const { page: p } = s;
    await ready(p);
    const strokes = sample(5).strokes;
    // The last stroke stays down: input events arrive while drawing, no change yet.
    await draw(p, '#age', strokes, { release: false, step: 3 });
    await p.waitForFunction(() => window.__events.some((e) => e.id === 'age' && e.type === 'input' && e.drawing));
    const live = await events(p, { id: 'age', type: 'input' });
    assert.ok(live.some((e) => e.drawing), 'input while the pen is down');
    assert.equal(live[0].cls, 'DigitInputEvent');
    assert.ok(live[0].bubbles && live[0].composed);
    assert.equal((await events(p, { type: 'change' })).length, 0);
    await p.waitForTimeout(700);
    assert.equal((await events(p, { type: 'change' })).length, 0, 'no change while the pen is down');
    const upAt = await p.evaluate(() => performance.now());
    await p.mouse.up();
    await p.waitForFunction(() => window.__events.some((e) => e.type === 'change'));
    const changes = await events(p, { type: 'change' });
    assert.equal(changes.length, 1);
    const c = changes[0];
    assert.equal(c.id, 'age');
    assert.ok(c.t - upAt >= 550, `change ${Math.round(c.t - upAt)} ms after the pen went up`);
    assert.equal(c.value, '5');
    assert.equal(c.sure, true);
    assert.equal(c.digits.length, 1);
    assert.equal(c.digits[0].digit, 5);
    assert.ok(c.digits[0].confidence > 0.9 && c.digits[0].confidence <= 1, `confidence ${c.digits[0].confidence}`);
    assert.equal(c.digits[0].sure, true);
    assert.ok(c.digits[0].box.width > 10 && c.digits[0].box.height > 50, JSON.stringify(c.digits[0].box));
    assert.ok(c.bubbles && !c.composed);
    const last = (await events(p, { type: 'input' })).at(-1);
    assert.equal(last.value, '5', 'the last input has the final reading');
    // The same reading again is no new change.
    await p.waitForTimeout(700);
    assert.equal((await events(p, { type: 'change' })).length, 1);
    await s.close();
  });

  test('keyboard: Tab order, typed digits, Backspace, Escape, Ctrl+Z, Enter submits; disabled is skipped', async () => {
    const s = await open(env, '/app/form.html', { post: '/submit' });
    const { page: p } = s;
    await ready(p);
    const focused = () => p.evaluate(() => document.activeElement?.id ?? '');
    await p.keyboard.press('Tab');
    assert.equal(await focused(), 'pin');
    await p.keyboard.press('Tab');
    assert.equal(await focused(), 'age');
    await p.keyboard.press('Tab');
    assert.equal(await focused(), 'send', 'the disabled field is skipped');
    await p.keyboard.press('Shift+Tab');
    await p.keyboard.press('Shift+Tab');
    assert.equal(await focused(), 'pin');
    // Digits type; at most `digits` of them.
    await p.keyboard.type('12345');
    let st = await state(p, '#pin');
    assert.equal(st.value, '1234');
    assert.ok(st.states.includes('typed') && st.valid);
    assert.equal((await events(p, { id: 'pin', type: 'input' })).length, 4);
    await p.keyboard.press('Backspace');
    assert.equal((await state(p, '#pin')).value, '123');
    await p.keyboard.press('Escape');
    assert.equal((await state(p, '#pin')).value, '');
    // Ctrl+Z takes back the last stroke.
    await draw(p, '#age', sample(1).strokes);
    await draw(p, '#age', sample(7).strokes);
    const strokes = (await state(p, '#age')).strokes;
    assert.equal(await focused(), 'age', 'drawing focuses the field');
    await p.keyboard.press('Control+z');
    assert.equal((await state(p, '#age')).strokes, strokes - 1);
    await p.keyboard.press('Escape');
    assert.equal((await state(p, '#age')).strokes, 0);
    // Writing replaces typing and the other way round.
    await p.focus('#pin');
    await p.keyboard.type('2468');
    await p.keyboard.press('Enter');
    await p.waitForURL('**/submit');
    assert.deepEqual(s.posts.map((x) => x.body), ['pin=2468&age='], 'Enter submits; a disabled field is not sent');
    await s.close();
  });

  test('screen readers: a named textbox with the value read, required and invalid, a live announcement', async () => {
    const s = await open(env, '/app/form.html');
    const { page: p } = s;
    await ready(p);
    let ax = await axNodes(p);
    const box = (name) => ax.find((n) => n.role === 'textbox' && n.name === name);
    assert.ok(box('PIN'), `a textbox named by its <label>: ${JSON.stringify(ax.filter((n) => n.role === 'textbox'))}`);
    assert.equal(box('PIN').props.required, true);
    assert.match(box('PIN').description, /Write digits with a mouse, finger or pen, or type them/);
    assert.equal(box('Disabled field').props.disabled, true, 'aria-label names it; disabled');
    await draw(p, '#age', sample(4).strokes);
    // Said once the writing has settled, not on every frame.
    const live = () => p.evaluate(() => document.getElementById('age').shadowRoot.querySelector('[role=status]').textContent);
    assert.equal(await live(), '');
    await p.waitForFunction(() => document.getElementById('age').shadowRoot.querySelector('[role=status]').textContent !== '');
    assert.equal(await live(), 'Reads 4.');
    await p.click('#send'); // blocked: PIN missing
    ax = await axNodes(p);
    assert.equal(box('Age').value, '4', 'the textbox value is the number read');
    assert.equal(box('PIN').props.invalid, 'true', 'invalid once a submit was blocked');
    assert.ok(ax.some((n) => n.role === 'status' && n.name === '' && n.props.live === 'polite'), 'a polite live region');
    await s.close();
  });

  test('touch and pen draw like the mouse', async () => {
    const s = await open(env, '/app/form.html', { contextOptions: { hasTouch: true } });
    const { page: p, context } = s;
    await ready(p);
    const cdp = await context.newCDPSession(p);
    const scroll = await p.evaluate(() => [scrollX, scrollY]);
    await draw(p, '#age', sample(2).strokes, { pointer: 'touch', cdp });
    assert.equal((await state(p, '#age')).value, '2', 'a finger');
    assert.deepEqual(await p.evaluate(() => [scrollX, scrollY]), scroll, 'drawing does not scroll the page');
    await p.evaluate(() => document.getElementById('age').clear());
    await draw(p, '#age', sample(9).strokes, { pointer: 'pen', cdp });
    assert.equal((await state(p, '#age')).value, '9', 'a pen');
    await s.close();
  });

  test('sized by CSS at any aspect ratio; ink, paper and pen width from CSS custom properties', async () => {
    const s = await open(env, '/app/form.html', { contextOptions: { deviceScaleFactor: 2 } });
    const { page: p } = s;
    await ready(p);
    const age = await p.locator('#age').boundingBox();
    assert.deepEqual([age.width, age.height], [200, 260], 'a tall field, sized by the page');
    const pin = await p.locator('#pin').boundingBox();
    assert.ok(pin.width / pin.height > 2.5, 'the default is wide');
    let ink = await canvasInk(p, '#age');
    // The canvas fills the field inside its 1 px border, at devicePixelRatio.
    assert.deepEqual([ink.width, ink.height], [396, 516], 'the canvas uses devicePixelRatio');
    assert.deepEqual(ink.paper, [255, 255, 200], '--digit-input-paper');
    // A vertical stroke: the ink across its middle is the 12 px pen (24 device px).
    await draw(p, '#age', [
      [
        [0.5, 0.2],
        [0.5, 0.8],
      ],
    ]);
    const row = await p.evaluate(() => {
      const c = document.getElementById('age').shadowRoot.querySelector('canvas');
      const { data } = c.getContext('2d').getImageData(0, c.height / 2, c.width, 1);
      const px = [];
      for (let i = 0; i < data.length; i += 4) px.push([data[i], data[i + 1], data[i + 2]]);
      return px;
    });
    const red = row.filter(([r, g, b]) => r > 150 && g < 60 && b < 60);
    assert.ok(red.length >= 20 && red.length <= 26, `pen ${red.length / 2} CSS px wide (12 asked)`);
    // Digits read in the tall field and in a square one made by CSS at run time.
    await p.evaluate(() => document.getElementById('age').clear());
    await draw(p, '#age', sample(0).strokes);
    assert.equal((await state(p, '#age')).value, '0');
    await p.evaluate(() => {
      const el = document.getElementById('pin');
      el.style.setProperty('width', '180px'); // CSSOM, which a strict policy allows
      el.style.setProperty('height', '180px');
    });
    await p.waitForFunction(() => document.getElementById('pin').shadowRoot.querySelector('canvas').width === 356);
    await draw(p, '#pin', sample(3).strokes);
    assert.equal((await state(p, '#pin')).value, '3');
    ink = await canvasInk(p, '#pin');
    assert.ok(ink.ink > 100);
    await s.close();
  });

  test('engine URLs: the static setter and the attributes replace the defaults; a missing or damaged model is an error in words', async () => {
    for (const url of ['/app/override.html', '/app/attrs.html']) {
      const s = await open(env, url);
      const { page: p } = s;
      await ready(p);
      await draw(p, '#x', sample(8).strokes);
      assert.equal((await state(p, '#x')).value, '8', url);
      assert.ok(s.requests.includes('/elsewhere/engine.wasm') && s.requests.includes('/elsewhere/model.onnx'), s.requests.join(' '));
      assert.ok(!s.requests.some((r) => r.endsWith('/dist/lenet5_bg.wasm') || r.endsWith('/dist/lenet5.onnx')), 'the defaults are not fetched');
      if (url === '/app/override.html') assert.match(await p.evaluate(() => window.__lateSet), /already started/);
      await s.close();
    }
    const s = await open(env, '/app/broken.html', { allowErrors: [/404|<digit-input>: could not fetch/] });
    const { page: p } = s;
    await p.waitForFunction(() => document.getElementById('x').matches(':state(error)'));
    const box = await p.locator('#x').boundingBox();
    await p.mouse.move(box.x + 40, box.y + 30);
    await p.mouse.down();
    await p.mouse.move(box.x + 90, box.y + 80);
    await p.mouse.up();
    const st = await state(p, '#x');
    assert.equal(st.value, '');
    assert.ok(st.customError);
    assert.match(st.message, /^The handwriting reader could not load: could not fetch .*missing\.onnx \(HTTP 404\)$/);
    assert.match(await p.evaluate(() => document.getElementById('x').ready.catch((e) => e.message)), /missing\.onnx/);
    await s.close();
    // The package's own files are checked against the digests the build wrote (dist/integrity.js).
    const t = await open(env, '/app/tampered.html', { allowErrors: [/<digit-input>: .*does not match its integrity digest/] });
    await t.page.waitForFunction(() => document.getElementById('x').matches(':state(error)'));
    assert.match(await t.page.evaluate(() => document.getElementById('x').ready.catch((e) => e.message)), /tampered\/dist\/lenet5\.onnx does not match its integrity digest/);
    await t.close();
  });
});

/** Wait until the service worker controls the page and has activated. */
async function controlled(p) {
  return p.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    const active = reg.active;
    if (active && active.state !== 'activated') {
      await new Promise((resolve) => active.addEventListener('statechange', () => active.state === 'activated' && resolve()));
    }
    const names = (await caches.keys()).filter((n) => n.startsWith('lenet5-'));
    const cache = await caches.open(names[0]);
    return { names, keys: (await cache.keys()).map((r) => new URL(r.url).pathname) };
  });
}

/** Write each question's answer in the exercise (the first `n`); returns the rows' results. */
async function answer(p, n) {
  for (let i = 0; i < n; i++) {
    const sel = `#answer-${i}`;
    const want = await p.getAttribute(`#questions li:nth-child(${i + 1})`, 'data-answer');
    const strokes = want.length === 1 ? sample(Number(want)).strokes : await numberStrokes(p, sel, want, { gaps: [0.22], height: 0.6 });
    await draw(p, sel, strokes, want.length === 1 ? { step: 4 } : { fit: 'box', step: 3 });
    await p.waitForFunction((k) => document.querySelector(`#questions li:nth-child(${k})`).dataset.result !== undefined, i + 1);
  }
  return p.$$eval('#questions li', (rows) => rows.map((li) => ({ answer: li.dataset.answer, result: li.dataset.result, verdict: li.querySelector('.verdict').textContent })));
}

describe('<digit-input> examples (www/examples/)', () => {
  const env = {};
  before(async () => {
    assertBuilt();
    assert.ok(existsSync(path.join(WWW, 'examples', 'digit-input', 'digit-input.js')), 'www/examples/digit-input/ missing: run scripts/build.sh');
    env.browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await env.browser?.close().catch(() => {});
  });

  test('the PIN pad sends what was written and the exercise checks answers, both offline after a first visit', async () => {
    const server = await startServer({ root: WWW, port: 0 });
    const s = await open(env, '/examples/pin.html', { server, allowErrors: [/net::ERR_INTERNET_DISCONNECTED|Failed to load resource/] });
    const { page: p, context } = s;
    try {
      await p.waitForSelector('body[data-ready=true]');
      // The site's own wasm and model, once: no second copy for the examples.
      assert.ok(s.requests.includes('/pkg/lenet5_bg.wasm') && s.requests.includes('/model/lenet5.onnx'), s.requests.join(' '));
      const worker = await controlled(p);
      for (const f of ['/', '/pkg/lenet5_bg.wasm', '/model/lenet5.onnx', '/examples/', '/examples/pin.html', '/examples/exercise.html', '/examples/common.js', '/examples/digit-input/digit-input.js', '/examples/digit-input/dist/lenet5.js']) {
        assert.ok(worker.keys.includes(f), `${f} is cached (${worker.keys.join(' ')})`);
      }
      const pinOnce = async (text) => {
        await ready(p);
        await draw(p, '#pin', await numberStrokes(p, '#pin', text), { fit: 'box', step: 4 });
        assert.equal(await p.evaluate(() => document.getElementById('pin').value), text);
        await p.click('button[type=submit]');
        await p.waitForSelector('#sent:not([hidden])');
        assert.equal(await p.textContent('#sent'), `The form would send pin=${text}`);
      };
      await pinOnce('1975');
      // A blocked submit shows the field's message on the page.
      await p.click('button[type=reset]');
      await p.click('button[type=submit]');
      assert.equal(await p.textContent('#pin-message'), 'Write 4 digits here.');

      // Offline: the browser is offline and the server is gone.
      await context.setOffline(true);
      await server.close();
      await p.reload();
      await p.waitForSelector('body[data-ready=true]');
      await pinOnce('2026');

      await p.goto(new URL('/examples/exercise.html?seed=7', server.url).href);
      await p.waitForSelector('body[data-ready=true]');
      const rows = await answer(p, 2);
      assert.deepEqual(
        rows.slice(0, 2).map((r) => r.result),
        ['right', 'right'],
        JSON.stringify(rows),
      );
      assert.equal(await p.textContent('#score'), '2 of 4 right');
      // The main page is still the main page offline (the examples are cached by their own path).
      await p.goto(server.url);
      await p.waitForSelector('#pad');
      await p.goto(new URL('/examples/', server.url).href);
      await p.waitForSelector('a[href="pin.html"]');
    } finally {
      await server.close();
    }
    await s.close();
  });

  test('screenshots of the examples (docs/screenshot-pin.png, docs/screenshot-exercise.png)', { skip: !wantShots && 'both exist (SCREENSHOT=1 rewrites them)' }, async () => {
    const server = await startServer({ root: WWW, port: 0 });
    try {
      const s = await open(env, '/examples/pin.html', { server, contextOptions: { viewport: { width: 760, height: 560 } } });
      const { page: p } = s;
      await p.waitForSelector('body[data-ready=true]');
      await ready(p);
      await draw(p, '#pin', await numberStrokes(p, '#pin', '1975', { slant: 0.08 }), { fit: 'box', step: 3 });
      await p.click('button[type=submit]');
      await p.waitForSelector('#sent:not([hidden])');
      await p.mouse.move(0, 0);
      await p.waitForTimeout(700);
      mkdirSync(path.dirname(PIN_SHOT), { recursive: true });
      await p.screenshot({ path: PIN_SHOT });
      console.log(`wrote ${path.relative(ROOT, PIN_SHOT)} (${statSync(PIN_SHOT).size} bytes)`);
      await s.close();

      const e = await open(env, '/examples/exercise.html?seed=7', { server, contextOptions: { viewport: { width: 760, height: 700 } } });
      await e.page.waitForSelector('body[data-ready=true]');
      await answer(e.page, 3);
      await e.page.mouse.move(0, 0);
      await e.page.waitForTimeout(700);
      await e.page.screenshot({ path: EXERCISE_SHOT });
      console.log(`wrote ${path.relative(ROOT, EXERCISE_SHOT)} (${statSync(EXERCISE_SHOT).size} bytes)`);
      await e.close();
    } finally {
      await server.close();
    }
  });
});
