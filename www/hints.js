// The hint under the pad (#hint): says when the drawing is too small for the
// pen (strokes that thick melt a small digit into a blob) or touches the pad's
// edge (part of it may be cut off). Hidden otherwise.

/**
 * A digit whose ink box's longer side is under this many pen widths is too small: an 8
 * needs three strokes and two open loops across its height.
 */
const MIN_PEN_WIDTHS = 4.5;
/** ...or under this fraction of the pad's shorter side, whatever the pen. */
const MIN_SHARE = 0.08;
/** Ink within this many canvas pixels of an edge touches it. */
const EDGE = 2;

export class HintView {
  /** @param {HTMLElement} el */
  constructor(el) {
    this.el = el;
    this.kind = '';
  }

  reset() {
    this.#set('', '');
  }

  /**
   * @param {{empty: boolean, rect: {x: number, y: number, width: number, height: number}|null}} out
   * @param {{digits: Array<{width: number, height: number}>}} reading
   * @param {{width: number, height: number, lineWidth: number}} pad canvas size and pen width in canvas pixels
   */
  show(out, reading, { width, height, lineWidth }) {
    if (!out || out.empty || !out.rect) {
      this.#set('', '');
      return;
    }
    const r = out.rect;
    const edge = r.x <= EDGE || r.y <= EDGE || r.x + r.width >= width - EDGE || r.y + r.height >= height - EDGE;
    const boxes = reading?.digits?.length ? reading.digits : [r];
    const biggest = Math.max(...boxes.map((b) => Math.max(b.width, b.height)));
    const small = biggest < Math.max(MIN_SHARE * Math.min(width, height), MIN_PEN_WIDTHS * lineWidth);
    const kinds = [small && 'small', edge && 'edge'].filter(Boolean);
    const text = [
      small && 'Write bigger: the digits are small for this pen (or choose a thinner pen).',
      edge && 'The drawing touches the edge of the pad: part of it may be cut off.',
    ]
      .filter(Boolean)
      .join(' ');
    this.#set(kinds.join(' '), text);
  }

  #set(kind, text) {
    this.kind = kind;
    this.el.dataset.kind = kind;
    if (this.el.textContent !== text) this.el.textContent = text;
    this.el.hidden = text === '';
  }
}
