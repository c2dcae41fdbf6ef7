// The offline copy caches only what verifies (#19): behind a captive portal that answers every
// request with its login page, the service worker (www/sw.js) must not cache that page as the
// app. The app is visited once through a server that then turns into a "portal"; the cached copy
// stays the app's (each file checked against pkg/sw-manifest.js), and offline it still works.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { createServer, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../scripts/serve.mjs';
import { writeManifest } from '../../scripts/sw-manifest.mjs';
import { WWW, assertReading, drawMouse, sample, sharedEnv, waitReady } from './helpers.mjs';

const PORTAL = '<!doctype html><title>Log in to Airport Wi-Fi</title><h1>Log in to Airport Wi-Fi</h1><form><input name=room></form>';

/** A server on 127.0.0.1 in front of `upstream` that, once `portal` is set, answers everything with a login page. */
function frontServer(upstream) {
  const state = { portal: false, portalHits: 0 };
  const server = createServer((req, res) => {
    if (state.portal) {
      state.portalHits += 1;
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(PORTAL);
      return;
    }
    const { hostname, port } = new URL(upstream);
    const up = request({ hostname, port, path: req.url, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const sockets = new Set();
      server.on('connection', (s) => {
        sockets.add(s);
        s.on('close', () => sockets.delete(s));
      });
      resolve({
        state,
        url: `http://127.0.0.1:${server.address().port}/`,
        close: () =>
          new Promise((done) => {
            for (const s of sockets) s.destroy();
            server.close(() => done());
          }),
      });
    });
  });
}

/** Waits until the service worker is active and controls the page. */
function controlled(page) {
  return page.evaluate(async () => {
    const reg = await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    const active = reg.active;
    if (active && active.state !== 'activated') {
      await new Promise((resolve) => active.addEventListener('statechange', () => active.state === 'activated' && resolve()));
    }
  });
}

/** The service worker's cache as the page sees it: its names, and the start of each file's text. */
function cached(page) {
  return page.evaluate(async () => {
    const names = (await caches.keys()).filter((n) => n.startsWith('lenet5-'));
    const out = { names, files: {} };
    for (const name of names) {
      const cache = await caches.open(name);
      for (const req of await cache.keys()) {
        const res = await cache.match(req);
        const path = new URL(req.url).pathname;
        const type = res.headers.get('content-type') ?? '';
        const head = /javascript|css|html/.test(type) ? (await res.text()).slice(0, 4000) : `(${type})`;
        out.files[`${name} ${path}`] = { type, head };
      }
    }
    return out;
  });
}

describe('captive portal', () => {
  const env = sharedEnv();
  let upstream;
  let front;
  before(async () => {
    upstream = await startServer({ root: WWW, port: 0 });
    front = await frontServer(upstream.url);
  });
  after(async () => {
    await front?.close();
    await upstream?.close();
  });

  test("a portal's login page never becomes the cached app; offline the app still works", async () => {
    const context = await env.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const pageErrors = [];
    try {
      const page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(err.message));
      await page.goto(front.url);
      await waitReady(page);
      // Installed (every file verified against the manifest), active, in control.
      await controlled(page);
      const before = await cached(page);
      assert.equal(before.names.length, 1, `one cache: ${before.names}`);
      assert.match(before.names[0], /^lenet5-v\d+-[0-9a-f]{16}$/, 'named after the build');
      const index = before.files[`${before.names[0]} /`];
      assert.ok(index && /lenet5|LeNet/i.test(index.head), `the page is cached: ${Object.keys(before.files).join(" ")}`);

      // The portal: every request answers its login page (200, text/html).
      front.state.portal = true;
      await page.reload();
      assert.match(await page.title(), /Log in to Airport Wi-Fi/, 'online, the page shows what the network answers');
      // The portal page asks for the app's files (as a half-loaded app would); none is cached.
      const answers = await page.evaluate(async () =>
        Promise.all(
          ['style.css', 'app.js', 'pkg/lenet5.js', 'pkg/lenet5_bg.wasm', 'model/lenet5.onnx', 'learn-worker.js'].map(async (p) => {
            const res = await fetch(p);
            return `${p}: ${res.status} ${res.headers.get('content-type')}`;
          }),
        ),
      );
      assert.ok(answers.every((a) => /200 text\/html/.test(a)), answers.join(', '));
      // Also a check for a new worker (sw.js answers the login page: the update fails).
      await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        await reg?.update().catch(() => {});
      });
      await page.waitForTimeout(500); // the worker's waitUntil(verify, put) has run by then
      assert.ok(front.state.portalHits >= 7, `the portal answered (${front.state.portalHits} requests)`);

      const during = await cached(page);
      assert.deepEqual(during.names, before.names, 'the same cache: no new build was installed from the portal');
      for (const [key, file] of Object.entries(during.files)) {
        assert.doesNotMatch(file.head, /Airport Wi-Fi/, `${key} is not the portal's page`);
        assert.equal(file.type, before.files[key]?.type, `${key} kept its type`);
      }
      assert.deepEqual(Object.keys(during.files).sort(), Object.keys(before.files).sort(), 'nothing added');

      // Offline, the cached app is the app.
      await context.setOffline(true);
      await front.close();
      front = null;
      await page.goto(page.url());
      await waitReady(page);
      await drawMouse(page, sample(5).strokes);
      assert.equal((await assertReading(page)).prediction, '5');
      assert.deepEqual(pageErrors, []);
    } finally {
      await context.close();
    }
  });

  test('a new build with one file that does not match its digest is not installed: the previous one stays whole', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lenet5-www-'));
    for (const name of readdirSync(WWW)) {
      if (name === 'model') symlinkSync(path.join(WWW, name), path.join(dir, name));
      else cpSync(path.join(WWW, name), path.join(dir, name), { recursive: true });
    }
    writeManifest(dir);
    const server = await startServer({ root: dir, port: 0 });
    let serving = true;
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await waitReady(page);
      await controlled(page);
      const before = await cached(page);
      assert.equal(before.names.length, 1);

      // A new build whose app.js changed after its manifest was written (a half-copied deploy,
      // a proxy rewriting scripts): its worker fetches everything, app.js fails, nothing is kept.
      appendFileSync(path.join(dir, 'style.css'), '\n/* new build 2 */\n');
      writeManifest(dir);
      appendFileSync(path.join(dir, 'app.js'), '\n// changed after the manifest\n');
      await page.reload();
      await waitReady(page);
      const installed = await page.evaluate(async () => {
        const reg = await navigator.serviceWorker.getRegistration();
        await reg.update().catch(() => {});
        // Wait for the install to end either way.
        for (let i = 0; i < 100 && (reg.installing || reg.waiting); i++) await new Promise((r) => setTimeout(r, 100));
        return { installing: !!reg.installing, waiting: !!reg.waiting };
      });
      assert.deepEqual(installed, { installing: false, waiting: false }, 'the new worker did not install');
      await page.waitForTimeout(300);
      const after = await cached(page);
      assert.deepEqual(after.names, before.names, "the previous build's cache, and no other");
      assert.deepEqual(after.files, before.files, 'every file of the previous build, unchanged');

      // Offline, the previous build works.
      await context.setOffline(true);
      serving = false;
      await server.close();
      await page.reload();
      await waitReady(page);
      await drawMouse(page, sample(3).strokes);
      assert.equal((await assertReading(page)).prediction, '3');
    } finally {
      await context.close();
      if (serving) await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
