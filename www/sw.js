// The service worker that lets the page work offline after the first visit.
//
// Network first, cache as the fallback: online, every file comes from the
// server (so a new build is picked up at once, with no second reload) and the
// fresh copy replaces the cached one; offline, the cached copy answers. On
// install the whole app is cached at once (the page, its modules, the wasm and
// the model), so it works offline even before it was reloaded once. The learning
// worker's files (learn-worker.js, its wasm, the replay sample) and the general
// recognizer module (pkg/lenet5_general*, fetched only for a model the page's own
// module does not build) are cached when first used, so the first visit does not
// download them.
//
// The <digit-input> examples (examples/, linked from the page) are cached on install too, after
// the page and in the same cache, but a failure there never costs the page its offline use.
// They load the page's own wasm and model (pkg/, model/), so they add only small files.
//
// Only what verifies is cached (#19): behind a captive portal that answers every request with
// its login page, that page must not become the offline copy of the app. pkg/sw-manifest.js
// (written by scripts/build.sh, scripts/sw-manifest.mjs; loaded below) holds the SHA-384 digest
// of every file in www/, the same digests pkg/integrity.js gives the wasm and the model; a
// response is cached only when it is a 200 from this site, its Content-Type fits its extension
// and its bytes match its digest. A response that does not verify is still handed to the page
// (online, the page sees what the network says) but never replaces a cached copy.
//
// CACHE is named after the build (the manifest's id): a new build installs into a new cache,
// all at once or not at all (one file that does not verify fails the install, and the worker
// and cache of the previous build stay in charge), and only `activate`, once the new cache is
// complete, deletes the caches of older builds. Bump VERSION when the list of files changes.
importScripts('pkg/sw-manifest.js');
const MANIFEST = self.SW_MANIFEST;
const VERSION = 'v7';
const PREFIX = 'lenet5-';
const CACHE = `${PREFIX}${VERSION}-${MANIFEST.build}`;

const ASSETS = [
  './',
  'index.html',
  'style.css',
  'app.js',
  'pad.js',
  'readings.js',
  'number.js',
  'unsure.js',
  'maps.js',
  'hints.js',
  'announce.js',
  'model-picker.js',
  'offline.js',
  'trusted.js',
  'teach.js',
  'store.js',
  'verified-fetch.js',
  'loader.js',
  'engine.js',
  'model-worker.js',
  'pkg/lenet5.js',
  'pkg/integrity.js',
  'pkg/lenet5_bg.wasm',
  'model/lenet5.onnx',
];

// The examples and the copy of the element they use (www/examples/digit-input/, written by
// scripts/build.sh).
const EXAMPLES = [
  'examples/',
  'examples/index.html',
  'examples/index.js',
  'examples/pin.html',
  'examples/pin.js',
  'examples/exercise.html',
  'examples/exercise.js',
  'examples/common.js',
  'examples/examples.css',
  'examples/digit-input/digit-input.js',
  'examples/digit-input/dist/lenet5.js',
];

const scope = new URL(self.registration.scope);

/** The manifest's name for a URL in scope: its path under the scope, a directory as its index.html. */
function manifestPath(url) {
  const rel = decodeURIComponent(new URL(url).pathname.slice(scope.pathname.length));
  return rel === '' || rel.endsWith('/') ? `${rel}index.html` : rel;
}

const TYPES = [
  [/\.html$/, /^text\/html/],
  [/\.css$/, /^text\/css/],
  [/\.m?js$/, /^(text|application)\/javascript/],
  [/\.wasm$/, /^application\/wasm/],
  [/\.json$/, /^application\/json/],
];

async function sri(buffer) {
  const hash = new Uint8Array(await crypto.subtle.digest('SHA-384', buffer));
  return `sha384-${btoa(String.fromCharCode(...hash))}`;
}

/**
 * Whether `response` is the file `url` names in this build: a 200 from this site, a Content-Type
 * that fits the extension (no HTML for a script, nor for a model), and the manifest's digest.
 * Resolves to '' when it verifies, else why not.
 */
async function verify(url, response) {
  if (!response || response.status !== 200 || response.type !== 'basic' || response.redirected) return `HTTP ${response?.status}`;
  const rel = manifestPath(url);
  const type = response.headers.get('content-type') ?? '';
  const expected = TYPES.find(([ext]) => ext.test(rel));
  if (expected ? !expected[1].test(type) : /^text\/html/.test(type)) return `Content-Type ${type} for ${rel}`;
  const digest = MANIFEST.files[rel];
  if (!digest) return `${rel} is not in this build`;
  if ((await sri(await response.clone().arrayBuffer())) !== digest) return `${rel} does not match its digest`;
  return '';
}

/** Fetches and verifies every path; rejects (naming the first that fails) unless all verify. */
async function fetchAll(paths) {
  return Promise.all(
    paths.map(async (p) => {
      const request = new Request(new URL(p, scope), { cache: 'no-cache' });
      const response = await fetch(request);
      const why = await verify(request.url, response);
      if (why) throw new Error(`not cached: ${why}`);
      return [request, response];
    }),
  );
}

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      // Everything fetched and verified before anything is written: a failure leaves no half
      // cache behind, and the previous build's worker and cache stay in charge.
      const page = await fetchAll(ASSETS);
      let examples = [];
      try {
        examples = await fetchAll(EXAMPLES);
      } catch (err) {
        console.warn('examples not cached for offline use', err);
      }
      const cache = await caches.open(CACHE);
      await Promise.all([...page, ...examples].map(([request, response]) => cache.put(request, response)));
      // The files cached when first used (the learning worker's, the general module): copied
      // from an older build's cache when they are still the same, so offline use keeps them.
      await copyUnchanged(cache);
      await self.skipWaiting();
    })(),
  );
});

async function copyUnchanged(cache) {
  try {
    const have = new Set((await cache.keys()).map((r) => r.url));
    for (const name of await caches.keys()) {
      if (!name.startsWith(PREFIX) || name === CACHE) continue;
      const old = await caches.open(name);
      for (const request of await old.keys()) {
        if (have.has(request.url)) continue;
        const response = await old.match(request);
        if (response && !(await verify(request.url, response))) {
          await cache.put(request, response);
          have.add(request.url);
        }
      }
    }
  } catch (err) {
    console.warn('could not carry over cached files', err);
  }
}

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      await Promise.all(names.filter((n) => n.startsWith(PREFIX) && n !== CACHE).map((n) => caches.delete(n)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin || !url.pathname.startsWith(scope.pathname)) return;
  if (request.headers.has('range')) return;
  event.respondWith(networkFirst(event, request, url));
});

async function networkFirst(event, request, url) {
  const navigate = request.mode === 'navigate';
  // A page under any query (?model=, ?pen=, ?seed=) is one page: cache it once, without the
  // query (by its path: an example page must not replace the main page's copy). So is a script
  // (engine.js imports the wasm glue again under ?instance=N for a fresh module instance).
  const plain = navigate || (url.search !== '' && /\.m?js$/.test(url.pathname));
  const key = plain ? new URL(url.pathname, url.origin).href : url.href;
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') {
      const copy = response.clone();
      event.waitUntil(
        (async () => {
          const why = await verify(key, copy);
          if (why) {
            console.info(`sw: not cached (${why})`);
            return;
          }
          await (await caches.open(CACHE)).put(key, copy);
        })().catch(() => {}),
      );
    }
    return response;
  } catch (err) {
    const cache = await caches.open(CACHE);
    const dirIndex = navigate && key.endsWith('/') ? new URL('index.html', key).href : null;
    const cached = (await cache.match(key)) ?? (dirIndex ? await cache.match(dirIndex) : undefined);
    if (cached) return cached;
    throw err;
  }
}
