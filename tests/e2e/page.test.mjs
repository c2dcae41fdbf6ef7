// The page's contract: loading, drawing with the mouse, live readings, clear,
// undo, resize, dark mode, and recognition errors that do not break the page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertBuilt,
  assertEmpty,
  assertReading,
  drawMouse,
  openPage,
  padBox,
  readings,
  sample,
  startEnv,
  toViewport,
  waitSettled,
} from './helpers.mjs';

describe('page', () => {
  let env;
  before(async () => {
    assertBuilt();
    env = await startEnv();
  });
  after(async () => {
    await env?.stop();
  });

  test('loads: #status says loading, then the page is ready with an empty #prediction', async () => {
    let release;
    const gate = new Promise((resolve) => {
      release = resolve;
    });
    const s = await openPage(env, {
      wait: false,
      route: (page) =>
        page.route('**/model/lenet5.onnx', async (route) => {
          await gate;
          await route.continue();
        }),
    });
    const { page } = s;
    await page.waitForFunction(() => document.body.dataset.ready === 'loading');
    assert.match(await page.textContent('#status'), /loading/i);
    assert.equal(await page.textContent('#prediction'), '');
    release();
    await page.waitForSelector('body[data-ready="true"]');
    assert.match(await page.textContent('#status'), /ready/i);
    assert.doesNotMatch(await page.textContent('#status'), /loading/i);
    await assertEmpty(page);
    assert.equal(await page.locator('#probabilities [data-digit]').count(), 10);
    assert.match(await page.textContent('body'), /LeNet-5/);
    assert.match(await page.textContent('body'), /WebAssembly/);
    assert.match(await page.textContent('body'), /nothing is uploaded/i);
    // The pad's backing store is its CSS size x devicePixelRatio (1 here).
    const size = await page.evaluate(() => {
      const c = document.getElementById('pad');
      const r = c.getBoundingClientRect();
      return { w: c.width, h: c.height, cw: r.width, ch: r.height, touchAction: getComputedStyle(c).touchAction };
    });
    assert.equal(size.w, Math.round(size.cw));
    assert.equal(size.h, Math.round(size.ch));
    assert.equal(size.touchAction, 'none');
    await s.close();
  });

  test('drawing with the mouse shows the digit, ten bars and the network input', async () => {
    const s = await openPage(env);
    const { page } = s;
    for (const [i, label] of [3, 7, 0, 4].entries()) {
      const digit = sample(label);
      await page.keyboard.press('Escape');
      // The first one waits for every mouse move (about one per frame), the others stream them.
      await drawMouse(page, digit.strokes, { paced: i === 0, step: i === 0 ? 10 : 6 });
      const r = await assertReading(page);
      assert.equal(r.prediction, String(label), `drew a ${label} (${digit.glyph}), read ${r.prediction}`);
      assert.match(r.confidence, /\d+% sure/);
      assert.ok(r.previewInked > 20, `the preview has ink (${r.previewInked} pixels)`);
    }
    await s.close();
  });

  test('recognition is live while drawing, before the pen is lifted', async () => {
    const s = await openPage(env);
    const { page } = s;
    const digit = sample(2);
    assert.equal(digit.strokes.length, 1);
    await drawMouse(page, digit.strokes, { release: false });
    // Still drawing: the readings follow within an animation frame.
    await page.waitForFunction(() => document.getElementById('pad').dataset.drawing === 'true');
    await page.waitForFunction(() => /^[0-9]$/.test(document.getElementById('prediction').textContent));
    await page.mouse.up();
    await waitSettled(page, 1);
    const r = await assertReading(page);
    assert.equal(r.prediction, '2');
    await s.close();
  });

  test('Clear button and Escape empty the pad and the readings', async () => {
    const s = await openPage(env);
    const { page } = s;
    assert.ok(await page.isDisabled('#clear'), 'nothing to clear yet');

    await drawMouse(page, sample(5).strokes);
    await assertReading(page);
    assert.ok(await page.isEnabled('#clear'));
    await page.click('#clear');
    await waitSettled(page, 0);
    await assertEmpty(page);
    assert.ok(await padIsBlank(page), 'the pad has no ink after Clear');

    await drawMouse(page, sample(8).strokes);
    await assertReading(page);
    await page.keyboard.press('Escape');
    await waitSettled(page, 0);
    await assertEmpty(page);
    assert.ok(await padIsBlank(page), 'the pad has no ink after Escape');
    await s.close();
  });

  test('Undo removes the last stroke', async () => {
    const s = await openPage(env);
    const { page } = s;
    const seven = sample(7); // the 7, then its crossbar
    assert.equal(seven.strokes.length, 2);
    await drawMouse(page, seven.strokes);
    await assertReading(page);
    await page.keyboard.press('Control+z');
    await waitSettled(page, 1);
    await assertReading(page);
    await page.click('#undo');
    await waitSettled(page, 0);
    await assertEmpty(page);
    await s.close();
  });

  test('the drawing is kept and re-read when the window is resized', async () => {
    const s = await openPage(env);
    const { page } = s;
    await drawMouse(page, sample(6).strokes);
    const first = await assertReading(page);
    assert.equal(first.prediction, '6');
    const before = await padBox(page);
    await page.setViewportSize({ width: 600, height: 900 });
    await page.waitForFunction((w) => document.getElementById('pad').getBoundingClientRect().width !== w, before.width);
    await page.waitForFunction(() => {
      const c = document.getElementById('pad');
      return c.width === Math.round(c.getBoundingClientRect().width);
    });
    await waitSettled(page, 1);
    const second = await assertReading(page);
    assert.equal(second.prediction, '6');
    assert.ok(!(await padIsBlank(page)), 'the strokes were redrawn');
    await s.close();
  });

  test('dark mode: light ink on a dark pad reads the same', async () => {
    const s = await openPage(env, { contextOptions: { colorScheme: 'dark' } });
    const { page } = s;
    const paper = await page.evaluate(() => {
      const c = document.getElementById('pad');
      return Array.from(c.getContext('2d').getImageData(1, 1, 1, 1).data.slice(0, 3));
    });
    assert.ok(paper.every((v) => v < 60), `the pad is dark: ${paper}`);
    for (const label of [1, 9]) {
      await page.keyboard.press('Escape');
      await drawMouse(page, sample(label).strokes);
      const r = await assertReading(page);
      assert.equal(r.prediction, String(label));
    }
    await s.close();
  });

  test('an error thrown by recognize is shown in #status and the page keeps working', async () => {
    const s = await openPage(env, { allowErrors: [/recognize failed/] });
    const { page } = s;
    await page.evaluate(async () => {
      const m = await import('./pkg/lenet5.js');
      const original = m.Recognizer.prototype.recognize;
      window.__restoreRecognize = () => {
        m.Recognizer.prototype.recognize = original;
      };
      m.Recognizer.prototype.recognize = function () {
        throw new Error('synthetic failure');
      };
    });
    await drawMouse(page, sample(3).strokes);
    let r = await readings(page);
    assert.match(r.status, /synthetic failure/);
    assert.equal(r.prediction, '');
    assert.equal(r.ready, 'true');

    await page.evaluate(() => window.__restoreRecognize());
    await page.keyboard.press('Escape');
    await drawMouse(page, sample(3).strokes);
    r = await assertReading(page);
    assert.equal(r.prediction, '3');
    assert.doesNotMatch(r.status, /failure/);
    await s.close();
  });

  test('many quick strokes are read at most once per animation frame', async () => {
    const s = await openPage(env);
    const { page } = s;
    await page.evaluate(() => {
      window.__frames = 0;
      window.__reads = 0;
      const tick = () => {
        window.__frames++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const ctx = document.getElementById('pad').getContext('2d');
      const original = ctx.getImageData.bind(ctx);
      ctx.getImageData = (...args) => {
        window.__reads++;
        return original(...args);
      };
    });
    const digit = sample(0);
    const pts = toViewport(digit.strokes, await padBox(page), 2)[0];
    await page.mouse.move(pts[0][0], pts[0][1]);
    await page.mouse.down();
    await Promise.all(pts.slice(1).map(([x, y]) => page.mouse.move(x, y)));
    await page.mouse.up();
    await waitSettled(page, 1);
    const { frames, reads } = await page.evaluate(() => ({ frames: window.__frames, reads: window.__reads }));
    // One read per frame while drawing, plus the one on pointer-up.
    assert.ok(reads <= frames + 2, `${reads} reads in ${frames} frames for ${pts.length} mouse moves`);
    assert.ok(reads >= 2, `read live at least once (${reads})`);
    await assertReading(page);
    await s.close();
  });
});

async function padIsBlank(page) {
  return page.evaluate(() => {
    const c = document.getElementById('pad');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 4; i < d.length; i += 4) {
      if (d[i] !== d[0] || d[i + 1] !== d[1] || d[i + 2] !== d[2]) return false;
    }
    return true;
  });
}
