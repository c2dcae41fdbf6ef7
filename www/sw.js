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
// CACHE names the cache; activating a worker with another name deletes the
// caches of older versions. Bump VERSION when the list of files changes.
const VERSION = 'v5';
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

const scope = new URL(self.registration.scope);
const INDEX = new URL('./', scope).href;

self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // `no-cache`: revalidate with the server rather than trust an old HTTP-cached copy.
      await cache.addAll(ASSETS.map((path) => new Request(new URL(path, scope), { cache: 'no-cache' })));
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
  // The page under any query (?model=, ?pen=) is one page: cache it once, without the query.
  const key = navigate ? INDEX : url.href;
  try {
    const response = await fetch(request);
    if (response.ok && response.type === 'basic') {
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)).catch(() => {}));
    }
    return response;
  } catch (err) {
    const cache = await caches.open(CACHE);
    const cached = (await cache.match(key)) ?? (navigate ? await cache.match(new URL('index.html', scope).href) : undefined);
    if (cached) return cached;
    throw err;
  }
}
