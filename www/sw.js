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
// CACHE names the cache; activating a worker with another name deletes the
// caches of older versions. Bump VERSION when the list of files changes.
const VERSION = 'v6';
const PREFIX = 'lenet5-';
const CACHE = `${PREFIX}${VERSION}`;

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

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `no-cache`: revalidate with the server rather than trust an old HTTP-cached copy.
      const requests = (paths) => paths.map((path) => new Request(new URL(path, scope), { cache: 'no-cache' }));
      await cache.addAll(requests(ASSETS));
      await cache.addAll(requests(EXAMPLES)).catch((err) => console.warn('examples not cached for offline use', err));
      await self.skipWaiting();
    })(),
  );
});

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
  // query (by its path: an example page must not replace the main page's copy).
  const key = navigate ? new URL(url.pathname, url.origin).href : url.href;
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)).catch(() => {}));
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
