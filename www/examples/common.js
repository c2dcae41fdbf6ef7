// Shared by the examples: where <digit-input> finds its engine on this site, and offline use.
//
// The element loads its WebAssembly and model from ./digit-input/dist/ next to itself by
// default (what the npm package ships). This site already has both for its main page
// (../pkg/lenet5_bg.wasm, ../model/lenet5.onnx, with SHA-384 digests in ../pkg/integrity.js), so
// the examples point the element at them: one copy on the site, one download, one cache entry.
// This module must set DigitInputElement.engine while the element module is being evaluated
// (it imports it first), before the engine starts.
import integrity from '../pkg/integrity.js';
import { DigitInputElement } from './digit-input/digit-input.js';

DigitInputElement.engine = {
  wasm: new URL('../pkg/lenet5_bg.wasm', import.meta.url),
  model: new URL('../model/lenet5.onnx', import.meta.url),
  integrity: { wasm: integrity['pkg/lenet5_bg.wasm'], model: integrity['model/lenet5.onnx'] },
};

// The site's service worker (../sw.js) keeps the examples, the element, the wasm and the model
// for offline use after the first visit. The pages require Trusted Types: this policy vouches
// for that one script and nothing else.
const SW = new URL('../sw.js', import.meta.url).href;
export function registerServiceWorker() {
  if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return Promise.resolve(null);
  let url = SW;
  if (globalThis.trustedTypes) {
    const policy = globalThis.trustedTypes.createPolicy('digit-input-examples', {
      createScriptURL(value) {
        if (value !== SW) throw new TypeError(`not the site's service worker: ${value}`);
        return value;
      },
    });
    url = policy.createScriptURL(SW);
  }
  return navigator.serviceWorker.register(url).catch((err) => {
    console.info('Offline use is unavailable:', err?.message ?? err);
    return null;
  });
}

/** Marks the page ready for tests (body[data-ready]) once every <digit-input> can read. */
export async function whenReady() {
  try {
    await DigitInputElement.preload();
    document.body.dataset.ready = 'true';
  } catch (err) {
    document.body.dataset.ready = 'error';
    const status = document.getElementById('status');
    if (status) status.textContent = `The handwriting reader could not load: ${err.message}`;
  }
}
