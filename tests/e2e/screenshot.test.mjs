// docs/screenshot.png: the page at 1280x800 with a drawn digit. Written only
// when SCREENSHOT=1 or when the file is missing, so CI does not rewrite it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ROOT, assertBuilt, assertReading, drawMouse, openPage, sample, startEnv } from './helpers.mjs';

const FILE = path.join(ROOT, 'docs', 'screenshot.png');
const wanted = process.env.SCREENSHOT === '1' || !existsSync(FILE);

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

  test('docs/screenshot.png shows the page with a drawn digit', { skip: !wanted && 'docs/screenshot.png exists (SCREENSHOT=1 rewrites it)' }, async () => {
    const scheme = process.env.SCREENSHOT_SCHEME === 'dark' ? 'dark' : 'light';
    const s = await openPage(env, { contextOptions: { viewport: { width: 1280, height: 800 }, colorScheme: scheme } });
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
});
