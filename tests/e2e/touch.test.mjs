// Drawing with a finger on a phone-sized page: touch events through CDP, the
// pad must draw (not scroll the page) and read the digit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertBuilt,
  assertReading,
  composeNumber,
  drawTouch,
  openPage,
  padBox,
  sample,
  startEnv,
  waitSettled,
  sharedEnv,
} from './helpers.mjs';

const PHONE = {
  viewport: { width: 390, height: 640 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
};

describe('touch', () => {
  const env = sharedEnv();

  test('a finger draws digits on a phone-sized page without scrolling it', async () => {
    const s = await openPage(env, { contextOptions: PHONE });
    const { page, context } = s;
    const cdp = await context.newCDPSession(page);

    // Responsive: the pad fits the narrow screen, its backing store uses devicePixelRatio capped at 2.
    const layout = await page.evaluate(() => {
      const c = document.getElementById('pad');
      const r = c.getBoundingClientRect();
      return {
        cssWidth: r.width,
        width: c.width,
        dpr: devicePixelRatio,
        scrollWidth: document.documentElement.scrollWidth,
        innerWidth,
      };
    });
    assert.equal(layout.dpr, 3);
    assert.equal(layout.width, Math.round(layout.cssWidth * 2), `backing store ${layout.width} for ${layout.cssWidth} CSS px`);
    assert.ok(layout.cssWidth >= 300, `the pad uses the width of the phone (${layout.cssWidth} px)`);
    assert.ok(layout.scrollWidth <= layout.innerWidth, 'no horizontal scrolling');

    await page.locator('#pad').scrollIntoViewIfNeeded();
    const scrollBefore = await page.evaluate(() => [scrollX, scrollY]);
    for (const label of [2, 5, 1]) {
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      const digit = sample(label);
      await drawTouch(page, cdp, digit.strokes);
      const r = await assertReading(page);
      assert.equal(r.prediction, String(label), `drew a ${label} (${digit.glyph}) by touch, read ${r.prediction}`);
    }
    const scrollAfter = await page.evaluate(() => [scrollX, scrollY]);
    assert.deepEqual(scrollAfter, scrollBefore, 'drawing did not scroll the page');
    // The page is taller than this screen, so a touch drag elsewhere would scroll it:
    // the check above is meaningful.
    assert.ok(await page.evaluate(() => document.documentElement.scrollHeight > innerHeight));
    await cdp.detach();
    await s.close();
  });

  test('a number written with a finger on a phone held upright; the pad never moves', async () => {
    const s = await openPage(env, { contextOptions: PHONE });
    const { page, context } = s;
    const cdp = await context.newCDPSession(page);
    await page.locator('#pad').scrollIntoViewIfNeeded();
    const box = await padBox(page);
    // Portrait: the pad uses the width and is landscape, the reading sits just above it.
    const layout = await page.evaluate(() => {
      const pad = document.getElementById('pad').getBoundingClientRect();
      const reading = document.querySelector('.reading-row').getBoundingClientRect();
      return { padBottom: pad.bottom, readingTop: reading.top, innerHeight, scrollWidth: document.documentElement.scrollWidth, innerWidth };
    });
    assert.ok(box.width > box.height * 1.3, `a landscape pad: ${box.width}x${box.height}`);
    assert.ok(layout.readingTop >= 0 && layout.padBottom <= layout.innerHeight, 'the reading and the whole pad fit on the screen together');
    assert.ok(layout.scrollWidth <= layout.innerWidth, 'no horizontal scrolling');

    // Each reading can add a "not sure" line or a hint: none of it may move the pad.
    for (const labels of [[4, 2, 7], [1, 9, 5], [3, 0]]) {
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      const strokes = composeNumber(labels.map((l) => sample(l)), { aspect: box.width / box.height, gaps: labels.slice(1).map(() => 0.1) });
      await drawTouch(page, cdp, strokes, { fit: 'box' });
      assert.equal(await page.textContent('#number'), labels.join(''));
      assert.deepEqual(await padBox(page), box, 'the pad stayed where it was');
    }
    await cdp.detach();
    await s.close();
  });
});
