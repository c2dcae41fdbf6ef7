// Registers the service worker (sw.js) that keeps the page, the WebAssembly and
// the model for offline use. Only on http(s) pages in browsers that support it;
// otherwise the page simply works online as before.
import { trustedScriptUrl } from './trusted.js';

export function registerServiceWorker(url = 'sw.js') {
  if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return Promise.resolve(null);
  let scriptUrl;
  try {
    scriptUrl = trustedScriptUrl(url);
  } catch (err) {
    console.info('Offline use is unavailable:', err?.message ?? err);
    return Promise.resolve(null);
  }
  return navigator.serviceWorker.register(scriptUrl).catch((err) => {
    // Blocked (private mode, a policy, a test harness): not an error for the page.
    console.info('Offline use is unavailable:', err?.message ?? err);
    return null;
  });
}
