#!/usr/bin/env node
// Frame-budget benchmark for issue 17 (run by scripts/bench-frame.sh, which holds /tmp/www.lock).
//
// The page's whole reading (one digit + the number + the feature maps), as the page itself
// reports it, while a 6-digit number is written with real pointer input, in headless Chromium
// on three emulated viewports:
//
//   desktop-dpr1  1280x800, deviceScaleFactor 1, mouse (Playwright page.mouse)
//   desktop-dpr2  1280x800, deviceScaleFactor 2, mouse
//   phone-dpr3    390x844,  deviceScaleFactor 3, isMobile + hasTouch, touch (CDP Input.dispatchTouchEvent)
//
// Each run opens the page fresh (new context), waits for body[data-ready=true], writes the first
// five digits fast (moves back to back, with tests/e2e/helpers.mjs's drawMouse / drawTouch), then
// installs a MutationObserver and writes the last digit in real time: one move every
// FRAME_MOVE_MS (8 ms, a 125 Hz mouse or touch screen), each as long as it takes for the digit to
// take FRAME_TAIL_MS (1000 ms) of moving on any viewport (or FRAME_TAIL_STEP CSS px), sent
// without waiting for the previous one (order kept), so every animation frame gets fresh
// input; it collects every reading until the pen lifted and the page settled. A reading's
// duration is the pad's data-reading-ms when the page sets it (the stroke page), else the sum of
// the numbers in #timing ("This reading took X ms as one digit, Y ms as a number, feature maps
// Z ms."; 0.1 ms steps; on the pixel page the feature maps' figure is the previous frame's and
// the getImageData read-back is not in it). It also counts, per animation frame while the pen is
// down, whether the pen moved (the pad's data-version changed) and whether the page read in that
// frame: "a reading on every animation frame while the pen moves" is every moved frame read.
//
// By default the server adds Cross-Origin-Embedder-Policy: require-corp (COOP same-origin is
// already sent), so the page is cross-origin isolated and performance.now() has 5 µs steps
// instead of 100 µs; FRAME_ISOLATE=0 serves without it. Service workers are blocked (the offline
// worker would otherwise download the whole app in the background while the pen moves).
//
// Viewports run alternating (1, 2, 3, 1, 2, 3, ...), FRAME_REPEATS times (3). Prints a table per
// run and one of medians, and whether the goals are met (p50 <= FRAME_GOAL_MS (0.5) on every
// viewport; dpr2 p50 / dpr1 p50 <= FRAME_GOAL_RATIO (1.2)). Writes JSON to target/bench-frame.json
// (or $FRAME_OUT). Exit status 0 whether or not the goals are met (1 on a failed run).
//
// Environment: FRAME_REPEATS (3), FRAME_NUMBER (the digits written, default 205193),
// FRAME_STEP (6 CSS px between moves of the first digits), FRAME_TAIL_MS (1000), FRAME_MOVE_MS (8),
// FRAME_TAIL_STEP (CSS px per move of the last digit, instead of FRAME_TAIL_MS),
// FRAME_ISOLATE (1), FRAME_GOAL_MS (0.5), FRAME_WWW (the directory served, default www/),
// FRAME_GOAL_RATIO (1.2), FRAME_VIEWPORTS (comma list of names, default all three),
// FRAME_OUT, CHROMIUM_PATH, FRAME_PROFILE (a file: CPU-profile the last digit, print the readings'
// self time by function), FRAME_PROFILE_US (20).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import {
  CHROMIUM,
  CHROMIUM_ARGS,
  composeNumber,
  drawMouse,
  drawTouch,
  padBox,
  sample,
  toViewport,
  waitReady,
  waitSettled,
} from '../../tests/e2e/helpers.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '..', '..');
// FRAME_WWW serves another directory (e.g. a copy of an older page with the same www/pkg).
const WWW = process.env.FRAME_WWW ? path.resolve(process.env.FRAME_WWW) : path.join(ROOT, 'www');

const num = (name, dflt) => {
  const v = process.env[name];
  if (v === undefined || v === '') return dflt;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name}=${v}: expected a number >= 0`);
  return n;
};
const CFG = {
  repeats: num('FRAME_REPEATS', 3),
  number: process.env.FRAME_NUMBER || '205193',
  step: num('FRAME_STEP', 6),
  tailStep: num('FRAME_TAIL_STEP', 0), // 0: from FRAME_TAIL_MS
  tailMs: num('FRAME_TAIL_MS', 1000),
  moveMs: num('FRAME_MOVE_MS', 8),
  isolate: num('FRAME_ISOLATE', 1) !== 0,
  goalMs: num('FRAME_GOAL_MS', 0.5),
  goalRatio: num('FRAME_GOAL_RATIO', 1.2),
  // A CPU profile of the page while the last digit is written (Profiler over CDP), summarised
  // as the readings' self time by function; written whole to this path. The profiler slows
  // every reading down: shares, not times.
  profile: process.env.FRAME_PROFILE || '',
  profileUs: num('FRAME_PROFILE_US', 20),
};
const profiles = [];
if (!/^[0-9]{1,12}$/.test(CFG.number)) throw new Error(`FRAME_NUMBER=${CFG.number}: expected digits`);
const OUT = process.env.FRAME_OUT || path.join(ROOT, 'target', 'bench-frame.json');

const ALL_VIEWPORTS = [
  { name: 'desktop-dpr1', input: 'mouse', options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 } },
  { name: 'desktop-dpr2', input: 'mouse', options: { viewport: { width: 1280, height: 800 }, deviceScaleFactor: 2 } },
  {
    name: 'phone-dpr3',
    input: 'touch',
    options: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true },
  },
];
const wanted = (process.env.FRAME_VIEWPORTS || '').split(',').filter(Boolean);
const VIEWPORTS = wanted.length ? ALL_VIEWPORTS.filter((v) => wanted.includes(v.name)) : ALL_VIEWPORTS;
if (VIEWPORTS.length === 0) throw new Error(`FRAME_VIEWPORTS=${wanted}: none of ${ALL_VIEWPORTS.map((v) => v.name)}`);

const log = (...a) => console.error('[bench-frame]', ...a);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------- statistics ----------
const sorted = (xs) => [...xs].sort((a, b) => a - b);
/** Nearest-rank percentile. */
const pct = (xs, p) => {
  const s = sorted(xs);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
};
const median = (xs) => {
  const s = sorted(xs.filter((x) => Number.isFinite(x)));
  if (!s.length) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const f3 = (x) => (Number.isFinite(x) ? x.toFixed(3) : '—');
const f2 = (x) => (Number.isFinite(x) ? x.toFixed(2) : '—');
const table = (head, rows) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

// ---------- in the page ----------
/**
 * Installed before the last digit: records every reading (its duration and source, the time,
 * whether the pen was down), the pen's down/up times and every animation frame, until stop().
 */
function installRecorder() {
  const pad = document.getElementById('pad');
  const timing = document.getElementById('timing');
  // frames[i] = { t: rAF timestamp, v: pad version, down: pen down } seen by our rAF callback,
  // which runs first in each frame (it re-registers in the frame before, the pad's render is
  // requested later, by the input of this frame), so a reading made by the pad's render in frame
  // i happens while `frame` is i, and a pad change made by the input of frame i shows in frames[i].v.
  const rec = { readings: [], frames: [], pen: [], moves: [], skipped: 0, stopped: false };
  let frame = -1;
  const partsMs = (text) => [...text.matchAll(/(\d+(?:\.\d+)?)\s*ms/g)].map((m) => Number(m[1]));
  const sumMs = (text) => {
    const xs = partsMs(text);
    return xs.length ? xs.reduce((a, b) => a + b, 0) : NaN;
  };
  const observer = new MutationObserver((records) => {
    const now = performance.now();
    const drawing = pad.dataset.drawing === 'true';
    let attr = false;
    let text = false;
    for (const r of records) {
      if (r.target === pad && r.attributeName === 'data-reading-ms') attr = true;
      else if (r.target === pad && r.attributeName === 'data-drawing') rec.pen.push({ t: now, down: drawing });
      else if (r.target === pad && r.attributeName === 'data-version') rec.moves.push(now);
      else if (r.target !== pad) text = true;
    }
    if (attr) {
      const ms = Number(pad.dataset.readingMs);
      // #timing's parts too (one digit, number, feature maps; 0.1 ms), where the page shows them.
      if (Number.isFinite(ms)) rec.readings.push({ t: now, ms, source: 'data-reading-ms', drawing, frame, parts: partsMs(timing.textContent) });
      else rec.skipped++;
    } else if (text && pad.dataset.readingMs === undefined) {
      const ms = sumMs(timing.textContent);
      if (Number.isFinite(ms)) rec.readings.push({ t: now, ms, source: '#timing', drawing, frame, parts: partsMs(timing.textContent) });
      else rec.skipped++; // an empty reading clears #timing
    }
  });
  observer.observe(pad, { attributes: true, attributeFilter: ['data-reading-ms', 'data-drawing', 'data-version'] });
  observer.observe(timing, { childList: true, characterData: true, subtree: true });
  const onFrame = (t) => {
    if (rec.stopped) return;
    frame = rec.frames.length;
    rec.frames.push({ t, v: Number(pad.dataset.version), down: pad.dataset.drawing === 'true' });
    requestAnimationFrame(onFrame);
  };
  requestAnimationFrame(onFrame);
  window.__frameBench = {
    stop() {
      rec.stopped = true;
      observer.disconnect();
      return rec;
    },
  };
}

/** The smallest step of performance.now() seen over 20 ms. */
function timerStep() {
  let step = Infinity;
  let last = performance.now();
  const end = last + 20;
  while (last < end) {
    const t = performance.now();
    if (t > last) {
      step = Math.min(step, t - last);
      last = t;
    }
  }
  return step;
}

// ---------- drawing ----------
/**
 * Strokes in real time: a move every `moveMs`, not waiting for the one before (the browser keeps
 * their order and coalesces those of one frame, as it does for a real pen). Mouse through
 * page.mouse, or touch through CDP Input.dispatchTouchEvent. Resolves once the page settled.
 */
async function drawTimed(page, cdp, strokes, box, step, moveMs) {
  const before = Number(await page.getAttribute('#pad', 'data-strokes'));
  const touch = ([x, y]) => ({ x, y, id: 1, radiusX: 4, radiusY: 4, force: 0.5 });
  const ev = cdp
    ? {
        down: (p) => cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [touch(p)] }),
        move: (p) => cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [touch(p)] }),
        up: () => cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] }),
      }
    : {
        down: async (p) => {
          await page.mouse.move(p[0], p[1]);
          await page.mouse.down();
        },
        move: (p) => page.mouse.move(p[0], p[1]),
        up: () => page.mouse.up(),
      };
  for (const pts of toViewport(strokes, box, step, 'box')) {
    await ev.down(pts[0]);
    const sent = [];
    let next = performance.now();
    for (const p of pts.slice(1)) {
      next += moveMs;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
      sent.push(ev.move(p));
    }
    await Promise.all(sent);
    await sleep(moveMs);
    await ev.up();
  }
  await waitSettled(page, before + strokes.length);
}

/** Touch strokes with points across the pad's box (drawTouch's fit: 'box'). */
async function drawTouchFast(page, cdp, strokes, step) {
  await drawTouch(page, cdp, strokes, { step, fit: 'box' });
}

// ---------- one run ----------
async function runOnce(browser, baseUrl, vp, errors) {
  const context = await browser.newContext({ ...vp.options, serviceWorkers: 'block' });
  const page = await context.newPage();
  page.on('pageerror', (e) => errors.push(`${vp.name}: pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (/Service Worker registration blocked/.test(m.text())) return; // serviceWorkers: 'block'
    if (m.type() === 'error' || m.type() === 'warning') errors.push(`${vp.name}: console.${m.type()}: ${m.text()}`);
  });
  try {
    await page.goto(baseUrl);
    await waitReady(page, 60_000);
    await page.locator('#pad').scrollIntoViewIfNeeded();
    await sleep(300); // let the start-up work after data-ready (teacher, first layout) finish
    // A person takes a moment to reach for the pen: the page warms its module up meanwhile
    // (engine.js warmUp, done when #pad[data-warm-readings] is set; pages without it: 3 s).
    await page
      .waitForFunction(() => document.getElementById('pad').dataset.warmReadings !== undefined, null, { timeout: 3000 })
      .catch(() => {});
    const info = await page.evaluate(() => {
      const c = document.getElementById('pad');
      const r = c.getBoundingClientRect();
      return {
        dpr: devicePixelRatio,
        canvas: [c.width, c.height],
        css: [Math.round(r.width), Math.round(r.height)],
        crossOriginIsolated: self.crossOriginIsolated,
        warmReadings: c.dataset.warmReadings ?? null,
      };
    });
    info.timerStepMs = await page.evaluate(timerStep);
    const box = await padBox(page);
    const digits = [...CFG.number].map((d) => sample(Number(d)));
    const strokes = composeNumber(digits, { aspect: box.width / box.height, gaps: digits.slice(1).map(() => 0.08), height: 0.5 });
    const lastCount = digits[digits.length - 1].strokes.length;
    const head = strokes.slice(0, strokes.length - lastCount);
    const tail = strokes.slice(strokes.length - lastCount);
    // The last digit's path in CSS px, cut in moves so that writing it takes tailMs.
    const tailPx = toViewport(tail, box, 1e9, 'box').reduce((n, pts) => n + pts.slice(1).reduce((m, p, i) => m + Math.hypot(p[0] - pts[i][0], p[1] - pts[i][1]), 0), 0);
    const tailStep = CFG.tailStep || Math.max(0.5, tailPx / (CFG.tailMs / CFG.moveMs));
    const tailMoves = toViewport(tail, box, tailStep, 'box').reduce((n, p) => n + p.length, 0);

    const cdp = vp.input === 'touch' ? await context.newCDPSession(page) : null;
    if (head.length) {
      if (cdp) await drawTouchFast(page, cdp, head, CFG.step);
      else await drawMouse(page, head, { fit: 'box', box, step: CFG.step });
    }
    await sleep(100);
    await page.evaluate(installRecorder);
    const profiler = CFG.profile ? (cdp ?? (await context.newCDPSession(page))) : null;
    if (profiler) {
      await profiler.send('Profiler.enable');
      await profiler.send('Profiler.setSamplingInterval', { interval: CFG.profileUs });
      await profiler.send('Profiler.start');
    }
    const t0 = Date.now();
    await drawTimed(page, cdp, tail, box, tailStep, CFG.moveMs);
    const drawMs = Date.now() - t0;
    if (profiler) {
      const { profile } = await profiler.send('Profiler.stop');
      profiles.push({ viewport: vp.name, profile });
    }
    // The reading on pen-up is synchronous; give trailing frames (feature maps) time to land.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(r, 100)))));
    const rec = await page.evaluate(() => window.__frameBench.stop());
    const after = await page.evaluate(() => ({
      number: document.getElementById('number').textContent,
      prediction: document.getElementById('prediction').textContent,
      timing: document.getElementById('timing').textContent,
      readingMs: document.getElementById('pad').dataset.readingMs ?? null,
      strokes: Number(document.getElementById('pad').dataset.strokes),
    }));
    return { viewport: vp.name, input: vp.input, info, drawMs, tailPx, tailStep, tailMoves, tailStrokes: lastCount, after, ...analyse(rec) };
  } finally {
    await context.close();
  }
}

/**
 * The readings' share of each function, from the CPU profiles: the samples whose stack holds
 * what data-reading-ms times (the glue's `readStrokes` and pad.js's `forRecognizer`; not the
 * painting of the results), by the function on top (its self time).
 */
const READING_ROOTS = [
  ['readStrokes', 'lenet5.js'],
  ['forRecognizer', 'pad.js'],
];

function summariseProfiles() {
  writeFileSync(CFG.profile, JSON.stringify(profiles));
  for (const { viewport, profile } of profiles) {
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const parent = new Map();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const label = (n) => `${n.callFrame.functionName || '(anonymous)'} ${path.basename(n.callFrame.url || '')}`.trim();
    const inReading = new Map();
    const inReadingStack = (id) => {
      if (inReading.has(id)) return inReading.get(id);
      const n = byId.get(id);
      const timed = READING_ROOTS.some(([f, file]) => n.callFrame.functionName === f && n.callFrame.url.endsWith(file));
      const yes = timed || (parent.has(id) && inReadingStack(parent.get(id)));
      inReading.set(id, yes);
      return yes;
    };
    const self = new Map();
    let total = 0;
    profile.samples.forEach((id, i) => {
      if (!inReadingStack(id)) return;
      const dt = profile.timeDeltas[i + 1] ?? 0; // a sample's time runs to the next one
      const k = label(byId.get(id));
      self.set(k, (self.get(k) ?? 0) + dt);
      total += dt;
    });
    log(`${viewport}: ${(total / 1000).toFixed(1)} ms of samples in readings; self time by function:`);
    for (const [k, t] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 30)) {
      log(`  ${((100 * t) / total).toFixed(1).padStart(5)}%  ${k.slice(0, 100)}`);
    }
  }
}

/** Statistics of one run's recording. */
function analyse(rec) {
  const ms = rec.readings.map((r) => r.ms);
  // Animation frames while the pen was down (at the frame's start); of those, the ones whose
  // input changed the pad (its version moved since the frame before: the pen moved), and of
  // those, the ones the page read in that same frame. The pen-up reading happens in the
  // pointerup event, outside any frame, and the frame after it is no longer a pen-down frame.
  const frames = rec.frames;
  const readIn = new Map();
  for (const r of rec.readings) readIn.set(r.frame, (readIn.get(r.frame) ?? 0) + 1);
  let penFrames = 0;
  let movedFrames = 0;
  let movedRead = 0;
  let readFrames = 0;
  let doubleReads = 0;
  const intervals = [];
  for (let i = 1; i < frames.length; i++) {
    if (!frames[i].down) continue;
    penFrames++;
    intervals.push(frames[i].t - frames[i - 1].t);
    const n = readIn.get(i) ?? 0;
    if (n > 0) readFrames++;
    if (n > 1) doubleReads++;
    if (frames[i].v !== frames[i - 1].v) {
      movedFrames++;
      if (n > 0) movedRead++;
    }
  }
  const movedUnread = movedFrames - movedRead;
  // Median of each #timing part over the readings that show all three.
  const full = rec.readings.filter((r) => r.parts?.length === 3);
  const parts = full.length ? [0, 1, 2].map((k) => pct(full.map((r) => r.parts[k]), 50)) : null;
  const sources = [...new Set(rec.readings.map((r) => r.source))];
  return {
    readings: rec.readings.length,
    live: rec.readings.filter((r) => r.drawing).length,
    skipped: rec.skipped,
    source: sources.join('+') || 'none',
    p50: pct(ms, 50),
    p90: pct(ms, 90),
    max: ms.length ? Math.max(...ms) : NaN,
    penFrames,
    movedFrames,
    readFrames,
    movedUnread,
    doubleReads,
    parts,
    frameMs: median(intervals),
    longFrames: intervals.filter((x) => x > 20).length,
    samples: rec.readings,
    // Raw timeline (ms, page clock): animation frames, pad changes, pen down/up.
    timeline: { frames: rec.frames.map((f) => ({ ...f, t: +f.t.toFixed(2) })), moves: rec.moves.map((t) => +t.toFixed(2)), pen: rec.pen },
  };
}

// ---------- main ----------
async function main() {
  for (const f of ['pkg/lenet5.js', 'pkg/lenet5_bg.wasm', 'pkg/integrity.js', 'model/lenet5.onnx']) {
    if (!existsSync(path.join(WWW, f))) {
      throw new Error(`${path.join(WWW, f)} is missing: run scripts/bench-frame.sh (it builds www/ when www/pkg is missing)`);
    }
  }
  const appJs = readFileSync(path.join(WWW, 'app.js'), 'utf8');
  const glue = readFileSync(path.join(WWW, 'pkg', 'lenet5.js'), 'utf8');
  const page = {
    setsReadingMs: appJs.includes('readingMs'),
    glueHasRecognizeStrokes: glue.includes('recognizeStrokes'),
  };
  const shown = path.relative(ROOT, WWW).startsWith('..') ? WWW : path.relative(ROOT, WWW);
  log(`${shown}/app.js ${page.setsReadingMs ? 'sets' : 'does not set'} data-reading-ms; ${shown}/pkg/lenet5.js ${page.glueHasRecognizeStrokes ? 'has' : 'has no'} recognizeStrokes`);

  const server = await startServer({ root: WWW, port: 0 });
  if (CFG.isolate) {
    // Cross-origin isolation for fine timers: the server already sends COOP same-origin; add
    // COEP require-corp before its handler writes the head (writeHead merges set headers).
    server.server.prependListener('request', (_req, res) => res.setHeader('Cross-Origin-Embedder-Policy', 'require-corp'));
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const chromiumVersion = browser.version();
  const load0 = loadavg()[0];
  const errors = [];
  const runs = [];
  try {
    log(`Chromium ${chromiumVersion}, serving ${WWW} at ${server.url}${CFG.isolate ? ' (COOP+COEP)' : ''}, writing ${CFG.number}`);
    for (let r = 0; r < CFG.repeats; r++) {
      for (const vp of VIEWPORTS) {
        const res = await runOnce(browser, server.url, vp, errors);
        res.repeat = r + 1;
        runs.push(res);
        log(
          `#${r + 1} ${vp.name}: ${res.readings} readings (${res.live} while the pen was down, source ${res.source}), ` +
            `p50 ${f3(res.p50)} p90 ${f3(res.p90)} max ${f3(res.max)} ms; pen-down frames ${res.penFrames}: pen moved in ${res.movedFrames}, ` +
            `read in ${res.readFrames}, moved but not read ${res.movedUnread}, longer than 20 ms ${res.longFrames}; ` +
            `last digit ${res.tailMoves} moves of ${res.tailStep.toFixed(1)} px in ${res.drawMs} ms; canvas ${res.info.canvas.join('x')}; warm-up readings ${res.info.warmReadings ?? 'none'}; read "${res.after.number}"`,
        );
      }
    }
  } finally {
    await browser.close().catch(() => {});
    await server.close();
  }
  const load1 = loadavg()[0];
  if (CFG.profile) summariseProfiles();

  // ---------- report ----------
  const lines = [];
  const first = runs[0];
  lines.push(
    `## Whole reading while writing ${CFG.number} (headless Chromium ${chromiumVersion}; page ${shown})`,
    '',
    `Page: ${page.setsReadingMs ? 'sets data-reading-ms (stroke reading)' : 'no data-reading-ms: #timing parsed (pixel reading)'}; ` +
      `recognizeStrokes in www/pkg: ${page.glueHasRecognizeStrokes ? 'yes' : 'no'}. ` +
      `crossOriginIsolated ${first.info.crossOriginIsolated}, timer step ${f3(first.info.timerStepMs)} ms. ` +
      `Load average (1 min) ${load0.toFixed(2)} → ${load1.toFixed(2)} on ${availableParallelism()} cores.`,
    '',
    `Readings: from the last digit's first pen-down until the page settled after the lift (the last digit written in real time, ` +
      `a move every ${CFG.moveMs} ms, ${CFG.tailStep ? `${CFG.tailStep} CSS px each` : `about ${CFG.tailMs} ms for the digit`}; desktop by mouse, phone by touch). ` +
      'Frames: animation frames while the pen was down / those whose input moved the pen (changed the pad) / those with a reading / moved but not read in that frame. ' +
      'Frame ms: median time between animation frames while the pen was down (in brackets, how many took longer than 20 ms: dropped frames).',
    '',
  );
  const row = (x) => [
    x.repeat ?? 'median',
    x.viewport,
    x.input,
    `${x.info.canvas.join('x')} (css ${x.info.css.join('x')})`,
    `${x.readings} (${x.live} live)`,
    f3(x.p50),
    f3(x.p90),
    f3(x.max),
    `${x.penFrames} / ${x.movedFrames} / ${x.readFrames} / ${x.movedUnread}`,
    `${f2(x.frameMs)} (${x.longFrames})`,
    `"${x.after.number}"`,
  ];
  const head = ['run', 'viewport', 'input', 'pad backing store', 'readings', 'p50 ms', 'p90 ms', 'max ms', 'frames: pen down / moved / read / moved, unread', 'frame ms (frames > 20 ms)', 'read'];
  lines.push('### Every run (in the order run)', '', table(head, runs.map(row)), '');

  const medians = VIEWPORTS.map((vp) => {
    const rs = runs.filter((x) => x.viewport === vp.name);
    return {
      viewport: vp.name,
      input: vp.input,
      info: rs[0].info,
      readings: median(rs.map((x) => x.readings)),
      live: median(rs.map((x) => x.live)),
      p50: median(rs.map((x) => x.p50)),
      p90: median(rs.map((x) => x.p90)),
      max: median(rs.map((x) => x.max)),
      penFrames: median(rs.map((x) => x.penFrames)),
      movedFrames: median(rs.map((x) => x.movedFrames)),
      readFrames: median(rs.map((x) => x.readFrames)),
      movedUnread: median(rs.map((x) => x.movedUnread)),
      longFrames: median(rs.map((x) => x.longFrames)),
      frameMs: median(rs.map((x) => x.frameMs)),
      after: { number: [...new Set(rs.map((x) => x.after.number))].join(' / ') },
      allRead: rs.every((x) => x.after.number === CFG.number),
    };
  });
  lines.push(`### Medians over ${CFG.repeats} runs per viewport`, '', table(head, medians.map(row)), '');
  if (!runs.some((x) => x.parts)) {
    lines.push('Where the time goes: the page reads in one call (`readStrokes`: the number, the digit in focus, its maps), so `#timing` has one figure; `node bench/frame/replay.mjs` times the calls outside the browser.', '');
  } else lines.push(
    'Where the time goes, from `#timing` (0.1 ms steps; median over each run\'s readings, then over runs): ' +
      medians
        .map((m) => {
          const rs = runs.filter((x) => x.viewport === m.viewport && x.parts);
          if (!rs.length) return `${m.viewport} —`;
          const [a, b, c] = [0, 1, 2].map((k) => median(rs.map((x) => x.parts[k])));
          return `${m.viewport} one digit ${a.toFixed(1)} + number ${b.toFixed(1)} + feature maps ${c.toFixed(1)} ms`;
        })
        .join('; ') +
      '.',
    '',
  );

  const by = Object.fromEntries(medians.map((m) => [m.viewport, m]));
  const verdicts = [];
  for (const m of medians) {
    verdicts.push(`- ${m.viewport}: p50 ${f3(m.p50)} ms ${m.p50 <= CFG.goalMs ? '≤' : '>'} ${CFG.goalMs} ms: **${m.p50 <= CFG.goalMs ? 'MET' : 'NOT MET'}**` +
      (m.allRead ? '' : ` (warning: read ${m.after.number}, wrote ${CFG.number})`));
  }
  let ratio = NaN;
  if (by['desktop-dpr1'] && by['desktop-dpr2']) {
    ratio = by['desktop-dpr2'].p50 / by['desktop-dpr1'].p50;
    const perRepeat = [];
    for (let r = 1; r <= CFG.repeats; r++) {
      const a = runs.find((x) => x.repeat === r && x.viewport === 'desktop-dpr1');
      const b = runs.find((x) => x.repeat === r && x.viewport === 'desktop-dpr2');
      if (a && b) perRepeat.push(f2(b.p50 / a.p50));
    }
    verdicts.push(
      `- dpr2 / dpr1 p50: ${f2(ratio)} ${ratio <= CFG.goalRatio ? '≤' : '>'} ${CFG.goalRatio}: **${ratio <= CFG.goalRatio ? 'MET' : 'NOT MET'}** (per repeat: ${perRepeat.join(', ')})`,
    );
  }
  const allFrames = runs.every((x) => x.movedFrames > 0 && x.movedUnread === 0);
  verdicts.push(
    `- a reading in every animation frame in which the pen moved: **${allFrames ? 'yes' : 'no'}** (frames read / frames moved, every run: ` +
      runs.map((x) => `${x.viewport} ${x.movedFrames - x.movedUnread}/${x.movedFrames}`).join(', ') +
      ')',
  );
  lines.push('### Goals', '', ...verdicts, '');
  console.log(lines.join('\n'));

  const result = {
    date: new Date().toISOString(),
    chromium: chromiumVersion,
    config: CFG,
    page,
    loadavg: { start: load0, end: load1 },
    cpus: availableParallelism(),
    medians,
    ratio,
    runs,
    errors,
  };
  mkdirSync(path.dirname(OUT), { recursive: true });
  writeFileSync(OUT, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${path.relative(ROOT, OUT)}`);
  if (errors.length) log(`page messages:\n  ${errors.join('\n  ')}`);
}

main().catch((err) => {
  console.error(`bench-frame failed: ${err.stack || err}`);
  process.exit(1);
});
