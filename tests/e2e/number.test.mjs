// Whole numbers: fixture digits (tests/e2e/fixtures/strokes.json) written side by
// side with the mouse on the real page, 2 to 6 digits, with varied spacing, size,
// baseline and slant, multi-stroke digits included; #number must read them.
// Prints how many numbers and digits were read right, and fails below a floor
// set under the measured accuracy.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertBuilt,
  composeNumber,
  drawMouse,
  loadFixture,
  openPage,
  padBox,
  sample,
  seededRandom,
  startEnv,
  waitSettled,
  sharedEnv,
} from './helpers.mjs';

// Measured with the committed model and the medium pen: 49/50 numbers read right (98.0%),
// 196/200 digits (98.0%) in the numbers split into the right count; the miss is one number
// split into one digit too many. (The MNIST-only network: 40/50, most misses Hershey 1s with
// a long flag read as 7.) The number floor is the model card's goal, 95%.
const FLOOR_NUMBERS = Number(process.env.NUMBER_FLOOR ?? 0.94);
const FLOOR_DIGITS = Number(process.env.NUMBER_DIGIT_FLOOR ?? 0.95);
const RANDOM_NUMBERS = Number(process.env.NUMBER_COUNT ?? 50);

const pct = (x) => `${(100 * x).toFixed(1)}%`;

/** What the page shows about the number: #number's text and the digit boxes over the pad. */
async function numberReading(page) {
  return page.evaluate(() => {
    const pad = document.getElementById('pad').getBoundingClientRect();
    const boxes = [...document.querySelectorAll('#digit-boxes .digit-box')].map((b) => {
      const r = b.getBoundingClientRect();
      return { digit: b.dataset.digit, x: r.x - pad.x, y: r.y - pad.y, width: r.width, height: r.height };
    });
    return { text: document.getElementById('number').textContent, boxes, padWidth: pad.width, padHeight: pad.height };
  });
}

describe('numbers', () => {
  const env = sharedEnv();

  test('a single digit reads as itself, with one box around it', async () => {
    const s = await openPage(env);
    const { page } = s;
    assert.equal(await page.textContent('#number'), '', '#number is empty before drawing');
    for (const label of [8, 4]) {
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      assert.equal(await page.textContent('#number'), '');
      assert.equal(await page.locator('#digit-boxes .digit-box').count(), 0, 'no boxes on an empty pad');
      await drawMouse(page, sample(label).strokes);
      const r = await numberReading(page);
      assert.equal(r.text, String(label));
      assert.equal(await page.textContent('#prediction'), String(label), '#prediction reads the same digit');
      assert.equal(r.boxes.length, 1);
      assert.equal(r.boxes[0].digit, String(label));
    }
    await s.close();
  });

  test('hand-picked numbers: multi-stroke digits, wide and tight spacing', async () => {
    const s = await openPage(env);
    const { page } = s;
    const box = await padBox(page);
    const aspect = box.width / box.height;
    const cases = [
      // 4 (open top, two strokes) and 5 (two strokes: body, then the flag)
      { labels: [4, 5], gaps: [0.3] },
      { labels: [1, 9, 7, 5], gaps: [0.12, 0.2, 0.1] }, // the 7 has a crossbar (two strokes)
      { labels: [2, 0, 2, 4], gaps: [0.05, 0.05, 0.05], slant: 0.15 },
      { labels: [3, 8, 6], gaps: [0.5, 0.08], height: 0.5 },
      { labels: [9, 0, 1, 2, 3], gaps: [0.08, 0.08, 0.08, 0.08], height: 0.45 },
      { labels: [6, 7, 8, 5, 4, 1], gaps: [0.06, 0.06, 0.06, 0.06, 0.06], height: 0.4 },
    ];
    for (const c of cases) {
      const digits = c.labels.map((l) => sample(l));
      const strokes = composeNumber(digits, { aspect, gaps: c.gaps, slant: c.slant ?? 0, height: c.height ?? 0.6 });
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      await drawMouse(page, strokes, { fit: 'box', step: 6, box });
      const r = await numberReading(page);
      const want = c.labels.join('');
      assert.equal(r.text, want, `wrote ${want} (${digits.reduce((n, d) => n + d.strokes.length, 0)} strokes), read ${r.text}`);
      // One box per digit, left to right, inside the pad.
      assert.equal(r.boxes.length, want.length);
      assert.deepEqual(
        r.boxes.map((b) => b.digit),
        [...want],
      );
      for (let i = 1; i < r.boxes.length; i++) assert.ok(r.boxes[i].x > r.boxes[i - 1].x, 'boxes go left to right');
      for (const b of r.boxes) {
        assert.ok(b.width > 5 && b.height > 20, `a box has a size: ${JSON.stringify(b)}`);
        assert.ok(b.x > -20 && b.x + b.width < r.padWidth + 20, `the box is over the pad: ${JSON.stringify(b)}`);
      }
    }
    // The boxes are drawn over the pad, never into its pixels (those are what gets read):
    // every pixel is paper, ink or a blend of the two (anti-aliasing), none is box-coloured.
    const offLine = await page.evaluate(() => {
      const c = document.getElementById('pad');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const paper = [d[0], d[1], d[2]];
      let ink = paper;
      for (let i = 0; i < d.length; i += 4) if (d[i] + d[i + 1] + d[i + 2] < ink[0] + ink[1] + ink[2]) ink = [d[i], d[i + 1], d[i + 2]];
      let off = 0;
      for (let i = 0; i < d.length; i += 4) {
        const t = (d[i] - paper[0]) / (ink[0] - paper[0]);
        for (let ch = 1; ch < 3; ch++) if (Math.abs(d[i + ch] - (paper[ch] + t * (ink[ch] - paper[ch]))) > 4) off++;
      }
      return off;
    });
    assert.equal(offLine, 0, 'the pad holds only paper, ink and their blends');
    await s.close();
  });

  test('random numbers of 2 to 6 fixture digits: accuracy', async () => {
    const fixture = loadFixture().digits;
    const random = seededRandom(20260101);
    const pick = (a, b) => a + random() * (b - a);
    const s = await openPage(env);
    const { page, context } = s;
    const cdp = await context.newCDPSession(page);
    const box = await padBox(page);
    const aspect = box.width / box.height;

    const byLength = {};
    let right = 0;
    let digitsRight = 0;
    let digitsTotal = 0;
    let segmented = 0; // as many digits read as written
    let multiStroke = 0;
    const misses = [];
    const t0 = Date.now();
    for (let i = 0; i < RANDOM_NUMBERS; i++) {
      const length = 2 + (i % 5); // 2..6, evenly
      const digits = Array.from({ length }, () => fixture[Math.floor(random() * fixture.length)]);
      multiStroke += digits.filter((d) => d.strokes.length > 1).length;
      const tight = length >= 5;
      const strokes = composeNumber(digits, {
        aspect,
        random,
        height: pick(0.45, 0.75),
        sizeJitter: 0.12,
        baseline: 0.05,
        slant: pick(-0.1, 0.25),
        gaps: digits.slice(1).map(() => (tight ? pick(0.04, 0.18) : pick(0.06, 0.4))),
        shift: random(),
      });
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      await drawMouse(page, strokes, { fit: 'box', step: 10, cdp, box });
      const want = digits.map((d) => d.label).join('');
      const got = await page.textContent('#number');
      byLength[length] ??= { n: 0, ok: 0 };
      byLength[length].n += 1;
      digitsTotal += length;
      if (got.length === length) {
        segmented += 1;
        digitsRight += [...got].filter((c, k) => c === want[k]).length;
      }
      if (got === want) {
        right += 1;
        byLength[length].ok += 1;
      } else {
        misses.push(`${want} read as ${got || '(nothing)'} [${digits.map((d) => d.glyph).join(' ')}]`);
      }
    }
    const seconds = (Date.now() - t0) / 1000;
    const rate = right / RANDOM_NUMBERS;
    const digitRate = digitsRight / digitsTotal;
    console.log(
      [
        `numbers read right: ${right}/${RANDOM_NUMBERS} = ${pct(rate)} (${seconds.toFixed(1)} s)`,
        `digits read right (in numbers split into the right count): ${digitsRight}/${digitsTotal} = ${pct(digitRate)}`,
        `split into the right number of digits: ${segmented}/${RANDOM_NUMBERS}; digits drawn in several strokes: ${multiStroke}/${digitsTotal}`,
        'by length: ' +
          Object.entries(byLength)
            .map(([len, { n, ok }]) => `${len} digits ${ok}/${n}`)
            .join(', '),
        misses.length > 0 ? `misread: ${misses.join('; ')}` : 'no misreadings',
      ].join('\n'),
    );
    await cdp.detach();
    await s.close();
    assert.ok(multiStroke > 0, 'some digits were drawn in several strokes');
    assert.ok(rate >= FLOOR_NUMBERS, `numbers read right ${pct(rate)} is below the floor ${pct(FLOOR_NUMBERS)}`);
    assert.ok(digitRate >= FLOOR_DIGITS, `digits read right ${pct(digitRate)} is below the floor ${pct(FLOOR_DIGITS)}`);
  });
});
