// A drawing pad on a <canvas>: pointer input (mouse, touch, pen), strokes kept
// as data, smooth round strokes redrawn at any size.
//
// Strokes are stored in units of the pad's height, x measured from the pad's
// centre line, so the drawing keeps its proportions when the pad changes size
// or shape (a phone turned sideways, a window made narrower): it is scaled to
// fit the widest pad it was drawn on, never stretched. Drawing is
// rendered at most once per animation frame; every render calls
// `onRender({ live })`, where `live` is true while a stroke is in progress and
// false once it ended (pointer up), so the caller can read the drawing
// (forRecognizer(): the strokes as the canvas shows them, no pixels read back).
// Call fit(true) once after construction for the first render.
//
// The pen has one width (a fraction of the pad's shorter side, setWidthRatio):
// pen pressure, tilt and touch size are ignored on purpose, since the network
// reads shapes, not pressure.
//
// State for tests and tools, on the canvas: data-version (bumped on every
// change to the strokes), data-strokes (how many), data-drawing ("true" while a
// pointer is down).

const MIN_STEP = 0.0025; // ignore moves shorter than this (pad heights): jitter, repeats

export class DrawingPad {
  /**
   * @param {HTMLCanvasElement} canvas
   * @param {object} options
   * @param {(info: {live: boolean}) => void} [options.onRender] called after each render
   * @param {number} [options.maxDpr] cap for devicePixelRatio (backing store size)
   * @param {number} [options.widthRatio] pen width as a fraction of the pad's shorter side
   */
  constructor(canvas, { onRender = () => {}, maxDpr = 2, widthRatio = 1 / 14 } = {}) {
    this.canvas = canvas;
    // Drawn for the eye only (the recognizer takes the strokes, never these pixels), so the
    // canvas may live on the GPU: no willReadFrequently.
    this.ctx = canvas.getContext('2d');
    this.onRender = onRender;
    this.maxDpr = maxDpr;
    this.widthRatio = widthRatio;
    /**
     * Points [u, v, t]: v = y / height, u = (x - width / 2) / height (CSS box at drawing time),
     * t = milliseconds since the drawing's first point (the pointer event's time stamp; a
     * drawing given to setStrokes may have points [u, v] without it).
     * @type {Array<Array<number[]>>}
     */
    this.strokes = [];
    this.startTime = 0; // the time stamp of the drawing's first point
    // The widest aspect (width / height) the strokes were drawn on: a narrower pad shows
    // them scaled down to fit (0 when empty).
    this.aspect = 0;
    this.current = null; // the stroke being drawn, also the last item of strokes
    this.pointerId = null;
    this.version = 0; // bumped on every change to the strokes
    this.frame = 0; // pending requestAnimationFrame id
    this.rect = null;

    canvas.dataset.version = '0';
    canvas.dataset.strokes = '0';
    canvas.dataset.drawing = 'false';
    this.#listen();
    if ('ResizeObserver' in window) {
      new ResizeObserver(() => this.fit()).observe(canvas);
    }
    window.addEventListener('resize', () => this.fit());
    this.#watchDevicePixelRatio();
    window
      .matchMedia('(prefers-color-scheme: dark)')
      .addEventListener('change', () => this.renderNow(false));
  }

  // Moving the window to a screen with another pixel density changes devicePixelRatio
  // without necessarily resizing anything.
  #watchDevicePixelRatio() {
    if (typeof window.matchMedia !== 'function') return;
    const query = window.matchMedia(`(resolution: ${window.devicePixelRatio || 1}dppx)`);
    query.addEventListener(
      'change',
      () => {
        this.fit();
        this.#watchDevicePixelRatio();
      },
      { once: true },
    );
  }

  get isEmpty() {
    return this.strokes.length === 0;
  }

  get isDrawing() {
    return this.pointerId !== null;
  }

  /** How much the drawing is scaled down to fit a pad narrower than the one it was drawn on. */
  #scale(w, h) {
    return this.aspect > 0 ? Math.min(1, w / h / this.aspect) : 1;
  }

  /** The pen width in canvas pixels for the current size and setting. */
  get lineWidth() {
    const { width: w, height: h } = this.canvas;
    return Math.max(1, Math.min(w, h) * this.widthRatio * this.#scale(w, h));
  }

  /**
   * The drawing for the recognizer's stroke methods (recognizeStrokes, recognizeNumberStrokes):
   * `strokes`, one Float32Array per stroke of x, y (stride 2) or x, y, t (stride 3, when every
   * point has its time) in canvas pixels, each point where #render puts it (the same mapping),
   * and `penWidth`, the pen's width in canvas pixels as #render draws it. Strokes are cut at the
   * canvas's edges: a pointer held captured keeps drawing beyond them, and the network should
   * read what the pad shows.
   * @returns {{strokes: Float32Array[], penWidth: number, stride: 2 | 3}}
   */
  forRecognizer() {
    const { width: w, height: h } = this.canvas;
    const k = h * this.#scale(w, h);
    const stride = this.strokes.every((s) => s[0].length > 2) ? 3 : 2;
    const strokes = [];
    for (const stroke of this.strokes) {
      // Finished strokes come out the same frame after frame: only the one being drawn (or
      // all, after a resize) is converted again.
      let done = this.#flat.get(stroke);
      if (!done || done.n !== stroke.length || done.w !== w || done.h !== h || done.k !== k || done.stride !== stride) {
        const pts = stroke.map(([u, v, t]) => [w / 2 + u * k, h / 2 + (v - 0.5) * k, t]);
        const runs = clipToBox(pts, w, h).map((run) => {
          const flat = new Float32Array(run.length * stride);
          run.forEach((p, i) => flat.set(stride === 3 ? p : p.slice(0, 2), i * stride));
          return flat;
        });
        done = { n: stroke.length, w, h, k, stride, runs };
        this.#flat.set(stroke, done);
      }
      strokes.push(...done.runs);
    }
    return { strokes, penWidth: this.lineWidth, stride };
  }

  /** forRecognizer's strokes by pad stroke, with what they were converted for. */
  #flat = new WeakMap();

  /** The pen's width in the strokes' unit (pad heights), as drawn now. */
  get penWidthInHeights() {
    const { width: w, height: h } = this.canvas;
    return this.lineWidth / (h * this.#scale(w, h));
  }

  /** Change the pen width (a fraction of the pad's shorter side); redraws every stroke. */
  setWidthRatio(ratio) {
    if (!(ratio > 0) || ratio === this.widthRatio) return;
    this.widthRatio = ratio;
    this.renderNow(false);
  }

  /**
   * Size the backing store to the CSS size x devicePixelRatio (capped) and
   * redraw if it changed (or always, with force). Call once after construction.
   */
  fit(force = false) {
    const { width, height } = this.canvas.getBoundingClientRect();
    if (width === 0 || height === 0) {
      if (force) this.renderNow(false);
      return;
    }
    const dpr = Math.min(window.devicePixelRatio || 1, this.maxDpr);
    const w = Math.max(1, Math.round(width * dpr));
    const h = Math.max(1, Math.round(height * dpr));
    if (force || w !== this.canvas.width || h !== this.canvas.height) {
      this.canvas.width = w;
      this.canvas.height = h;
      this.renderNow(false);
    }
  }

  clear() {
    this.#endStroke();
    if (this.strokes.length === 0) return;
    this.strokes = [];
    this.aspect = 0;
    this.#changed();
    this.renderNow(false);
  }

  undo() {
    if (this.isDrawing || this.strokes.length === 0) return;
    this.strokes.pop();
    if (this.strokes.length === 0) this.aspect = 0;
    this.#changed();
    this.renderNow(false);
  }

  /**
   * Replace the drawing (points [x, y] from 0 to 1 across the pad's current box, or [x, y, t]
   * with t in milliseconds since the drawing's first point) and render it.
   */
  setStrokes(strokes) {
    this.#endStroke();
    const { width, height } = this.canvas.getBoundingClientRect();
    const aspect = width > 0 && height > 0 ? width / height : 1;
    this.strokes = strokes.map((s) => s.map(([x, y, ...t]) => [(x - 0.5) * aspect, y, ...t.slice(0, 1)]));
    this.aspect = this.strokes.length > 0 ? aspect : 0;
    this.#changed();
    this.renderNow(false);
  }

  /** Render on the next animation frame (at most one render per frame). */
  scheduleRender() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.#render();
      this.onRender({ live: this.isDrawing });
    });
  }

  /** Render immediately (cancelling a scheduled frame) and report it. */
  renderNow(live = this.isDrawing) {
    if (this.frame) {
      cancelAnimationFrame(this.frame);
      this.frame = 0;
    }
    this.#render();
    this.onRender({ live });
  }

  colors() {
    const style = getComputedStyle(this.canvas);
    return {
      paper: style.getPropertyValue('--pad-paper').trim() || '#ffffff',
      ink: style.getPropertyValue('--pad-ink').trim() || '#111111',
    };
  }

  #changed() {
    this.version += 1;
    this.canvas.dataset.version = String(this.version);
    this.canvas.dataset.strokes = String(this.strokes.length);
  }

  #render() {
    const { ctx, canvas } = this;
    const w = canvas.width;
    const h = canvas.height;
    const { paper, ink } = this.colors();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalCompositeOperation = 'source-over';
    ctx.fillStyle = paper;
    ctx.fillRect(0, 0, w, h);
    const lineWidth = this.lineWidth;
    const k = h * this.#scale(w, h);
    ctx.lineWidth = lineWidth;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.strokeStyle = ink;
    ctx.fillStyle = ink;
    for (const stroke of this.strokes) {
      const pts = stroke.map(([u, v]) => [w / 2 + u * k, h / 2 + (v - 0.5) * k]);
      if (pts.length === 1) {
        ctx.beginPath();
        ctx.arc(pts[0][0], pts[0][1], lineWidth / 2, 0, Math.PI * 2);
        ctx.fill();
        continue;
      }
      // Quadratic smoothing: curves through the midpoints, controlled by the samples.
      ctx.beginPath();
      ctx.moveTo(pts[0][0], pts[0][1]);
      for (let i = 1; i < pts.length - 1; i++) {
        const [cx, cy] = pts[i];
        const [nx, ny] = pts[i + 1];
        ctx.quadraticCurveTo(cx, cy, (cx + nx) / 2, (cy + ny) / 2);
      }
      const last = pts[pts.length - 1];
      ctx.lineTo(last[0], last[1]);
      ctx.stroke();
    }
  }

  /** A pointer position as a stored point (see the strokes property). */
  #point(e) {
    const r = this.rect;
    const k = r.height * this.#scale(r.width, r.height);
    return [
      (e.clientX - r.left - r.width / 2) / k,
      0.5 + (e.clientY - r.top - r.height / 2) / k,
      Math.max(0, e.timeStamp - this.startTime),
    ];
  }

  #add(point, force = false) {
    const s = this.current;
    const [lx, ly] = s[s.length - 1];
    if (!force && Math.hypot(point[0] - lx, point[1] - ly) < MIN_STEP) return false;
    if (force && point[0] === lx && point[1] === ly) return false;
    s.push(point);
    this.#changed();
    return true;
  }

  #endStroke() {
    const id = this.pointerId;
    this.pointerId = null;
    this.current = null;
    this.canvas.dataset.drawing = 'false';
    if (id !== null && this.canvas.hasPointerCapture?.(id)) {
      this.canvas.releasePointerCapture(id);
    }
  }

  #listen() {
    const c = this.canvas;

    c.addEventListener('pointerdown', (e) => {
      if (this.pointerId !== null) return; // one stroke at a time (ignore extra fingers)
      // The main button only: no right click, no pen barrel or eraser button.
      if (e.button !== 0) return;
      e.preventDefault();
      try {
        c.setPointerCapture(e.pointerId);
      } catch {
        // the pointer may already be gone; drawing still works without capture
      }
      this.pointerId = e.pointerId;
      c.dataset.drawing = 'true';
      this.rect = c.getBoundingClientRect();
      if (this.rect.height > 0) this.aspect = Math.max(this.aspect, this.rect.width / this.rect.height);
      if (this.strokes.length === 0) this.startTime = e.timeStamp;
      this.current = [this.#point(e)];
      this.strokes.push(this.current);
      this.#changed();
      this.scheduleRender();
    });

    c.addEventListener('pointermove', (e) => {
      if (e.pointerId !== this.pointerId) return;
      e.preventDefault();
      this.rect = c.getBoundingClientRect();
      const events = typeof e.getCoalescedEvents === 'function' ? e.getCoalescedEvents() : [];
      let changed = false;
      for (const ev of events.length > 0 ? events : [e]) {
        changed = this.#add(this.#point(ev)) || changed;
      }
      if (changed) this.scheduleRender();
    });

    const finish = (e) => {
      if (e.pointerId !== this.pointerId) return;
      if (e.type === 'pointerup') {
        this.rect = c.getBoundingClientRect();
        this.#add(this.#point(e), true);
      }
      this.#endStroke();
      this.renderNow(false);
    };
    c.addEventListener('pointerup', finish);
    c.addEventListener('pointercancel', finish);
    c.addEventListener('lostpointercapture', finish);

    // No context menu, text selection or drag on a long press.
    c.addEventListener('contextmenu', (e) => e.preventDefault());
    c.addEventListener('dragstart', (e) => e.preventDefault());
    // touch-action: none keeps a finger on the pad from scrolling or zooming the page;
    // older iOS Safari also needs the touch events cancelled.
    const noScroll = (e) => {
      if (e.cancelable) e.preventDefault();
    };
    c.addEventListener('touchstart', noScroll, { passive: false });
    c.addEventListener('touchmove', noScroll, { passive: false });
  }
}

/**
 * A path of points [x, y, ...] cut to the box [0, w] x [0, h]: the runs of it inside, each
 * starting or ending where the path crosses the box's edge (other values, such as a time,
 * interpolated there). A path wholly inside, as nearly every one is, comes back as it is.
 */
function clipToBox(pts, w, h) {
  const inside = ([x, y]) => x >= 0 && x <= w && y >= 0 && y <= h;
  if (pts.every(inside)) return [pts];
  const at = (a, b, s) => (s === 0 ? a : s === 1 ? b : a.map((v, j) => v + (b[j] - v) * s));
  const runs = [];
  let run = null;
  for (let i = 1; i < pts.length; i++) {
    const a = pts[i - 1];
    const b = pts[i];
    const span = clipSegment(a, b, w, h);
    if (!span) {
      run = null;
      continue;
    }
    const [s0, s1] = span;
    if (!run || s0 > 0) {
      run = [at(a, b, s0)];
      runs.push(run);
    }
    run.push(at(a, b, s1));
    if (s1 < 1) run = null; // left the box
  }
  return runs;
}

/** The part [s0, s1] (0 at a, 1 at b) of the segment a-b inside [0, w] x [0, h] (Liang-Barsky), or null. */
function clipSegment([x0, y0], [x1, y1], w, h) {
  const dx = x1 - x0;
  const dy = y1 - y0;
  let s0 = 0;
  let s1 = 1;
  for (const [p, q] of [
    [-dx, x0],
    [dx, w - x0],
    [-dy, y0],
    [dy, h - y0],
  ]) {
    if (p === 0) {
      if (q < 0) return null; // parallel to this edge and outside it
      continue;
    }
    const r = q / p;
    if (p < 0) {
      if (r > s1) return null;
      if (r > s0) s0 = r;
    } else {
      if (r < s0) return null;
      if (r < s1) s1 = r;
    }
  }
  return [s0, s1];
}
