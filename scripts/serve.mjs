#!/usr/bin/env node
// A small dependency-free static file server for www/ (development and tests).
//
//   node scripts/serve.mjs            -> http://127.0.0.1:8080/ (or $PORT)
//   import { startServer } from './serve.mjs';
//   const { url, close } = await startServer({ root, port: 0 });
//
// Only GET and HEAD; only files under root (no directory traversal, no
// dotfiles); a directory serves its index.html. No caching, so a rebuild
// shows up on reload.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const DEFAULT_ROOT = path.resolve(HERE, '..', 'www');

export const MIME_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.ts': 'text/plain; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Sent with every file. The page's own <meta> Content-Security-Policy does the rest (it also
 * works on hosts that cannot set headers); frame-ancestors only works as a header.
 */
export const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

function mimeType(file) {
  return MIME_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

function send(res, status, text, headers = {}) {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** Map a request path to a file under root, or null if it may not be served. */
export function resolveUnder(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const parts = decoded.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..' || p.startsWith('.'))) return null;
  const file = path.resolve(root, ...parts);
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return file;
}

async function handle(root, req, res) {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    send(res, 405, 'Method Not Allowed\n', { Allow: 'GET, HEAD' });
    return;
  }
  // The path as sent, parsed against a fixed origin: `new URL('//', base)` would read "//" as
  // an address without a host (a 500); here "//" and "//x/y" are paths like any other. A
  // request target that is not a path ("*", "http://...") is refused.
  const target = req.url ?? '/';
  if (!target.startsWith('/')) {
    send(res, 400, 'Bad Request\n');
    return;
  }
  let pathname;
  try {
    ({ pathname } = new URL(`http://localhost${target}`));
  } catch {
    send(res, 400, 'Bad Request\n');
    return;
  }
  let file = resolveUnder(root, pathname);
  if (file === null) {
    send(res, 403, 'Forbidden\n');
    return;
  }
  let info;
  try {
    info = await stat(file);
    if (info.isDirectory()) {
      if (!pathname.endsWith('/')) {
        // One leading slash: "//pkg/" would be another host's address.
        send(res, 301, 'Moved\n', { Location: `/${pathname.replace(/^\/+/, '')}/` });
        return;
      }
      file = path.join(file, 'index.html');
      info = await stat(file);
    }
  } catch {
    send(res, 404, 'Not Found\n');
    return;
  }
  if (!info.isFile()) {
    send(res, 404, 'Not Found\n');
    return;
  }
  res.writeHead(200, {
    'Content-Type': mimeType(file),
    'Content-Length': info.size,
    'Cache-Control': 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  const stream = createReadStream(file);
  stream.on('error', () => res.destroy());
  stream.pipe(res);
}

/**
 * Serve `root` on 127.0.0.1:`port` (0 picks a free port).
 * Resolves to { url, port, close } where close() resolves once the server stopped.
 */
export function startServer({ root = DEFAULT_ROOT, port = 8080, host = '127.0.0.1' } = {}) {
  const absRoot = path.resolve(root);
  const server = createServer((req, res) => {
    handle(absRoot, req, res).catch(() => {
      if (!res.headersSent) send(res, 500, 'Internal Server Error\n');
      else res.destroy();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const actual = server.address().port;
      resolve({
        url: `http://${host}:${actual}/`,
        port: actual,
        server,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href;
if (isMain) {
  const port = Number.parseInt(process.env.PORT ?? '8080', 10);
  const root = process.argv[2] ? path.resolve(process.argv[2]) : DEFAULT_ROOT;
  startServer({ root, port }).then(
    ({ url }) => {
      console.log(`Serving ${root} at ${url}`);
      console.log('Press Ctrl-C to stop.');
    },
    (err) => {
      console.error(`Could not start the server on port ${port}: ${err.message}`);
      process.exit(1);
    },
  );
}
