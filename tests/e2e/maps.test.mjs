// What the network sees: the 6 C1 and 16 C3 feature maps of the current drawing,
// read from the same model, drawn into #maps-c1 and #maps-c3, updated live (at
// most once per animation frame) and blank on an empty pad.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertBuilt,
  drawMouse,
  openPage,
  padBox,
  sample,
  startEnv,
  toViewport,
  waitSettled,
  sharedEnv,
} from './helpers.mjs';

/** Wait until the maps show the pad's current drawing, then return both canvases' pixels. */
async function mapPixels(page) {
  await page.waitForFunction(() => document.getElementById('maps').dataset.version === document.getElementById('pad').dataset.version);
  return page.evaluate(() => {
    const read = (id) => {
      const c = document.getElementById(id);
      const r = c.getBoundingClientRect();
      return { width: c.width, height: c.height, cssWidth: r.width, data: Array.from(c.getContext('2d').getImageData(0, 0, c.width, c.height).data) };
    };
    return { c1: read('maps-c1'), c3: read('maps-c3'), available: document.getElementById('maps').dataset.available };
  });
}

/** How many pixels differ between two RGBA arrays. */
function differing(a, b) {
  let n = 0;
  for (let i = 0; i < a.length; i += 4) if (a[i] !== b[i] || a[i + 1] !== b[i + 1] || a[i + 2] !== b[i + 2]) n++;
  return n;
}

describe('feature maps', () => {
  const env = sharedEnv();

  test('C1 and C3 show the drawing, change with it and go blank when cleared', async () => {
    const s = await openPage(env);
    const { page } = s;
    const blank = await mapPixels(page);
    assert.equal(blank.available, 'true');
    // 6 maps of 28x28 in 3x2 tiles with 2 px gaps; 16 maps of 10x10 in 4x4 tiles with 1 px gaps.
    assert.deepEqual([blank.c1.width, blank.c1.height], [88, 58]);
    assert.deepEqual([blank.c3.width, blank.c3.height], [43, 43]);
    assert.ok(blank.c1.cssWidth >= 88 && blank.c3.cssWidth >= 43, 'the maps are shown enlarged');

    await drawMouse(page, sample(3).strokes);
    const three = await mapPixels(page);
    const c1Lit = differing(three.c1.data, blank.c1.data);
    const c3Lit = differing(three.c3.data, blank.c3.data);
    console.log(`a 3 lights ${c1Lit} of ${88 * 58} C1 pixels and ${c3Lit} of ${43 * 43} C3 pixels`);
    assert.ok(c1Lit > 200, `C1 shows the 3 (${c1Lit} pixels differ from blank)`);
    assert.ok(c3Lit > 50, `C3 shows the 3 (${c3Lit} pixels differ from blank)`);

    await page.keyboard.press('Escape');
    await drawMouse(page, sample(7).strokes);
    const seven = await mapPixels(page);
    assert.ok(differing(seven.c1.data, three.c1.data) > 200, 'C1 changes when the drawing changes');
    assert.ok(differing(seven.c3.data, three.c3.data) > 50, 'C3 changes when the drawing changes');

    // Undo the crossbar: the maps follow.
    await page.keyboard.press('Control+z');
    await waitSettled(page, 1);
    const stem = await mapPixels(page);
    assert.ok(differing(stem.c1.data, seven.c1.data) > 20, 'C1 follows an undo');

    await page.keyboard.press('Escape');
    await waitSettled(page, 0);
    const cleared = await mapPixels(page);
    assert.equal(differing(cleared.c1.data, blank.c1.data), 0, 'C1 is blank again');
    assert.equal(differing(cleared.c3.data, blank.c3.data), 0, 'C3 is blank again');
    await s.close();
  });

  test('the maps update live while drawing, at most once per animation frame', async () => {
    const s = await openPage(env);
    const { page } = s;
    await page.evaluate(async () => {
      window.__frames = 0;
      window.__maps = 0;
      window.__versions = new Set();
      const tick = () => {
        window.__frames++;
        if (document.getElementById('pad').dataset.drawing === 'true') {
          window.__versions.add(document.getElementById('maps').dataset.version);
        }
        requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const m = await import('./pkg/lenet5.js');
      // The page asks for the maps with each reading (readStrokes' last argument).
      const original = m.Recognizer.prototype.readStrokes;
      m.Recognizer.prototype.readStrokes = function (...args) {
        if (args[3]) window.__maps++;
        return original.apply(this, args);
      };
    });
    const pts = toViewport(sample(0).strokes, await padBox(page), 3)[0];
    await page.mouse.move(pts[0][0], pts[0][1]);
    await page.mouse.down();
    // Paced moves: the stroke takes many frames.
    for (const [x, y] of pts.slice(1)) await page.mouse.move(x, y);
    const live = await page.evaluate(() => window.__versions.size);
    await page.mouse.up();
    await waitSettled(page, 1);
    await mapPixels(page);
    const { frames, maps } = await page.evaluate(() => ({ frames: window.__frames, maps: window.__maps }));
    assert.ok(live >= 3, `the maps changed ${live} times while the pen was down`);
    assert.ok(maps <= frames + 1, `${maps} feature-map reads in ${frames} frames`);
    await s.close();
  });
});
