// Failures are shown in words in #status (body[data-ready=error]), never as a blank page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertBuilt,
  openPage,
  startEnv,
  sharedEnv,
} from './helpers.mjs';

async function waitError(page) {
  await page.waitForSelector('body[data-ready="error"]', { timeout: 30_000 });
  const status = (await page.textContent('#status')).trim();
  // Not a blank page: the title, the pad and the message are visible.
  assert.ok(await page.isVisible('h1'));
  assert.ok(await page.isVisible('#pad'));
  assert.ok(await page.isVisible('#status'));
  assert.equal(await page.textContent('#prediction'), '');
  return status;
}

describe('errors', () => {
  const env = sharedEnv({ model: false });

  test('a missing model (?model=missing.onnx) says so in #status', async () => {
    const s = await openPage(env, {
      query: '?model=missing.onnx',
      wait: false,
      allowErrors: [/Failed to load resource.*404/, /Could not load the model/],
    });
    const status = await waitError(s.page);
    assert.match(status, /Could not load the model \(HTTP 404/);
    assert.match(status, /missing\.onnx/);
    await s.close();
  });

  test('a model on another site (?model=https://…) is refused before fetching: it must come from this site', async () => {
    const requested = [];
    const s = await openPage(env, {
      query: '?model=https://models.example/lenet5.onnx',
      wait: false,
      allowErrors: [/must come from this site/],
      route: (page) => page.on('request', (r) => requested.push(r.url())),
    });
    const status = await waitError(s.page);
    assert.match(status, /The model must come from this site \(http:\/\/127\.0\.0\.1:\d+\)/);
    assert.match(status, /https:\/\/models\.example\/lenet5\.onnx is on https:\/\/models\.example/);
    assert.doesNotMatch(status, /connection/);
    assert.ok(!requested.some((u) => new URL(u).hostname === 'models.example'), `nothing was fetched from the other site: ${requested.join(' ')}`);
    await s.close();
  });

  test('a corrupt model says so in #status', async () => {
    const s = await openPage(env, {
      query: '?model=junk.onnx',
      wait: false,
      allowErrors: [/could not be used/],
      route: (page) =>
        page.route('**/junk.onnx', (route) =>
          route.fulfill({
            status: 200,
            contentType: 'application/octet-stream',
            body: Buffer.from('this is not an ONNX model\u0000\u0001\u0002\u00ff'),
          }),
        ),
    });
    const status = await waitError(s.page);
    assert.match(status, /junk\.onnx could not be used: \S+/);
    await s.close();
  });

  test('an empty model file says so in #status', async () => {
    const s = await openPage(env, {
      query: '?model=empty.onnx',
      wait: false,
      allowErrors: [/could not be used/],
      route: (page) =>
        page.route('**/empty.onnx', (route) => route.fulfill({ status: 200, contentType: 'application/octet-stream', body: '' })),
    });
    const status = await waitError(s.page);
    assert.match(status, /could not be used: \S+/);
    await s.close();
  });

  test('a WebAssembly module that fails to load says so in #status', async () => {
    const s = await openPage(env, {
      wait: false,
      allowErrors: [/Failed to load resource.*404/, /Could not start the WebAssembly/, /'integrity'|SRI's integrity/],
      route: (page) => page.route('**/lenet5_bg.wasm', (route) => route.fulfill({ status: 404, body: 'Not Found' })),
    });
    const status = await waitError(s.page);
    assert.match(status, /Could not start the WebAssembly recognizer \(HTTP 404 for \/pkg\/lenet5_bg\.wasm\)/);
    await s.close();
  });

  test('a broken WebAssembly module and a missing model: both are reported', async () => {
    const s = await openPage(env, {
      query: '?model=missing.onnx',
      wait: false,
      allowErrors: [/Failed to load resource.*404/, /Could not start the WebAssembly/, /'integrity'|SRI's integrity/],
      route: (page) =>
        page.route('**/lenet5_bg.wasm', (route) =>
          route.fulfill({ status: 200, contentType: 'application/wasm', body: Buffer.from('\0asm junk') }),
        ),
    });
    const status = await waitError(s.page);
    assert.match(status, /Could not start the WebAssembly recognizer/);
    assert.match(status, /Could not load the model \(HTTP 404/);
    await s.close();
  });
});
