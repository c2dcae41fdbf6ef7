// The readings next to the pad: the predicted digit, the confidence, ten
// probability bars and the 32x32 input the network saw.

const DIGITS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];

function percent(p) {
  return `${Math.round(p * 100)}%`;
}

export class Readings {
  constructor({ prediction, confidence, runnerUp, probabilities, preview, timing, miniDigit, miniConfidence }) {
    this.el = { prediction, confidence, runnerUp, probabilities, preview, timing, miniDigit, miniConfidence };
    this.previewCtx = preview.getContext('2d');
    this.lastInput = null;
    this.bars = DIGITS.map((d) => {
      const li = document.createElement('li');
      li.className = 'bar';
      li.dataset.digit = String(d);
      li.dataset.p = '0';
      const label = document.createElement('span');
      label.className = 'bar-label';
      label.textContent = String(d);
      const track = document.createElement('span');
      track.className = 'bar-track';
      track.setAttribute('aria-hidden', 'true');
      const fill = document.createElement('span');
      fill.className = 'bar-fill';
      track.append(fill);
      const value = document.createElement('span');
      value.className = 'bar-value';
      value.textContent = '0%';
      li.append(label, track, value);
      probabilities.append(li);
      return { li, fill, value };
    });
    this.reset('Nothing drawn yet');
  }

  /** Empty readings: no digit, bars at zero, blank preview. */
  reset(message = '') {
    this.el.prediction.textContent = '';
    this.el.prediction.closest('.verdict')?.setAttribute('data-empty', 'true');
    this.el.confidence.textContent = message;
    this.el.runnerUp.textContent = '';
    this.el.timing.textContent = '';
    this.#mini('', '');
    for (const [d, bar] of this.bars.entries()) {
      this.#setBar(d, bar, 0, false);
    }
    this.lastInput = null;
    this.drawPreview();
  }

  /**
   * Show a recognition result.
   * @param {{empty: boolean, digit: number|null, confidence: number,
   *          probabilities: ArrayLike<number>, input: ArrayLike<number>}} out
   * @param {number} ms time the recognition took
   */
  show(out, ms) {
    if (out.empty) {
      this.reset('No ink found: draw a bit bolder or larger');
      return;
    }
    const probs = Array.from(out.probabilities, Number);
    let digit = Number.isInteger(out.digit) ? out.digit : probs.indexOf(Math.max(...probs));
    if (digit < 0 || digit > 9) digit = probs.indexOf(Math.max(...probs));
    const ranked = DIGITS.slice().sort((a, b) => probs[b] - probs[a]);
    const runnerUp = ranked.find((d) => d !== digit);

    this.el.prediction.textContent = String(digit);
    this.el.prediction.closest('.verdict')?.setAttribute('data-empty', 'false');
    const conf = Number.isFinite(out.confidence) ? out.confidence : probs[digit];
    this.el.confidence.textContent = conf >= 0.995 ? 'Over 99% sure' : `${percent(conf)} sure`;
    this.#mini(String(digit), conf >= 0.995 ? '>99%' : percent(conf));
    this.el.runnerUp.textContent =
      probs[runnerUp] >= 0.05 ? `Could also be a ${runnerUp} (${percent(probs[runnerUp])})` : '';
    for (const [d, bar] of this.bars.entries()) {
      this.#setBar(d, bar, probs[d] ?? 0, d === digit);
    }
    this.el.timing.textContent = Number.isFinite(ms) ? `This reading took ${ms.toFixed(ms < 1 ? 2 : 1)} ms.` : '';
    this.lastInput = out.input;
    this.drawPreview();
  }

  /** The small copy of the verdict beside the pad buttons (shown on narrow screens). */
  #mini(digit, confidence) {
    const { miniDigit, miniConfidence } = this.el;
    if (!miniDigit) return;
    miniDigit.textContent = digit;
    if (miniConfidence) miniConfidence.textContent = confidence;
    miniDigit.parentElement.dataset.empty = String(digit === '');
  }

  #setBar(d, { li, fill, value }, p, top) {
    const clamped = Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0));
    li.dataset.p = String(p);
    li.classList.toggle('top', top);
    fill.style.width = `${(clamped * 100).toFixed(2)}%`;
    value.textContent = percent(clamped);
    li.setAttribute('aria-label', `${d}: ${percent(clamped)}`);
  }

  /** Paint the last network input (0 = background, 1 = ink), or a blank square. */
  drawPreview() {
    const ctx = this.previewCtx;
    const { width, height } = ctx.canvas;
    const style = getComputedStyle(ctx.canvas);
    const paper = parseColor(style.getPropertyValue('--pad-paper').trim() || '#ffffff');
    const ink = parseColor(style.getPropertyValue('--pad-ink').trim() || '#111111');
    const img = ctx.createImageData(width, height);
    const input = this.lastInput;
    for (let i = 0; i < width * height; i++) {
      const v = input && i < input.length ? Math.min(1, Math.max(0, input[i])) : 0;
      img.data[i * 4] = paper[0] + (ink[0] - paper[0]) * v;
      img.data[i * 4 + 1] = paper[1] + (ink[1] - paper[1]) * v;
      img.data[i * 4 + 2] = paper[2] + (ink[2] - paper[2]) * v;
      img.data[i * 4 + 3] = 255;
    }
    ctx.putImageData(img, 0, 0);
  }
}

/** '#rgb', '#rrggbb' or 'rgb(r, g, b)' to [r, g, b]. */
export function parseColor(text) {
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(text);
  if (hex) {
    const h = hex[1].length === 3 ? [...hex[1]].map((c) => c + c).join('') : hex[1];
    return [0, 2, 4].map((i) => Number.parseInt(h.slice(i, i + 2), 16));
  }
  const rgb = /rgba?\(\s*([\d.]+)[\s,]+([\d.]+)[\s,]+([\d.]+)/i.exec(text);
  if (rgb) return [1, 2, 3].map((i) => Number(rgb[i]));
  return [128, 128, 128];
}
