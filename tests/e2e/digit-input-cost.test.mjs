// What an embedder of <digit-input> pays, measured in Chromium: the bytes over the wire (every
// response gzip -9 compressed by the server, counted by the browser: CDP encodedDataLength,
// headers included) and the time from navigation to the first reading, on the README's
// five-line page with the packed package (target/npm) unpacked into node_modules/.
//
// Each run is a fresh browser context (no HTTP cache, no compiled-wasm cache): a first visit.
// "ready" is when the element can read (its `ready` promise resolved); "first reading" is the
// first `input` event with a digit, for a 7 written with the mouse as soon as the element is
// defined. Localhost (no network delay) and a throttled "slow 4G" (1.6 Mbit/s down, 150 ms
// round trip, as Lighthouse's mobile profile). Medians of DIGIT_INPUT_RUNS (7) and 3 runs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium } from 'playwright-core';
import { MIME_TYPES, resolveUnder } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS, ROOT, assertBuilt, sample, toViewport } from './helpers.mjs';

const PACKAGE = path.join(ROOT, 'packages', 'digit-input');
const VERSION = JSON.parse(readFileSync(path.join(PACKAGE, 'package.json'), 'utf8')).version;
const TARBALL = path.join(ROOT, 'target', 'npm', `lenet5-digit-input-${VERSION}.tgz`);
const RUNS = Number(process.env.DIGIT_INPUT_RUNS ?? 7);
/** The package's budget on the wire: the page's module is held to 0.6 MB by scripts/build.sh. */
const BUDGET = 650_000;

/** A static server that sends every file gzip -9 (compressed once, then from memory). */
function gzipServer(root) {
  const cache = new Map();
  const server = createServer((req, res) => {
    const file = resolveUnder(root, new URL(req.url, 'http://x').pathname.replace(/\/$/, '/index.html'));
    let body = file && cache.get(file);
    if (file && !body) {
      try {
        if (statSync(file).isFile()) cache.set(file, (body = gzipSync(readFileSync(file), { level: 9 })));
      } catch {
        // not found
      }
    }
    if (!body) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': MIME_TYPES[path.extname(file)] ?? 'application/octet-stream',
      'Content-Encoding': 'gzip',
      'Content-Length': body.length,
      'Cache-Control': 'no-cache',
    });
    res.end(body);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${server.address().port}/`, close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))) })));
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** One first visit: bytes per file and the times, in ms since navigation. */
async function visit(browser, url, throttle) {
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  if (throttle) await cdp.send('Network.emulateNetworkConditions', { offline: false, ...throttle });
  const urls = new Map();
  const bytes = new Map();
  cdp.on('Network.requestWillBeSent', (e) => urls.set(e.requestId, new URL(e.request.url).pathname));
  cdp.on('Network.loadingFinished', (e) => bytes.set(urls.get(e.requestId), e.encodedDataLength));
  await page.addInitScript(() => {
    window.__times = {};
    customElements.whenDefined('digit-input').then(() => {
      window.__times.defined = performance.now();
      const el = document.querySelector('digit-input');
      el.ready.then(() => (window.__times.ready = performance.now()));
      el.addEventListener('input', (e) => {
        if (e.value !== '' && window.__times.firstReading === undefined) window.__times.firstReading = performance.now();
      });
    });
  });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__times?.defined !== undefined, null, { polling: 5, timeout: 60_000 });
  // Write a 7 at once, while the engine may still be loading.
  const box = await page.locator('digit-input').boundingBox();
  for (const pts of toViewport(sample(7).strokes, box, 6)) {
    await page.mouse.move(pts[0][0], pts[0][1]);
    await page.mouse.down();
    await Promise.all(pts.slice(1).map(([x, y]) => page.mouse.move(x, y)));
    await page.mouse.up();
  }
  await page.waitForFunction(() => window.__times.firstReading !== undefined, null, { polling: 5, timeout: 60_000 });
  const times = await page.evaluate(() => window.__times);
  const value = await page.evaluate(() => document.querySelector('digit-input').value);
  await context.close();
  return { times, value, bytes };
}

describe('<digit-input>: what an embedder pays', () => {
  let site;
  let server;
  let browser;
  before(async () => {
    assertBuilt();
    site = mkdtempSync(path.join(os.tmpdir(), 'digit-input-cost-'));
    const pkg = path.join(site, 'node_modules', 'lenet5-digit-input');
    mkdirSync(pkg, { recursive: true });
    execFileSync('tar', ['-xzf', TARBALL, '-C', pkg, '--strip-components=1']);
    const readme = readFileSync(path.join(PACKAGE, 'README.md'), 'utf8');
    writeFileSync(path.join(site, 'index.html'), /```html\n([\s\S]*?)```/.exec(readme)[1]);
    writeFileSync(path.join(site, 'favicon.ico'), '');
    server = await gzipServer(site);
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  });
  after(async () => {
    await browser?.close().catch(() => {});
    await server?.close();
    if (site) rmSync(site, { recursive: true, force: true });
  });

  for (const [label, throttle, runs] of [
    ['localhost', null, RUNS],
    ['slow 4G (1.6 Mbit/s, 150 ms RTT)', { latency: 150, downloadThroughput: (1.6e6 / 8) * 0.9, uploadThroughput: (750e3 / 8) * 0.9 }, 3],
  ]) {
    test(`bytes over the wire and time to the first reading: ${label}`, async () => {
      const results = [];
      for (let i = 0; i < runs; i++) results.push(await visit(browser, server.url, throttle));
      for (const r of results) assert.equal(r.value, '7', 'the 7 was read');
      const { bytes } = results[0];
      const files = [...bytes].filter(([p]) => p !== '/favicon.ico');
      const total = files.reduce((a, [, n]) => a + n, 0);
      for (const [p, n] of files) console.log(`${p}: ${n} bytes on the wire`);
      const t = (k) => median(results.map((r) => r.times[k]));
      console.log(
        `${label}: ${total} bytes on the wire (${(total / 1e6).toFixed(3)} MB, gzip -9, headers included); ` +
          `median of ${runs}: element defined at ${t('defined').toFixed(0)} ms, ready at ${t('ready').toFixed(0)} ms, ` +
          `first reading at ${t('firstReading').toFixed(0)} ms after navigation ` +
          `(ready: ${results.map((r) => r.times.ready.toFixed(0)).join(', ')})`,
      );
      assert.equal(files.filter(([p]) => p.endsWith('.wasm')).length, 1);
      assert.ok(total < BUDGET, `${total} bytes over the budget of ${BUDGET}`);
    });
  }
});
