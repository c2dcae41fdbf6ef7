// The page's contract: loading, drawing with the mouse, live readings, clear,
// undo, resize, dark mode, recognition errors that do not break the page, the
// pen width setting, the hint under the pad, keyboard access and focus, the
// screen-reader announcement, and pen pressure that changes nothing.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertBuilt,
  assertEmpty,
  composeNumber,
  assertReading,
  drawMouse,
  openPage,
  padBox,
  readings,
  sample,
  startEnv,
  toViewport,
  waitSettled,
  sharedEnv,
} from './helpers.mjs';

describe('page', () => {
  const env = sharedEnv();

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

  test('an error thrown by readStrokes is shown in #status and the page keeps working', async () => {
    const s = await openPage(env, { allowErrors: [/recognize failed/] });
    const { page } = s;
    await page.evaluate(async () => {
      const m = await import('./pkg/lenet5.js');
      const original = m.Recognizer.prototype.readStrokes;
      window.__restoreRecognize = () => {
        m.Recognizer.prototype.readStrokes = original;
      };
      // One of the crate's own errors (they carry a `kind`): the module is fine, the page says
      // why and keeps it. (An exception without one is a crash: isolation.test.mjs.)
      m.Recognizer.prototype.readStrokes = function () {
        throw Object.assign(new Error('bad input: synthetic failure'), { kind: 'input' });
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
    await page.evaluate(async () => {
      window.__frames = 0;
      window.__reads = 0;
      const tick = () => {
        window.__frames++;
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const m = await import('./pkg/lenet5.js');
      const original = m.Recognizer.prototype.readStrokes;
      m.Recognizer.prototype.readStrokes = function (...args) {
        window.__reads++;
        return original.apply(this, args);
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

  test('the module is warmed up in idle time after load, unseen: no reading shown, none through the page\'s method', async () => {
    const s = await openPage(env);
    const { page } = s;
    await page.evaluate(async () => {
      window.__reads = 0;
      const m = await import('./pkg/lenet5.js');
      const original = m.Recognizer.prototype.readStrokes;
      m.Recognizer.prototype.readStrokes = function (...args) {
        window.__reads++;
        return original.apply(this, args);
      };
    });
    await page.waitForFunction(() => document.getElementById('pad').dataset.warmReadings !== undefined);
    const warm = Number(await page.evaluate(() => document.getElementById('pad').dataset.warmReadings));
    assert.equal(warm, 60, 'an idle page reads the made-up number 60 times');
    assert.equal(await page.evaluate(() => window.__reads), 0, 'the warm-up calls the module\'s own method, not the page\'s');
    await assertEmpty(page);
    // The throwaway recognizer is gone and the page's own reads as before.
    await drawMouse(page, sample(7).strokes);
    const r = await assertReading(page);
    assert.equal(r.prediction, '7');
    assert.ok((await page.evaluate(() => window.__reads)) >= 1);
    await s.close();
  });

  test('drawing reads the strokes, never the canvas: no getImageData, and the readings still follow the pen', async () => {
    // Installed before the page's scripts run (an init script is not subject to the page's CSP):
    // counts every getImageData on any 2D canvas, and records, once per frame while the pen is
    // down, which drawing version the readings show.
    const s = await openPage(env, {
      route: (page) =>
        page.addInitScript(() => {
          window.__getImageData = 0;
          const original = CanvasRenderingContext2D.prototype.getImageData;
          CanvasRenderingContext2D.prototype.getImageData = function (...args) {
            window.__getImageData++;
            return original.apply(this, args);
          };
          window.__live = new Set();
          const tick = () => {
            const pad = document.getElementById('pad');
            if (pad?.dataset.drawing === 'true') {
              window.__live.add(`${pad.dataset.recognized}:${document.getElementById('prediction').textContent}`);
            }
            requestAnimationFrame(tick);
          };
          requestAnimationFrame(tick);
        }),
    });
    const { page } = s;
    const before = await page.evaluate(() => window.__getImageData);
    const digit = sample(2);
    // Paced moves: the stroke takes many frames, each read while the pen is down.
    await drawMouse(page, digit.strokes, { paced: true, step: 8, release: false });
    await page.mouse.up();
    await waitSettled(page, 1);
    const { calls, live, readingMs } = await page.evaluate(() => ({
      calls: window.__getImageData,
      live: [...window.__live],
      readingMs: document.getElementById('pad').dataset.readingMs,
    }));
    assert.equal(calls - before, 0, 'the page read canvas pixels back while drawing');
    const versions = new Set(live.filter((x) => /:[0-9]$/.test(x)).map((x) => x.split(':')[0]));
    assert.ok(versions.size >= 3, `the readings followed the pen: ${versions.size} drawings read while it was down`);
    assert.match(readingMs ?? '', /^\d+\.\d{3}$/, `data-reading-ms: ${readingMs}`);
    assert.equal((await assertReading(page)).prediction, '2');
    await s.close();
  });

  test('the pen width setting redraws the strokes, is kept in the address only, and still reads', async () => {
    const s = await openPage(env);
    const { page } = s;
    const options = await page.$$eval('#stroke-width option', (os) => os.map((o) => o.value));
    assert.deepEqual(options, ['thin', 'medium', 'bold', 'marker']);
    assert.equal(await page.inputValue('#stroke-width'), 'medium');
    await drawMouse(page, sample(4).strokes);
    const ink = {};
    for (const pen of ['thin', 'medium', 'bold', 'marker']) {
      await page.selectOption('#stroke-width', pen);
      await waitSettled(page, 2);
      ink[pen] = await inkPixels(page);
      const r = await assertReading(page);
      if (pen !== 'marker') assert.equal(r.prediction, '4', `the ${pen} pen still reads the 4`);
      const search = await page.evaluate(() => location.search);
      assert.equal(search, pen === 'medium' ? '' : `?pen=${pen}`);
    }
    assert.ok(ink.thin < ink.medium && ink.medium < ink.bold && ink.bold < ink.marker, `ink grows with the pen: ${JSON.stringify(ink)}`);
    // Nothing stored on the device.
    const stored = await page.evaluate(() => ({ local: localStorage.length, session: sessionStorage.length, cookie: document.cookie }));
    assert.deepEqual(stored, { local: 0, session: 0, cookie: '' });
    // The address brings the setting back.
    await page.goto(new URL('?pen=bold', env.url).href);
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.inputValue('#stroke-width'), 'bold');
    await s.close();
  });

  test('a hint says when the drawing is too small or touches the edge of the pad', async () => {
    const s = await openPage(env);
    const { page } = s;
    const hint = () => page.evaluate(() => ({ shown: !document.getElementById('hint').hidden, kind: document.getElementById('hint').dataset.kind, text: document.getElementById('hint').textContent }));
    assert.equal((await hint()).shown, false);

    // A normal digit: no hint.
    await drawMouse(page, sample(3).strokes);
    assert.equal((await hint()).shown, false, 'no hint for a well-sized digit');

    // A tiny 3 (about 12% of the pad's height) in the middle.
    await page.keyboard.press('Escape');
    const tiny = sample(3).strokes.map((st) => st.map(([x, y]) => [0.5 + (x - 0.5) * 0.15, 0.5 + (y - 0.5) * 0.15]));
    await drawMouse(page, tiny, { step: 2 });
    let h = await hint();
    assert.ok(h.shown, 'a hint for a tiny digit');
    assert.equal(h.kind, 'small');
    assert.match(h.text, /bigger/);

    // A 7 whose top bar runs along the top edge.
    await page.keyboard.press('Escape');
    const seven = sample(7).strokes;
    const top = Math.min(...seven.flat().map((p) => p[1]));
    const high = seven.map((st) => st.map(([x, y]) => [x, y - top + 0.005]));
    await drawMouse(page, high);
    h = await hint();
    assert.ok(h.shown, 'a hint for a digit touching the edge');
    assert.equal(h.kind, 'edge');
    assert.match(h.text, /edge/);

    await page.keyboard.press('Escape');
    await waitSettled(page, 0);
    assert.equal((await hint()).shown, false, 'no hint on an empty pad');
    await s.close();
  });

  test('every control is reachable with the keyboard and shows where the focus is', async () => {
    const s = await openPage(env);
    const { page } = s;
    await drawMouse(page, sample(1).strokes); // enables Undo and Clear
    await page.evaluate(() => document.activeElement?.blur());
    const seen = [];
    for (let i = 0; i < 20; i++) {
      await page.keyboard.press('Tab');
      const f = await page.evaluate(() => {
        const el = document.activeElement;
        // The file input is visually hidden: its label shows the focus ring.
        const shown = el.id === 'model-file' ? document.querySelector('label[for="model-file"]') : el;
        const style = getComputedStyle(shown);
        const label = el.labels?.[0]?.textContent?.trim() || el.getAttribute('aria-label') || el.textContent.trim();
        return { id: el.id || el.tagName, outline: style.outlineStyle, width: parseFloat(style.outlineWidth), label };
      });
      seen.push(f);
    }
    const ids = seen.map((f) => f.id);
    for (const id of ['stroke-width', 'undo', 'clear', 'model-file']) {
      assert.ok(ids.includes(id), `#${id} is reachable with Tab (${ids.join(', ')})`);
      const f = seen.find((x) => x.id === id);
      assert.notEqual(f.outline, 'none', `#${id} shows a focus outline`);
      assert.ok(f.width >= 2, `#${id}'s focus outline is visible (${f.width}px)`);
      assert.ok(f.label.length > 0, `#${id} has a label`);
    }
    // Keyboard operation: Clear with Enter.
    await page.focus('#clear');
    await page.keyboard.press('Enter');
    await waitSettled(page, 0);
    await assertEmpty(page);
    await s.close();
  });

  test('screen readers hear the reading once, after the pen is lifted', async () => {
    const s = await openPage(env);
    const { page } = s;
    const live = await page.evaluate(() =>
      Object.fromEntries(['announce', 'number', 'prediction', 'unsure'].map((id) => [id, document.getElementById(id).getAttribute('aria-live')])),
    );
    // One polite live region; the visible readings do not talk over it.
    assert.deepEqual(live, { announce: 'polite', number: 'off', prediction: 'off', unsure: null });
    await page.evaluate(() => {
      window.__said = [];
      new MutationObserver(() => window.__said.push(document.getElementById('announce').textContent)).observe(
        document.getElementById('announce'),
        { childList: true, characterData: true, subtree: true },
      );
    });
    const box = await padBox(page);
    const number = composeNumber([sample(4), sample(2)], { aspect: box.width / box.height, gaps: [0.2] });
    await drawMouse(page, number, { fit: 'box', box });
    await page.waitForFunction(() => window.__said.length > 0);
    await page.waitForTimeout(800);
    const said = await page.evaluate(() => window.__said);
    assert.deepEqual(said, ['Reads 42.'], 'said once, when the drawing settled');
    await s.close();
  });

  test('pen pressure is ignored: a pen draws exactly what a mouse draws', async () => {
    const s = await openPage(env);
    const { page, context } = s;
    const cdp = await context.newCDPSession(page);
    const digit = sample(5);
    const box = await padBox(page);
    await drawMouse(page, digit.strokes, { cdp, box, paced: true });
    const byMouse = await padPixels(page);
    const mouseReading = await assertReading(page);
    await page.keyboard.press('Escape');
    await waitSettled(page, 0);
    // The same path with a pen whose pressure and tilt change at every point.
    const paths = toViewport(digit.strokes, box, 6);
    let k = 0;
    for (const pts of paths) {
      const pen = (type, [x, y], extra = {}) =>
        cdp.send('Input.dispatchMouseEvent', {
          type,
          x,
          y,
          pointerType: 'pen',
          button: 'left',
          buttons: type === 'mouseReleased' ? 0 : 1,
          force: 0.05 + 0.9 * Math.abs(Math.sin(k++)),
          tiltX: (k * 7) % 60,
          ...extra,
        });
      await pen('mousePressed', pts[0], { clickCount: 1 });
      for (const p of pts.slice(1)) await pen('mouseMoved', p);
      await pen('mouseReleased', pts[pts.length - 1], { clickCount: 1 });
    }
    await waitSettled(page, digit.strokes.length);
    const byPen = await padPixels(page);
    const penReading = await assertReading(page);
    assert.equal(penReading.prediction, mouseReading.prediction);
    let differ = 0;
    for (let i = 0; i < byPen.length; i++) if (byPen[i] !== byMouse[i]) differ++;
    assert.ok(differ <= byPen.length * 0.002, `the pen drew the same pixels as the mouse (${differ} bytes differ)`);
    await cdp.detach();
    await s.close();
  });
});

async function inkPixels(page) {
  return page.evaluate(() => {
    const c = document.getElementById('pad');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (Math.abs(d[i] - d[0]) > 64) n++;
    return n;
  });
}

async function padPixels(page) {
  return page.evaluate(() => {
    const c = document.getElementById('pad');
    return Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data);
  });
}

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
