// Teaching the page your handwriting (#7): draw a digit it misreads, press the digit you meant
// a few times (buttons and keys), and the learning worker's personal model reads it right;
// it survives a reload, "Reset" brings the original reading back, and "Download my model"
// gives an .onnx the page loads as a model of your own.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertReading, drawMouse, openPage, sharedEnv, waitReady, waitSettled } from './helpers.mjs';

/** A 1 with a long flag, as many continental writers draw it; `k` varies it a little. */
function flaggedOne(k = 0) {
  const dx = [0, 0.04, -0.03, 0.02, -0.05][k % 5];
  const dy = [0, 0.03, -0.02, -0.04, 0.02][k % 5];
  const flag = [0.4, 0.36, 0.44, 0.38, 0.42][k % 5];
  return [
    [
      [0.3 + dx, flag + dy],
      [0.62 + dx, 0.12 + dy],
      [0.62 + dx, 0.88 + dy],
    ],
  ];
}

async function draw(page, strokes) {
  await page.keyboard.press('Escape');
  await waitSettled(page, 0);
  // The teach buttons sit under the pad: clicking one may have scrolled the pad partly away.
  await page.locator('#pad').scrollIntoViewIfNeeded();
  await drawMouse(page, strokes);
  return Number((await assertReading(page)).prediction);
}

async function learnt(page, n, timeout = 60_000) {
  await page.waitForFunction((n) => document.body.dataset.learnt === String(n) && !document.body.dataset.learning, n, {
    timeout,
  });
  return page.textContent('#teach-status');
}

describe('learning your handwriting', () => {
  const env = sharedEnv();

  test('teach a misread digit, keep it over a reload, reset, download', async () => {
    const s = await openPage(env);
    const { page } = s;
    await page.waitForFunction(() => !document.querySelector('#teach button').disabled);
    assert.match(await page.textContent('#teach-status'), /Press the digit you meant, or type it/);
    assert.equal(await page.isDisabled('#download-model'), true);

    const before = await draw(page, flaggedOne(4));
    assert.notEqual(before, 1, 'the original model should misread this flagged 1 (else pick another habit)');

    // Nothing drawn: teaching says what to do.
    await page.keyboard.press('Escape');
    await waitSettled(page, 0);
    await page.click('#teach button[data-digit="1"]');
    assert.match(await page.textContent('#teach-status'), /Draw a 1 first/);

    // Three corrections: two with the button, one with the key.
    const t0 = Date.now();
    for (let k = 0; k < 3; k++) {
      await draw(page, flaggedOne(k));
      if (k < 2) await page.click('#teach button[data-digit="1"]');
      else await page.keyboard.press('1');
      await learnt(page, k + 1);
    }
    const status = await page.textContent('#teach-status');
    const seconds = Number(status.match(/in ([\d.]+) s/)?.[1]);
    console.log(`# 3 corrections learnt; last fine-tune ${seconds} s; ${(Date.now() - t0) / 1000} s for all three`);
    assert.ok(seconds > 0, status);
    assert.match(await page.textContent('#model-name'), /personal LeNet-5, learnt from 3 corrections/);
    assert.equal(await page.isDisabled('#download-model'), false);

    // A variant it was not taught now reads 1, and the drawing on the pad was re-read.
    assert.equal(await draw(page, flaggedOne(4)), 1, 'the personal model should read the flagged 1');
    // Everyone's digits still read (a plain 7 and a plain 1).
    assert.equal(await draw(page, [[[0.25, 0.15], [0.75, 0.15], [0.45, 0.9]]]), 7);

    // Kept in IndexedDB: a reload uses the personal model at once.
    await page.reload();
    await waitReady(page);
    await page.waitForFunction(() => /personal/.test(document.getElementById('model-name').textContent));
    assert.match(await page.textContent('#teach-status'), /learnt from 3 corrections/);
    assert.equal(await draw(page, flaggedOne(4)), 1, 'after a reload');

    // Download: a valid model the page loads as a model of your own.
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download-model')]);
    assert.equal(download.suggestedFilename(), 'lenet5-personal.onnx');
    const file = await download.path();
    await page.setInputFiles('#model-file', file);
    await page.waitForFunction(() => /Using your model/.test(document.getElementById('status').textContent));
    assert.equal((await assertReading(page)).prediction, '1', 'the downloaded model reads like the personal one');
    // Teaching is for the page's own model.
    await page.keyboard.press('1');
    assert.match(await page.textContent('#teach-status'), /works with the built-in model/);
    await page.click('#builtin-model');

    // Reset: the original reading comes back, and stays after a reload.
    await page.click('#reset-model');
    await page.waitForFunction(() => /Back to the original model/.test(document.getElementById('teach-status').textContent));
    assert.equal(await draw(page, flaggedOne(4)), before);
    await page.reload();
    await waitReady(page);
    await page.waitForFunction(() => !document.querySelector('#teach button').disabled);
    assert.doesNotMatch(await page.textContent('#model-name'), /personal/);
    assert.equal(await draw(page, flaggedOne(4)), before);
    await s.close();
  });

  test('a number is taught one digit at a time', async () => {
    const s = await openPage(env);
    const { page } = s;
    await page.waitForFunction(() => !document.querySelector('#teach button').disabled);
    await drawMouse(
      page,
      [
        [[0.05, 0.2], [0.2, 0.1], [0.2, 0.9]],
        [[0.6, 0.15], [0.95, 0.15], [0.75, 0.9]],
      ],
      { fit: 'box' },
    );
    await page.keyboard.press('4');
    assert.match(await page.textContent('#teach-status'), /one digit at a time/);
    assert.equal(await page.evaluate(() => document.body.dataset.learning), undefined);
    await s.close();
  });
});
