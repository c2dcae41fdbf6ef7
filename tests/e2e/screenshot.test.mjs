// docs/screenshot.png: the page (1280x1220) with a drawn digit, its probabilities and the network input;
// docs/screenshot-number.png: a written number, its digit boxes and the feature maps.
// Written only when SCREENSHOT=1 or when the file is missing, so CI does not rewrite them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, assertBuilt, assertReading, composeNumber, drawMouse, openPage, padBox, sample, startEnv } from './helpers.mjs';

const FILE = path.join(ROOT, 'docs', 'screenshot.png');
const NUMBER_FILE = path.join(ROOT, 'docs', 'screenshot-number.png');
const wantedDigit = process.env.SCREENSHOT === '1' || !existsSync(FILE);
const wantedNumber = process.env.SCREENSHOT === '1' || !existsSync(NUMBER_FILE);
const wanted = wantedDigit || wantedNumber;

describe('screenshot', () => {
  let env;
  before(async () => {
    if (!wanted) return;
    assertBuilt();
    env = await startEnv();
  });
  after(async () => {
    await env?.stop();
  });

  test('docs/screenshot.png shows the page with a drawn digit', { skip: !wantedDigit && 'docs/screenshot.png exists (SCREENSHOT=1 rewrites it)' }, async () => {
    const scheme = process.env.SCREENSHOT_SCHEME === 'dark' ? 'dark' : 'light';
    const s = await openPage(env, { contextOptions: { viewport: { width: 1280, height: 1220 }, colorScheme: scheme } });
    const { page } = s;
    const label = Number(process.env.SCREENSHOT_DIGIT ?? 3);
    await drawMouse(page, sample(label).strokes, { step: 3 });
    const r = await assertReading(page);
    assert.equal(r.prediction, String(label));
    // Let the bar transitions finish.
    await page.waitForTimeout(400);
    mkdirSync(path.dirname(FILE), { recursive: true });
    await page.screenshot({ path: FILE });
    console.log(`wrote ${path.relative(ROOT, FILE)} (${statSync(FILE).size} bytes)`);
    await s.close();
  });

  test(
    'docs/screenshot-number.png shows a written number, its digit boxes and the feature maps',
    { skip: !wantedNumber && 'docs/screenshot-number.png exists (SCREENSHOT=1 rewrites it)' },
    async () => {
      const scheme = process.env.SCREENSHOT_SCHEME === 'dark' ? 'dark' : 'light';
      const s = await openPage(env, { contextOptions: { viewport: { width: 1280, height: 1220 }, colorScheme: scheme } });
      const { page } = s;
      const labels = (process.env.SCREENSHOT_NUMBER ?? '1975').split('').map(Number);
      const box = await padBox(page);
      const strokes = composeNumber(
        labels.map((l) => sample(l)),
        { aspect: box.width / box.height, height: 0.66, gaps: labels.slice(1).map(() => 0.16), slant: 0.08 },
      );
      await drawMouse(page, strokes, { fit: 'box', step: 3, box });
      assert.equal(await page.textContent('#number'), labels.join(''));
      await page.waitForFunction(() => document.getElementById('maps').dataset.version === document.getElementById('pad').dataset.version);
      await page.waitForTimeout(400);
      mkdirSync(path.dirname(NUMBER_FILE), { recursive: true });
      await page.screenshot({ path: NUMBER_FILE });
      console.log(`wrote ${path.relative(ROOT, NUMBER_FILE)} (${statSync(NUMBER_FILE).size} bytes)`);
      await s.close();
    },
  );
});
