// scripts/serve.mjs: MIME types, index.html, no directory traversal, no dotfiles.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { startServer } from '../../scripts/serve.mjs';

// fetch() normalizes "..", so send raw paths with node:http.
function get(url, rawPath, method = 'GET') {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(url);
    const req = request({ hostname, port, path: rawPath, method }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static server', () => {
  let dir;
  let server;
  before(async () => {
    const base = mkdtempSync(path.join(os.tmpdir(), 'lenet5-serve-'));
    dir = path.join(base, 'root');
    mkdirSync(path.join(dir, 'pkg'), { recursive: true });
    mkdirSync(path.join(dir, 'model'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>hi</title>');
    writeFileSync(path.join(dir, 'app.js'), 'export {};');
    writeFileSync(path.join(dir, 'pkg', 'lenet5_bg.wasm'), Buffer.from([0, 97, 115, 109, 1, 0, 0, 0]));
    writeFileSync(path.join(dir, 'model', 'lenet5.onnx'), Buffer.from([8, 7]));
    writeFileSync(path.join(dir, '.env'), 'SECRET=1');
    writeFileSync(path.join(base, 'outside.txt'), 'outside the root');
    server = await startServer({ root: dir, port: 0 });
    assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  });
  after(async () => {
    await server?.close();
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  test('serves files with the right MIME types', async () => {
    const cases = [
      ['/', 'text/html'],
      ['/index.html', 'text/html'],
      ['/app.js', 'text/javascript'],
      ['/pkg/lenet5_bg.wasm', 'application/wasm'],
      ['/model/lenet5.onnx', 'application/octet-stream'],
    ];
    for (const [p, type] of cases) {
      const res = await get(server.url, p);
      assert.equal(res.status, 200, p);
      assert.ok(res.headers['content-type'].startsWith(type), `${p}: ${res.headers['content-type']}`);
    }
    const head = await get(server.url, '/app.js', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
    assert.equal(head.headers['content-length'], '10');
  });

  test('answers 404 for missing files and 405 for other methods', async () => {
    assert.equal((await get(server.url, '/missing.onnx')).status, 404);
    assert.equal((await get(server.url, '/app.js', 'POST')).status, 405);
    const dirRes = await get(server.url, '/pkg');
    assert.equal(dirRes.status, 301);
    assert.equal(dirRes.headers.location, '/pkg/');
  });

  test('doubled slashes are paths, never a 500 or a redirect to another host', async () => {
    const root = await get(server.url, '//');
    assert.equal(root.status, 200, '"//" is the page');
    assert.match(root.body, /<title>hi<\/title>/);
    assert.equal((await get(server.url, '//app.js')).status, 200);
    assert.equal((await get(server.url, '//missing.example/x')).status, 404);
    const dirRes = await get(server.url, '//pkg');
    assert.equal(dirRes.status, 301);
    assert.equal(dirRes.headers.location, '/pkg/', 'not "//pkg/", an address on the host "pkg"');
    assert.equal((await get(server.url, '*', 'GET')).status, 400);
  });

  test('never serves files outside the root or dotfiles', async () => {
    for (const p of ['/../outside.txt', '/%2e%2e/outside.txt', '/..%2foutside.txt', '/pkg/..%2f..%2foutside.txt', '/.env', '/%2eenv', '/x%00.js', '/..\\outside.txt']) {
      const res = await get(server.url, p);
      assert.ok([400, 403, 404].includes(res.status), `${p}: ${res.status}`);
      assert.doesNotMatch(res.body, /outside the root|SECRET/, p);
    }
  });
});
