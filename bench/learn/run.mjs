// Fine-tuning time in headless Chromium (scripts/bench-learn.sh): the learning module the
// page's worker uses (www/pkg/lenet5_learn*), on the shipped model and replay sample, for 1,
// 5, 20 and 50 corrections. Corrections are MNIST replay digits: labelled right (the model
// reads them already: it stops after the minimum of steps, the fast end) and labelled wrong
// (it never learns them all: every step runs, the slow end). Plus the module's start-up (fetch,
// compile, unpack the replay sample) and its bytes. Prints a Markdown table.
import { startEnv } from '../../tests/e2e/helpers.mjs';

const RUNS = Number(process.env.RUNS ?? 5);
const env = await startEnv();
try {
  const context = await env.browser.newContext();
  const page = await context.newPage();
  await page.goto(env.url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
  const result = await page.evaluate(async (runs) => {
    const t0 = performance.now();
    const mod = await import('./pkg/lenet5_learn.js');
    await mod.default({ module_or_path: fetch('./pkg/lenet5_learn_bg.wasm') });
    const res = await fetch('./model/mnist-replay.bin.gz');
    const replay = new Uint8Array(await new Response(res.body.pipeThrough(new DecompressionStream('gzip'))).arrayBuffer());
    const startMs = performance.now() - t0;
    const model = new Uint8Array(await (await fetch('./model/lenet5.onnx')).arrayBuffer());
    const n = replay[0] | (replay[1] << 8);
    const image = (i) => {
      const x = new Float32Array(1024);
      for (let y = 0; y < 28; y++) for (let c = 0; c < 28; c++) x[(y + 2) * 32 + c + 2] = replay[2 + n + i * 784 + y * 28 + c] / 255;
      return x;
    };
    const rows = [];
    for (const count of [1, 5, 20, 50]) {
      for (const wrong of [false, true]) {
        const inputs = new Float32Array(count * 1024);
        const labels = new Uint8Array(count);
        for (let k = 0; k < count; k++) {
          const i = (k * 37) % n;
          inputs.set(image(i), k * 1024);
          labels[k] = wrong ? (replay[2 + i] + 1) % 10 : replay[2 + i];
        }
        const times = [];
        let report;
        for (let r = 0; r < runs; r++) {
          const t = performance.now();
          report = mod.fineTune(model, inputs, labels, replay, undefined, null).report;
          times.push(performance.now() - t);
        }
        times.sort((a, b) => a - b);
        rows.push({ count, wrong, steps: report.steps, median: times[Math.floor(times.length / 2)], max: times.at(-1) });
      }
    }
    return { startMs, rows };
  }, RUNS);
  console.log(`learning module start (fetch + compile + unpack the replay sample): ${result.startMs.toFixed(0)} ms\n`);
  console.log('| corrections | labels | steps | fine-tune median | max |');
  console.log('|---|---|---|---|---|');
  for (const r of result.rows) {
    console.log(`| ${r.count} | ${r.wrong ? 'wrong (every step runs)' : 'right (stops early)'} | ${r.steps} | ${r.median.toFixed(0)} ms | ${r.max.toFixed(0)} ms |`);
  }
  await context.close();
} finally {
  await env.stop();
}
