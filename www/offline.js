// Registers the service worker (sw.js) that keeps the page, the WebAssembly and
// the model for offline use. Only on http(s) pages in browsers that support it;
// otherwise the page simply works online as before.

/**
 * The page's Content-Security-Policy requires Trusted Types, and registering a worker is a
 * script-URL sink: this one policy (the only one the CSP allows, `trusted-types lenet5`)
 * vouches for exactly one URL, this origin's sw.js next to the page.
 */
function trustedWorkerUrl(url) {
  const policy = globalThis.trustedTypes?.createPolicy('lenet5', {
    createScriptURL(value) {
      const u = new URL(value, document.baseURI);
      if (u.origin !== location.origin || !u.pathname.endsWith('/sw.js')) {
        throw new TypeError(`not the page's service worker: ${u.href}`);
      }
      return u.href;
    },
  });
  return policy ? policy.createScriptURL(url) : url;
}

export function registerServiceWorker(url = 'sw.js') {
  if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return Promise.resolve(null);
  let scriptUrl;
  try {
    scriptUrl = trustedWorkerUrl(url);
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
