// Offline after the first visit: the service worker (www/sw.js) caches the page,
// its modules, the wasm and the model. With the network gone (the browser
// offline and the server stopped), a reload still gets ready and reads digits;
// online, a new build replaces what was cached.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../scripts/serve.mjs';
import { writeManifest } from '../../scripts/sw-manifest.mjs';
import {
  WWW,
  assertBuilt,
  assertReading,
  drawMouse,
  openPage,
  sample,
  startEnv,
  waitReady,
  sharedEnv,
} from './helpers.mjs';

/** A copy of www/ in a temporary directory (model/ linked), with its own manifest. */
function copyWww() {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lenet5-www-'));
  for (const name of readdirSync(WWW)) {
    if (name === 'model') symlinkSync(path.join(WWW, name), path.join(dir, name));
    else cpSync(path.join(WWW, name), path.join(dir, name), { recursive: true });
  }
  writeManifest(dir);
  return dir;
}

/** Wait until the service worker controls the page; returns the cached paths. */
async function controlled(page) {
  return page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
    }
    return (await caches.keys()).filter((n) => n.startsWith('lenet5-'));
  });
}

describe('offline', () => {
  const env = sharedEnv();

  // First: the next test stops the shared server.
  test('teaching offline before the learning files were fetched says so, and works back online', async () => {
    // No service worker: the learning files were never fetched, so nothing can answer offline.
    const s = await openPage(env, {
      contextOptions: { serviceWorkers: 'block' },
      allowErrors: [/net::ERR_INTERNET_DISCONNECTED|Failed to load resource/],
    });
    const { page, context } = s;
    await page.waitForFunction(() => !document.querySelector('#teach button').disabled);
    await context.setOffline(true);
    await drawMouse(page, sample(7).strokes);
    await assertReading(page);
    await page.keyboard.press('1');
    await page.waitForFunction(() => document.getElementById('teach-status').dataset.state === 'warning', null, { timeout: 30_000 });
    const status = await page.textContent('#teach-status');
    assert.match(status, /^Learning needs files this page fetches the first time you teach it; you are offline\. /);
    assert.match(status, /teach again once you are back online/);
    assert.doesNotMatch(status, /failed to start/);

    await context.setOffline(false);
    await page.keyboard.press('1');
    await page.waitForFunction(() => document.body.dataset.learnt === '2' && !document.body.dataset.learning, null, { timeout: 60_000 });
    assert.match(await page.textContent('#teach-status'), /Learnt from 2 corrections/);
    await s.close();
  });

  test('after the first visit the page works offline', async () => {
    const s = await openPage(env, {
      // Offline, the browser reports the failed network attempts before the cache answers.
      allowErrors: [/net::ERR_INTERNET_DISCONNECTED|Failed to load resource/],
    });
    const { page, context } = s;
    // The worker installs (caching everything), activates and takes control of the page.
    const worker = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      }
      // clients.claim() hands over control while the worker is still 'activating'.
      const active = reg.active;
      if (active && active.state !== 'activated') {
        await new Promise((resolve) => active.addEventListener('statechange', () => active.state === 'activated' && resolve()));
      }
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('lenet5-')));
      const keys = (await cache.keys()).map((r) => new URL(r.url).pathname);
      return { state: reg.active?.state, scope: reg.scope, names, keys };
    });
    assert.equal(worker.state, 'activated');
    assert.equal(worker.names.filter((n) => n.startsWith('lenet5-')).length, 1, `one cache: ${worker.names}`);
    // Every file the page is made of (sw.js lists them by hand: this catches a module left out).
    // (The learning worker is cached when first used: a visit that teaches nothing skips it.)
    const pageFiles = readdirSync(WWW).filter((f) => /\.(js|css|html)$/.test(f) && !['sw.js', 'learn-worker.js'].includes(f));
    for (const file of ['/', ...pageFiles.map((f) => `/${f}`), '/pkg/lenet5.js', '/pkg/lenet5_bg.wasm', '/model/lenet5.onnx']) {
      assert.ok(worker.keys.includes(file), `${file} is cached (${worker.keys.join(' ')})`);
    }

    // No network at all: the browser is offline and the server is gone.
    await context.setOffline(true);
    await env.server.close();
    await page.reload();
    await waitReady(page);
    assert.match(await page.textContent('#status'), /ready/i);
    await drawMouse(page, sample(5).strokes);
    const r = await assertReading(page);
    assert.equal(r.prediction, '5');
    assert.equal(await page.textContent('#number'), '5');

    // Another address of the same page (a query) is served from the cache too.
    await page.goto(new URL('?pen=bold', env.url).href);
    await waitReady(page);
    assert.equal(await page.inputValue('#stroke-width'), 'bold');
    await s.close();
  });

  test('online, a new build replaces the cached files', async () => {
    // A copy of www/ whose files can change (model/ linked, not copied; pkg/ copied, as a new
    // build writes its manifest there).
    const dir = copyWww();
    const server = await startServer({ root: dir, port: 0 });
    const context = await env.browser.newContext();
    try {
      const page = await context.newPage();
      await page.goto(server.url);
      await waitReady(page);
      await controlled(page);
      const cachedCss = () =>
        page.evaluate(async () => {
          const names = (await caches.keys()).filter((n) => n.startsWith('lenet5-'));
          const res = await (await caches.open(names[0])).match(new URL('style.css', location.href).href);
          return res ? res.text() : '';
        });
      assert.doesNotMatch(await cachedCss(), /new build/);
      // "Deploy" a new build, then visit again.
      appendFileSync(path.join(dir, 'style.css'), '\n/* new build 2 */\n');
      writeManifest(dir);
      await page.reload();
      await waitReady(page);
      // The new build's worker installs into a cache of its own, then activates and deletes the
      // old one. (waitForFunction does not wait for an async predicate: poll here.)
      const deadline = Date.now() + 20_000;
      while (!/new build 2/.test(await cachedCss())) {
        assert.ok(Date.now() < deadline, 'the new build is cached within 20 s');
        await page.waitForTimeout(200);
      }
      assert.match(await cachedCss(), /new build 2/, 'the cache holds the new build');
      assert.equal((await controlled(page)).length, 1, 'one cache, not one per visit');
    } finally {
      await context.close();
      await server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
