// Hostile-model benchmark (#19; not part of the tests): for each hostile model of
// tests/e2e/onnx-models.mjs and for the built-in LeNet-5, on a fresh page each, the longest
// main-thread stall while the page handles it (the longest gap between animation frames and
// the longest 'longtask'), how long until the page says what it did, and the wasm memory the
// page holds afterwards (after a garbage collection): main-thread instances (found through a
// hook on WebAssembly.instantiate, so it also measures older pages) and the model's worker.
//
//   node bench/hostile/run.mjs [www-dir ...]      (scripts/bench-hostile.sh runs it)
//
// Each directory is served on its own (e.g. a copy of an older page next to the same pkg/) and
// gets its own table. HOSTILE_REPEATS (3) fresh pages per model, alternating between the
// directories; the table gives the median of each measure and the largest memory held. Writes
// target/bench-hostile.json.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';
import { CHROMIUM, CHROMIUM_ARGS } from '../../tests/e2e/helpers.mjs';
import { hostileModels } from '../../tests/e2e/onnx-models.mjs';
import { readFileSync } from 'node:fs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dirs = process.argv.slice(2).length > 0 ? process.argv.slice(2) : [path.join(ROOT, 'www')];
const REPEATS = Number(process.env.HOSTILE_REPEATS ?? 3);
const VERDICT_TIMEOUT_MS = Number(process.env.HOSTILE_TIMEOUT_MS ?? 120_000);
const mb = (n) => `${(n / 1024 / 1024).toFixed(2)} MB`;

// Installed before any page script: keep a weak reference to every wasm memory instantiated,
// and record long tasks and animation-frame gaps from the start.
const INIT = () => {
  const mems = [];
  window.__bench = { mems, longtasks: [], gaps: { longest: 0, last: performance.now(), frames: 0 } };
  const orig = WebAssembly.instantiate;
  WebAssembly.instantiate = async function (...args) {
    const result = await orig.apply(this, args);
    const instance = result instanceof WebAssembly.Instance ? result : result.instance;
    const memory = instance?.exports?.memory;
    if (memory) mems.push(new WeakRef(memory));
    return result;
  };
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__bench.longtasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: true });
  const g = window.__bench.gaps;
  const tick = (t) => {
    g.longest = Math.max(g.longest, t - g.last);
    g.last = t;
    g.frames += 1;
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};

async function memoryHeld(page, cdp) {
  await cdp.send('HeapProfiler.collectGarbage');
  await page.waitForTimeout(100);
  await cdp.send('HeapProfiler.collectGarbage');
  return page.evaluate(async () => {
    const page = window.__bench.mems.reduce((sum, w) => sum + (w.deref()?.buffer.byteLength ?? 0), 0);
    let workers = 0;
    try {
      workers = (await import('./engine.js')).memoryReport().workers;
    } catch {
      // an older page: its models ran on the main thread
    }
    return { page, workers };
  });
}

function resetWindow(page) {
  return page.evaluate(() => {
    const b = window.__bench;
    b.longtasks.length = 0;
    b.gaps.longest = 0;
    b.gaps.frames = 0;
    b.gaps.last = performance.now();
  });
}

function windowStats(page) {
  return page.evaluate(() => {
    const b = window.__bench;
    return {
      gap: Math.max(b.gaps.longest, performance.now() - b.gaps.last),
      longtask: b.longtasks.length > 0 ? Math.max(...b.longtasks) : 0,
      frames: b.gaps.frames,
    };
  });
}

async function one(browser, url, model) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.addInitScript(INIT);
  const cdp = await context.newCDPSession(page);
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready && document.body.dataset.ready !== 'loading', null, { timeout: 60_000 });
  let row;
  if (!model) {
    // The built-in model: the page's own start, navigation to ready.
    await page.waitForTimeout(300);
    const w = await windowStats(page);
    row = { verdict: await page.textContent('#status'), ms: Date.now() - t0, ...w };
  } else {
    await page.evaluate(
      ([name, b64]) => {
        const raw = atob(b64);
        const data = new Uint8Array(raw.length);
        for (let i = 0; i < raw.length; i++) data[i] = raw.charCodeAt(i);
        window.__file = new File([data], name, { type: 'application/octet-stream' });
      },
      [model.name, model.bytes.toString('base64')],
    );
    await page.waitForTimeout(300);
    await resetWindow(page);
    const t1 = Date.now();
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(window.__file);
      window.__file = null;
      document.body.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForFunction(() => document.getElementById('status').dataset.state !== 'loading', null, { timeout: VERDICT_TIMEOUT_MS });
    const ms = Date.now() - t1;
    await page.waitForTimeout(200);
    const w = await windowStats(page);
    row = { verdict: await page.textContent('#status'), ms, ...w };
  }
  row.memory = await memoryHeld(page, cdp);
  await context.close();
  return row;
}

const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
const builtin = readFileSync(path.join(ROOT, 'www', 'model', 'lenet5.onnx'));
const models = [
  null,
  { name: 'lenet5.onnx', bytes: builtin, label: 'the built-in LeNet-5, chosen as a file' },
  ...hostileModels(),
];
const median = (xs) => {
  const v = xs.filter(Number.isFinite).sort((x, y) => x - y);
  return v.length === 0 ? NaN : v[Math.floor((v.length - 1) / 2)];
};
const label = (m) => (m ? (m.label ?? `${m.name} (${(m.bytes.length / 1024).toFixed(0)} KB)`) : 'the built-in LeNet-5 (page start)');
const servers = [];
const runs = new Map(); // dir -> label -> rows
try {
  for (const dir of dirs) {
    servers.push({ dir, server: await startServer({ root: path.resolve(dir), port: 0 }) });
    runs.set(dir, new Map(models.map((m) => [label(m), []])));
  }
  for (let rep = 0; rep < REPEATS; rep++) {
    for (const m of models) {
      for (const { dir, server } of servers) {
        let r;
        try {
          r = await one(browser, server.url, m);
        } catch (err) {
          r = { verdict: `no verdict: ${err.message.split('\n')[0]}`, ms: NaN, gap: NaN, longtask: NaN, memory: { page: NaN, workers: NaN } };
        }
        runs.get(dir).get(label(m)).push(r);
        process.stderr.write(
          `[bench-hostile] ${rep + 1}/${REPEATS} ${dir}: ${label(m)}: ${r.ms} ms, gap ${r.gap?.toFixed(0)} ms, longtask ${r.longtask?.toFixed(0)} ms, ${mb(r.memory.page)} + ${mb(r.memory.workers)}\n`,
        );
      }
    }
  }
} finally {
  await browser.close();
  for (const { server } of servers) await server.close();
}
const results = {};
for (const [dir, byModel] of runs) {
  console.log(`\n### ${path.relative(ROOT, path.resolve(dir)) || dir} (median of ${REPEATS})\n`);
  console.log('| model | what the page says | until it says so | longest frame gap | longest long task | wasm memory held (page + worker) |');
  console.log('|---|---|---|---|---|---|');
  results[dir] = [];
  for (const [model, rows] of byModel) {
    const row = {
      model,
      verdict: rows[0].verdict,
      ms: median(rows.map((r) => r.ms)),
      gap: median(rows.map((r) => r.gap)),
      longtask: median(rows.map((r) => r.longtask)),
      page: Math.max(...rows.map((r) => r.memory.page)),
      workers: Math.max(...rows.map((r) => r.memory.workers)),
      runs: rows,
    };
    results[dir].push(row);
    const verdict = row.verdict.length > 110 ? `${row.verdict.slice(0, 107)}…` : row.verdict;
    console.log(`| ${model} | ${verdict} | ${row.ms} ms | ${row.gap.toFixed(0)} ms | ${row.longtask.toFixed(0)} ms | ${mb(row.page)} + ${mb(row.workers)} |`);
  }
}
mkdirSync(path.join(ROOT, 'target'), { recursive: true });
writeFileSync(path.join(ROOT, 'target', 'bench-hostile.json'), JSON.stringify(results, null, 2));
