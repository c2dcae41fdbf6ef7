// The page's one Trusted Types policy. Its Content-Security-Policy requires Trusted Types
// (`require-trusted-types-for 'script'; trusted-types lenet5`), and registering a service
// worker or starting a Web Worker are script-URL sinks: this policy vouches for exactly the
// page's own three worker scripts, next to the page, and nothing else.

const ALLOWED = ['/sw.js', '/learn-worker.js', '/model-worker.js'];
let policy; // created once: the CSP allows one policy named lenet5

/** `url` as a TrustedScriptURL (or as is in browsers without Trusted Types). Throws for any other script. */
export function trustedScriptUrl(url) {
  if (!globalThis.trustedTypes) return url;
  policy ??= globalThis.trustedTypes.createPolicy('lenet5', {
    createScriptURL(value) {
      const u = new URL(value, document.baseURI);
      const page = new URL('./', document.baseURI);
      const ok = u.origin === location.origin && ALLOWED.some((p) => u.pathname === new URL(`.${p}`, page).pathname);
      if (!ok || u.search || u.hash) throw new TypeError(`not one of the page's worker scripts: ${u.href}`);
      return u.href;
    },
  });
  return policy.createScriptURL(url);
}
