// Knowing when it does not know: a scribble or two digits on top of each other
// show #unsure ("Not sure — 4 or 9?") with the two best guesses; a clearly
// written digit does not. Also prints how often the page says "not sure" on the
// scribbles and overlapping digits of tests/e2e/fixtures/nondigits.json.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  assertBuilt,
  assertReading,
  drawMouse,
  openPage,
  padBox,
  readings,
  sample,
  startEnv,
  waitSettled,
  sharedEnv,
} from './helpers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const NONDIGITS = JSON.parse(readFileSync(path.join(HERE, 'fixtures', 'nondigits.json'), 'utf8')).drawings;

// With the committed model (trained to answer non-digits with a flat distribution) and its
// reject rule the page says "not sure" on 82.5% of the fixture's scribbles (33/40) and 75% of its
// overlapping pairs (30/40); the MNIST-only network said it on 55% and 45%. The floors
// sit about 10 points below, to catch a model or rule that stopped refusing.
const FLOOR_SCRIBBLES = Number(process.env.UNSURE_FLOOR_SCRIBBLES ?? 0.7);
const FLOOR_OVERLAPS = Number(process.env.UNSURE_FLOOR_OVERLAPS ?? 0.7);

const pct = (x) => `${(100 * x).toFixed(1)}%`;

async function unsureState(page) {
  return page.evaluate(() => {
    const el = document.getElementById('unsure');
    return { visible: !el.hidden && el.getBoundingClientRect().height > 0, text: el.textContent, guesses: el.dataset.guesses };
  });
}

describe('not sure', () => {
  const env = sharedEnv();

  test('clear digits are read without "not sure"; the element is hidden on an empty pad', async () => {
    const s = await openPage(env);
    const { page } = s;
    assert.equal((await unsureState(page)).visible, false);
    for (const label of [3, 7, 0, 2]) {
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      await drawMouse(page, sample(label).strokes);
      const r = await assertReading(page);
      assert.equal(r.prediction, String(label));
      const u = await unsureState(page);
      assert.equal(u.visible, false, `a clear ${label} is not "not sure" (${u.text})`);
    }
    await s.close();
  });

  test('a scribble and overlapping digits show "Not sure — a or b?" with the two best guesses', async () => {
    const s = await openPage(env);
    const { page } = s;
    const named = (name) => NONDIGITS.find((d) => d.name === name);
    // 4 drawn over 9: the classic pair.
    const four = sample(4);
    const nine = sample(9);
    const cases = [
      { name: 'scribble-5', strokes: named('scribble-5').strokes },
      { name: 'fixture 4+7', strokes: named('4+7').strokes },
      { name: '4 over 9', strokes: [...four.strokes, ...nine.strokes] },
    ];
    for (const c of cases) {
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      await drawMouse(page, c.strokes);
      const r = await readings(page);
      const u = await unsureState(page);
      assert.ok(u.visible, `${c.name}: #unsure is shown (read ${r.prediction})`);
      const m = /^Not sure — ([0-9]) or ([0-9])\?$/.exec(u.text);
      assert.ok(m, `${c.name}: "${u.text}"`);
      // The two guesses are the two highest bars.
      const ranked = r.bars.slice().sort((a, b) => b.p - a.p);
      assert.equal(m[1], r.prediction, 'the first guess is the prediction');
      assert.equal(m[1], String(ranked[0].digit));
      assert.equal(m[2], String(ranked[1].digit), 'the second guess is the runner-up');
      assert.equal(u.guesses, `${m[1]},${m[2]}`);
      // The number reading marks the digit as unsure too.
      const sure = await page.evaluate(() => [...document.querySelectorAll('#number .number-digit')].map((d) => d.dataset.sure));
      assert.ok(sure.includes('false'), `${c.name}: #number marks an unsure digit (${sure})`);
    }
    // Undo back to the 4 alone: sure again, the element hides.
    for (let i = 0; i < nine.strokes.length; i++) await page.keyboard.press('Control+z');
    await waitSettled(page, four.strokes.length);
    const r = await assertReading(page);
    assert.equal(r.prediction, '4');
    assert.equal((await unsureState(page)).visible, false, 'a clear 4 is not "not sure"');
    await s.close();
  });

  test('how often the page says "not sure" on scribbles and overlapping digits', async () => {
    const s = await openPage(env);
    const { page, context } = s;
    const cdp = await context.newCDPSession(page);
    const box = await padBox(page);
    const tally = {};
    for (const d of NONDIGITS.filter((x) => x.kind === 'scribble' || x.kind === 'overlap')) {
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      await drawMouse(page, d.strokes, { step: 12, cdp, box });
      const u = await unsureState(page);
      tally[d.kind] ??= { n: 0, unsure: 0 };
      tally[d.kind].n += 1;
      if (u.visible) tally[d.kind].unsure += 1;
    }
    console.log(
      'said "not sure" on: ' +
        Object.entries(tally)
          .map(([kind, { n, unsure }]) => `${kind} ${unsure}/${n} (${pct(unsure / n)})`)
          .join(', '),
    );
    await cdp.detach();
    await s.close();
    assert.ok(tally.scribble.unsure / tally.scribble.n >= FLOOR_SCRIBBLES, `scribbles: ${pct(tally.scribble.unsure / tally.scribble.n)}`);
    assert.ok(tally.overlap.unsure / tally.overlap.n >= FLOOR_OVERLAPS, `overlaps: ${pct(tally.overlap.unsure / tally.overlap.n)}`);
  });
});
