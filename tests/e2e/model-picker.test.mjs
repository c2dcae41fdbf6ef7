// Bring your own model: a file picked with #model-file or dropped on the page.
// A file that breaks the contract leaves the current model in use and #status
// says why (the wasm constructor's words); a good one is used at once, the
// drawing is re-read with it, and the built-in model is one click away.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { WWW, assertBuilt, assertReading, drawMouse, openPage, readings, sample, startEnv, waitSettled } from './helpers.mjs';
import { linearModel } from './onnx-models.mjs';

const onnx = (name, buffer) => ({ name, mimeType: 'application/octet-stream', buffer });

async function status(page) {
  return page.evaluate(() => ({ text: document.getElementById('status').textContent, state: document.getElementById('status').dataset.state }));
}

/** Wait until #status leaves "Loading <file>…". */
async function waitLoaded(page) {
  await page.waitForFunction(() => document.getElementById('status').dataset.state !== 'loading');
  await waitSettled(page);
  return status(page);
}

describe('bring your own model', () => {
  let env;
  let modelBytes;
  before(async () => {
    assertBuilt();
    modelBytes = readFileSync(path.join(WWW, 'model', 'lenet5.onnx'));
    env = await startEnv();
  });
  after(async () => {
    await env?.stop();
  });

  test('files that are not a usable model are refused in words; the current model stays', async () => {
    const s = await openPage(env);
    const { page } = s;
    const random = Buffer.alloc(5000);
    let x = 12345;
    for (let i = 0; i < random.length; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      random[i] = x >>> 16;
    }
    const cases = [
      { file: onnx('random.onnx', random), says: /not a readable ONNX file|ONNX/i },
      { file: onnx('notes.onnx', Buffer.from('these are my notes, not a model')), says: /ONNX|model/i },
      { file: onnx('empty.onnx', Buffer.alloc(0)), says: /empty/i },
      { file: onnx('mnist28.onnx', linearModel({ inputDims: ['N', 1, 28, 28] })), says: /wrong input shape \[N,1,28,28\]/ },
      { file: onnx('logits.onnx', linearModel({ outputName: 'logits' })), says: /output named `probabilities`/ },
      { file: onnx('five.onnx', linearModel({ classes: 5 })), says: /wrong output shape \[N,5\]/ },
    ];
    for (const c of cases) {
      await page.setInputFiles('#model-file', c.file);
      const st = await waitLoaded(page);
      assert.match(st.text, new RegExp(`^Could not use ${c.file.name.replace('.', '\\.')}: \\S`), st.text);
      assert.match(st.text, c.says, `${c.file.name}: ${st.text}`);
      assert.equal(st.state, 'warning');
      assert.equal(await page.evaluate(() => document.body.dataset.ready), 'true', 'the page stays ready');
      assert.ok(await page.isHidden('#builtin-model'), 'still on the built-in model');
    }
    // Recognition still works, with the old model.
    await drawMouse(page, sample(3).strokes);
    const r = await assertReading(page);
    assert.equal(r.prediction, '3');
    assert.equal(await page.textContent('#number'), '3');
    assert.equal(await page.getAttribute('#maps', 'data-available'), 'true');
    await s.close();
  });

  test('a good model is used at once, the drawing is re-read, and the built-in one comes back', async () => {
    const s = await openPage(env);
    const { page } = s;
    await drawMouse(page, sample(3).strokes);
    const builtIn = await assertReading(page);
    assert.equal(builtIn.prediction, '3');
    assert.match(await page.textContent('#model-name'), /built-in/);

    // The same LeNet-5 as a file of your own: same reading, and the page says so.
    await page.setInputFiles('#model-file', onnx('my-lenet.onnx', modelBytes));
    let st = await waitLoaded(page);
    assert.equal(st.text, `Using your model my-lenet.onnx (${Math.round(modelBytes.length / 1024)} KB)`);
    assert.equal(st.state, 'ready');
    assert.ok(await page.isVisible('#builtin-model'), 'a way back to the built-in model');
    assert.match(await page.textContent('#model-name'), /my-lenet\.onnx/);
    assert.equal((await assertReading(page)).prediction, '3');
    assert.equal(await page.getAttribute('#maps', 'data-available'), 'true', 'LeNet-5 of your own has feature maps');

    // A model without convolutions: the drawing is re-read with it, the maps panel says why it is empty.
    await page.setInputFiles('#model-file', onnx('linear.onnx', linearModel()));
    st = await waitLoaded(page);
    assert.match(st.text, /^Using your model linear\.onnx \(\d+ KB\)$/);
    const linear = await readings(page);
    assert.notDeepEqual(
      linear.bars.map((b) => b.p),
      builtIn.bars.map((b) => b.p),
      'the drawing was re-read with the new model',
    );
    assert.equal(await page.getAttribute('#maps', 'data-available'), 'false');
    assert.ok(await page.isVisible('#maps-note'));
    assert.match(await page.textContent('#maps-note'), /no convolution layers/);
    assert.ok(await page.isHidden('#maps-c1'));
    assert.ok(await page.isVisible('#preview'), 'the network input is still shown');

    // Back to the built-in model, with the keyboard.
    await page.focus('#builtin-model');
    await page.keyboard.press('Enter');
    st = await waitLoaded(page);
    assert.match(st.text, /built-in model/);
    assert.equal(st.state, 'ready');
    assert.ok(await page.isHidden('#builtin-model'));
    const back = await assertReading(page);
    assert.equal(back.prediction, '3');
    assert.deepEqual(
      back.bars.map((b) => b.p),
      builtIn.bars.map((b) => b.p),
      'the built-in model reads as before',
    );
    assert.equal(await page.getAttribute('#maps', 'data-available'), 'true');
    assert.ok(await page.isHidden('#maps-note'));
    await s.close();
  });

  test('a graph the page module does not build loads the general module then, and reads the same', async () => {
    const s = await openPage(env);
    const { page } = s;
    const general = [];
    page.on('request', (req) => {
      if (/lenet5_general/.test(req.url())) general.push(new URL(req.url()).pathname);
    });
    await drawMouse(page, sample(4).strokes);
    await assertReading(page);
    assert.deepEqual(general, [], 'the page starts without the general module');

    // Gemm: built by the page's module.
    await page.setInputFiles('#model-file', onnx('gemm.onnx', linearModel({ seed: 3 })));
    let st = await waitLoaded(page);
    assert.match(st.text, /^Using your model gemm\.onnx/);
    const gemm = await readings(page);
    assert.deepEqual(general, [], 'a Gemm model needs no general module');

    // The same weights as MatMul + Add: the general module is fetched, once, and reads the same.
    await page.setInputFiles('#model-file', onnx('matmul.onnx', linearModel({ seed: 3, matmul: true })));
    st = await waitLoaded(page);
    assert.match(st.text, /^Using your model matmul\.onnx/, st.text);
    assert.deepEqual(general.sort(), ['/pkg/lenet5_general.js', '/pkg/lenet5_general_bg.wasm']);
    const matmul = await readings(page);
    assert.equal(matmul.prediction, gemm.prediction);
    for (const [a, b] of matmul.bars.map((bar, i) => [bar.p, gemm.bars[i].p])) assert.ok(Math.abs(a - b) < 1e-4, `${a} vs ${b}`);

    await page.setInputFiles('#model-file', onnx('matmul2.onnx', linearModel({ seed: 5, matmul: true })));
    st = await waitLoaded(page);
    assert.match(st.text, /^Using your model matmul2\.onnx/, st.text);
    // Each model has a worker of its own, which imports the glue; the module itself is fetched
    // and compiled once, then handed to the next worker.
    assert.deepEqual(
      general.filter((p) => p.endsWith('.wasm')),
      ['/pkg/lenet5_general_bg.wasm'],
      'the general module is fetched once',
    );

    await s.close();
  });

  test('a model dropped anywhere on the page is used', async () => {
    const s = await openPage(env);
    const { page } = s;
    await drawMouse(page, sample(6).strokes);
    const overlay = await page.evaluate(async () => {
      const bytes = await (await fetch('model/lenet5.onnx')).arrayBuffer();
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'dropped.onnx', { type: 'application/octet-stream' }));
      const target = document.querySelector('.footer');
      const fire = (type) => target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }));
      fire('dragenter');
      const over = !fire('dragover'); // cancelled: the page accepts the drop
      const shown = !document.getElementById('drop-overlay').hidden;
      const accepted = !fire('drop');
      return { over, shown, accepted, hiddenAfter: document.getElementById('drop-overlay').hidden };
    });
    assert.deepEqual(overlay, { over: true, shown: true, accepted: true, hiddenAfter: true });
    const st = await waitLoaded(page);
    assert.match(st.text, /^Using your model dropped\.onnx \(\d+ KB\)$/);
    assert.equal((await assertReading(page)).prediction, '6');
    await s.close();
  });
});
