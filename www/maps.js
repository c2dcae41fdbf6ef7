// The feature maps panel: the 6 C1 maps (28x28) and 16 C3 maps (10x10) of the
// current drawing, read from the same tract model (Recognizer.featureMaps).
//
// show() computes and paints at once, as part of the page's reading of the drawing, which
// happens at most once per animation frame while the pen moves. The maps are post-ReLU
// activations (>= 0, unbounded); each map is scaled by its own maximum, but
// never by less than a quarter of its layer's maximum, so a map that barely
// responds stays dim instead of being blown up to full contrast.
//
// A model without recognisable C1/C3 layers (a user's own model may have none)
// hides the maps with a short note; the 32x32 input preview stays.
//
// For tests and tools: #maps[data-version] is the pad version last painted,
// #maps[data-available] is "false" while the maps are hidden.

import { parseColor } from './readings.js';

const LAYOUT = {
  c1: { cols: 3, gap: 2 },
  c3: { cols: 4, gap: 1 },
};
const MIN_SHARE = 0.25;

export class FeatureMapsView {
  /**
   * @param {object} els
   * @param {HTMLElement} els.panel
   * @param {HTMLCanvasElement} els.c1
   * @param {HTMLCanvasElement} els.c3
   * @param {HTMLElement} els.note
   */
  constructor({ panel, c1, c3, note }) {
    this.el = { panel, c1, c3, note };
    this.recognizer = null;
    this.available = true;
    // Blank maps at their final size until there is something to show.
    this.#paint('c1', null, { channels: 6, height: 28, width: 28 });
    this.#paint('c3', null, { channels: 16, height: 10, width: 10 });
  }

  /** Use another recognizer (a new model): show its maps, or say it has none. */
  setRecognizer(recognizer) {
    this.recognizer = recognizer;
    // A model read in its worker (`remote`) sends its maps with each reading (paint()).
    const has =
      Boolean(recognizer) &&
      recognizer.hasFeatureMaps !== false &&
      (recognizer.remote === true || typeof recognizer.featureMaps === 'function');
    this.#setAvailable(has, has ? '' : 'This model has no convolution layers like LeNet-5’s C1 and C3, so there are no feature maps to show.');
  }

  /**
   * Show the maps of a 32x32 network input now (null: blank).
   * @param {Float32Array|null} input
   * @param {number|string} version the pad version the input belongs to
   * @returns {number} how long featureMaps took, in milliseconds (0 if not run)
   */
  show(input, version) {
    let ms = 0;
    if (!this.available || !this.recognizer || !input) {
      this.#blank();
    } else {
      try {
        const t0 = performance.now();
        const maps = this.recognizer.featureMaps(input);
        ms = performance.now() - t0;
        this.#paint('c1', maps.c1, maps.c1);
        this.#paint('c3', maps.c3, maps.c3);
      } catch (err) {
        console.warn('featureMaps failed', err);
        this.#setAvailable(false, `The feature maps of this model cannot be shown (${err?.message ?? err}).`);
      }
    }
    this.el.panel.dataset.version = String(version);
    return ms;
  }

  /**
   * Paint maps computed elsewhere (a model read in its worker; null: blank).
   * @returns {number} `ms`, how long they took to compute
   */
  paint(maps, version, ms = 0) {
    if (this.available && maps) {
      this.#paint('c1', maps.c1, maps.c1);
      this.#paint('c3', maps.c3, maps.c3);
    } else {
      this.#blank();
    }
    this.el.panel.dataset.version = String(version);
    return maps ? ms : 0;
  }

  #blank() {
    this.#paint('c1', null, { channels: 6, height: 28, width: 28 });
    this.#paint('c3', null, { channels: 16, height: 10, width: 10 });
  }

  #setAvailable(available, note) {
    this.available = available;
    this.el.panel.dataset.available = String(available);
    this.el.note.textContent = note;
    this.el.note.hidden = available;
    if (!available) this.#blank();
  }

  /** Tile `channels` maps of height x width into the layer's canvas. */
  #paint(layer, map, { channels, height, width }) {
    const canvas = this.el[layer];
    const { cols, gap } = LAYOUT[layer];
    const rows = Math.ceil(channels / cols);
    const cw = cols * width + (cols - 1) * gap;
    const ch = rows * height + (rows - 1) * gap;
    if (canvas.width !== cw || canvas.height !== ch) {
      canvas.width = cw;
      canvas.height = ch;
    }
    const ctx = canvas.getContext('2d');
    const style = getComputedStyle(canvas);
    const paper = parseColor(style.getPropertyValue('--pad-paper').trim() || '#ffffff');
    const hot = parseColor(style.getPropertyValue('--map-hot').trim() || '#2f6f8f');
    const gutter = parseColor(style.getPropertyValue('--border').trim() || '#dddddd');
    const img = ctx.createImageData(cw, ch);
    const px = img.data;
    for (let i = 0; i < px.length; i += 4) {
      px[i] = gutter[0];
      px[i + 1] = gutter[1];
      px[i + 2] = gutter[2];
      px[i + 3] = 255;
    }
    const data = map?.data;
    const size = height * width;
    let layerMax = 0;
    if (data) for (let i = 0; i < data.length; i++) if (data[i] > layerMax) layerMax = data[i];
    for (let c = 0; c < channels; c++) {
      const ox = (c % cols) * (width + gap);
      const oy = Math.floor(c / cols) * (height + gap);
      let mapMax = 0;
      if (data) for (let i = c * size; i < (c + 1) * size; i++) if (data[i] > mapMax) mapMax = data[i];
      const scale = Math.max(mapMax, MIN_SHARE * layerMax, 1e-6);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) {
          const raw = data ? data[c * size + y * width + x] : 0;
          const v = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw / scale)) : 0;
          const o = ((oy + y) * cw + ox + x) * 4;
          px[o] = paper[0] + (hot[0] - paper[0]) * v;
          px[o + 1] = paper[1] + (hot[1] - paper[1]) * v;
          px[o + 2] = paper[2] + (hot[2] - paper[2]) * v;
        }
      }
    }
    ctx.putImageData(img, 0, 0);
  }
}
