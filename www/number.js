// The whole-pad reading: #number shows the digits left to right, and a box is
// outlined over the pad around each digit the recognizer found. The boxes are
// elements over the canvas (never drawn into it: the canvas pixels are what
// gets recognised), placed in percent of the pad so they follow resizes.
//
// #number's text is exactly the reading ("" on an empty pad); a digit the
// network is not sure about gets a muted style and a question mark from CSS.

export class NumberView {
  /**
   * @param {object} els
   * @param {HTMLElement} els.number the <output> for the reading
   * @param {HTMLElement} els.boxes the layer over the pad that holds the digit boxes
   */
  constructor({ number, boxes }) {
    this.el = { number, boxes };
    this.text = '';
  }

  reset() {
    this.show({ text: '', digits: [] }, 1, 1);
  }

  /**
   * @param {{text: string, digits: Array<{digit: number, confidence: number, sure: boolean,
   *          runnerUp: number|null, x: number, y: number, width: number, height: number}>}} reading
   * @param {number} width canvas width in pixels (the boxes' coordinate space)
   * @param {number} height canvas height in pixels
   */
  show(reading, width, height) {
    const digits = reading?.digits ?? [];
    const text = reading?.text ?? '';
    this.text = text;
    const { number, boxes } = this.el;

    number.replaceChildren(
      ...digits.map((d) => {
        const span = document.createElement('span');
        span.className = 'number-digit';
        span.dataset.sure = String(d.sure !== false);
        span.textContent = String(d.digit);
        if (d.sure === false && d.runnerUp != null) span.title = `Not sure: ${d.digit} or ${d.runnerUp}`;
        return span;
      }),
    );
    // Whatever the spans hold, the text content is the reading.
    if (number.textContent !== text) number.textContent = text;
    number.dataset.digits = String(digits.length);
    number.closest('.reading')?.setAttribute('data-empty', String(text === ''));

    // Reuse the box elements: this runs on every animation frame while drawing.
    while (boxes.children.length > digits.length) boxes.lastElementChild.remove();
    while (boxes.children.length < digits.length) {
      const box = document.createElement('div');
      box.className = 'digit-box';
      const label = document.createElement('span');
      label.className = 'digit-box-label';
      box.append(label);
      boxes.append(box);
    }
    for (const [i, d] of digits.entries()) {
      const box = boxes.children[i];
      box.style.left = `${(100 * d.x) / width}%`;
      box.style.top = `${(100 * d.y) / height}%`;
      box.style.width = `${(100 * d.width) / width}%`;
      box.style.height = `${(100 * d.height) / height}%`;
      box.dataset.digit = String(d.digit);
      box.dataset.sure = String(d.sure !== false);
      box.firstElementChild.textContent = d.sure === false ? `${d.digit}?` : String(d.digit);
    }
  }
}

/** A result object from the wasm side as a plain object (serde may hand over a JS Map). */
export function plain(value) {
  return value instanceof Map ? Object.fromEntries(value) : value;
}

/** recognizeNumber's result with plain-object digits. */
export function normalizeReading(reading) {
  const r = plain(reading) ?? {};
  const digits = Array.from(r.digits ?? [], plain);
  return { text: typeof r.text === 'string' ? r.text : digits.map((d) => d.digit).join(''), digits };
}

/**
 * A number reading made from a single-digit recognition, for a recognizer
 * without recognizeNumber (a page newer than its wasm build).
 */
export function readingFromDigit(out) {
  if (!out || out.empty || out.digit == null || !out.rect) return { text: '', digits: [] };
  return {
    text: String(out.digit),
    digits: [
      {
        digit: out.digit,
        confidence: out.confidence,
        sure: out.sure !== false,
        runnerUp: out.runnerUp ?? null,
        runnerUpConfidence: out.runnerUpConfidence ?? 0,
        ...out.rect,
      },
    ],
  };
}
