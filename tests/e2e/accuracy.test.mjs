// Stroke-fixture accuracy: every digit of tests/e2e/fixtures/strokes.json is
// drawn with the mouse on the real page, and #prediction is compared with its
// label. Prints the composition, the accuracy per digit, per source and
// overall, and the confusion matrix; fails below a floor set well under the
// measured accuracy, to catch regressions in the model, the preprocessing or
// the page.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertBuilt,
  digitHeight,
  drawMouse,
  loadFixture,
  loadStyleFixture,
  openPage,
  padBox,
  startEnv,
  waitSettled,
  sharedEnv,
} from './helpers.mjs';

// Measured with the committed model and the page's default (medium) pen on the
// landscape pad, each digit in a square as tall as the pad: 220/220 overall. The MNIST-only
// network read 214/220, most misses flagged 1s read as 7. The overall floor is the model
// card's goal less two digits.
const FLOOR_OVERALL = Number(process.env.ACCURACY_FLOOR ?? 0.98);
const FLOOR_PER_DIGIT = Number(process.env.ACCURACY_FLOOR_PER_DIGIT ?? 0.85);

// The forms MNIST rarely has (tests/e2e/fixtures/styles.json: crossed 7s, flagged 1s, open 4s,
// ...; 16 of each): measured 240/240, every form 16/16 (the MNIST-only network: long-flagged
// 1s 0/16, flagged 1s 6/16). The floors are the model card's goals: 95% per form (15 of 16),
// plain 1s and 7s every one.
const FLOOR_STYLE = Number(process.env.ACCURACY_FLOOR_STYLE ?? 0.93);
const FLOOR_PLAIN = Number(process.env.ACCURACY_FLOOR_PLAIN ?? 0.99);

const pct = (x) => `${(100 * x).toFixed(1).padStart(5)}%`;

describe('accuracy', () => {
  const env = sharedEnv();

  test('the page reads the stroke fixture', async () => {
    const fixture = loadFixture();
    const digits = fixture.digits;
    console.log(`stroke fixture: ${digits.length} digits; by source ${JSON.stringify(fixture.composition)}`);

    const s = await openPage(env);
    const { page, context } = s;
    const cdp = await context.newCDPSession(page);
    const box = await padBox(page);
    const confusion = Array.from({ length: 10 }, () => new Array(11).fill(0)); // column 10: empty
    const bySource = {};
    const bySize = {};
    const sizeBucket = (d) => {
      const h = digitHeight(d);
      return h < 0.55 ? 'small (<55% of the pad)' : h < 0.7 ? 'medium (55-70%)' : 'large (>=70%)';
    };
    const misses = [];
    const t0 = Date.now();
    for (const [i, d] of digits.entries()) {
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      // Moves at most 12 CSS px apart on a ~430 px tall pad (a quick mouse gives such gaps).
      await drawMouse(page, d.strokes, { step: 12, cdp, box });
      const prediction = await page.textContent('#prediction');
      const got = prediction === '' ? 10 : Number(prediction);
      confusion[d.label][got] += 1;
      bySource[d.source] ??= { n: 0, ok: 0 };
      bySource[d.source].n += 1;
      if (got === d.label) bySource[d.source].ok += 1;
      const size = sizeBucket(d);
      bySize[size] ??= { n: 0, ok: 0 };
      bySize[size].n += 1;
      if (got === d.label) bySize[size].ok += 1;
      else misses.push(`#${i} ${d.glyph} read as ${prediction || '(nothing)'}`);
    }
    const seconds = (Date.now() - t0) / 1000;

    const perDigit = confusion.map((row, label) => row[label] / row.reduce((a, b) => a + b, 0));
    const correct = confusion.reduce((sum, row, label) => sum + row[label], 0);
    const overall = correct / digits.length;

    const lines = [];
    lines.push(`accuracy on the stroke fixture: ${correct}/${digits.length} = ${pct(overall)} (${seconds.toFixed(1)} s)`);
    lines.push('per digit:  ' + perDigit.map((a, d) => `${d}:${pct(a)}`).join('  '));
    lines.push(
      'per source: ' +
        Object.entries(bySource)
          .map(([src, { n, ok }]) => `${src} ${ok}/${n} (${pct(ok / n).trim()})`)
          .join(', '),
    );
    lines.push(
      'per size:   ' +
        Object.entries(bySize)
          .map(([size, { n, ok }]) => `${size} ${ok}/${n} (${pct(ok / n).trim()})`)
          .join(', '),
    );
    lines.push('confusion (rows: drawn, columns: read; "-" = nothing read):');
    lines.push('      ' + [...'0123456789-'].map((c) => c.padStart(4)).join(''));
    for (const [label, row] of confusion.entries()) {
      lines.push(`   ${label}  ` + row.map((n) => (n === 0 ? '.' : String(n)).padStart(4)).join(''));
    }
    if (misses.length > 0) lines.push(`misread: ${misses.join('; ')}`);
    console.log(lines.join('\n'));

    await s.close();
    assert.ok(overall >= FLOOR_OVERALL, `overall accuracy ${pct(overall)} is below the floor ${pct(FLOOR_OVERALL)}`);
    for (const [d, a] of perDigit.entries()) {
      assert.ok(a >= FLOOR_PER_DIGIT, `accuracy on ${d}s ${pct(a)} is below the floor ${pct(FLOOR_PER_DIGIT)}`);
    }
  });

  test('the page reads crossed 7s, flagged 1s, open 4s and the other forms MNIST rarely has', async () => {
    const fixture = loadStyleFixture();
    const s = await openPage(env);
    const { page, context } = s;
    const cdp = await context.newCDPSession(page);
    const box = await padBox(page);
    const byStyle = {};
    const misses = [];
    for (const d of fixture.digits) {
      await page.keyboard.press('Escape');
      await waitSettled(page, 0);
      await drawMouse(page, d.strokes, { step: 12, cdp, box });
      const prediction = await page.textContent('#prediction');
      const unsure = await page.evaluate(() => !document.querySelector('#unsure')?.hidden);
      const st = (byStyle[d.style] ??= { n: 0, ok: 0, doubted: 0 });
      st.n += 1;
      if (prediction === String(d.label)) st.ok += 1;
      else misses.push(`${d.style} read as ${prediction || '(nothing)'}`);
      if (unsure) st.doubted += 1;
    }
    await s.close();
    const rows = Object.entries(byStyle).map(
      ([name, { n, ok, doubted }]) => `${name} ${ok}/${n}${doubted ? ` (${doubted} "not sure")` : ''}`,
    );
    const total = Object.values(byStyle).reduce((a, v) => [a[0] + v.ok, a[1] + v.n], [0, 0]);
    console.log(`style fixture: ${total[0]}/${total[1]} = ${pct(total[0] / total[1])}\n  ${rows.join('\n  ')}`);
    if (misses.length > 0) console.log(`misread: ${misses.join('; ')}`);
    for (const [name, { n, ok }] of Object.entries(byStyle)) {
      const floor = /^[17]-plain$/.test(name) ? FLOOR_PLAIN : FLOOR_STYLE;
      assert.ok(ok / n >= floor, `${name}: ${ok}/${n} read right, below the floor ${pct(floor)}`);
    }
  });
});
