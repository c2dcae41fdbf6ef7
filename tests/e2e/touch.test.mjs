// Drawing with a finger on a phone-sized page: touch events through CDP, the
// pad must draw (not scroll the page) and read the digit.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertBuilt, assertReading, drawTouch, openPage, sample, startEnv, waitSettled } from './helpers.mjs';

const PHONE = {
  viewport: { width: 390, height: 640 },
  deviceScaleFactor: 3,
  isMobile: true,
  hasTouch: true,
};

describe('touch', () => {
  let env;
  before(async () => {
    assertBuilt();
    env = await startEnv();
  });
  after(async () => {
    await env?.stop();
  });

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
});
