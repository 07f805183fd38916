#!/usr/bin/env node
// A static server that answers the model hub's URL layout,
// `/<modelId>/resolve/main/<file>`, over the prepared models folder
// (<models dir>/hub), so the app loads a real model through its own mirror
// path: Encoder → "A self-hosted mirror", layout "hub", base URL = this server.
//
//   node scripts/models/serve-hub.mjs [--port 8899]
//
// CORS and CORP headers let the cross-origin-isolated app fetch from it.
import { createReadStream, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { hubDir } from './paths.mjs';

const HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-expose-headers': 'content-length',
  'cross-origin-resource-policy': 'cross-origin',
};

/**
 * Serves `root` (default: the prepared hub folder) on 127.0.0.1:`port` (0 =
 * any free port). Resolves to its base URL, the paths asked for, and close().
 */
export async function serveHub({ root = hubDir(), port = 0 } = {}) {
  const base = resolve(root);
  const requests = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push(path);
    const m = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(path);
    const file = m ? resolve(base, m[1], m[2]) : null;
    const stat = file && file.startsWith(base + sep) ? statSync(file, { throwIfNoEntry: false }) : undefined;
    if (req.method === 'OPTIONS') return void res.writeHead(204, { ...HEADERS, 'access-control-allow-headers': '*' }).end();
    if (!stat?.isFile()) return void res.writeHead(404, HEADERS).end();
    res.writeHead(200, { ...HEADERS, 'content-length': stat.size, 'content-type': 'application/octet-stream' });
    if (req.method === 'HEAD') return void res.end();
    createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => server.once('error', fail).listen(port, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, requests, close: () => new Promise((ok) => server.close(() => ok())) };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const i = process.argv.indexOf('--port');
  const { url } = await serveHub({ port: i > 0 ? Number(process.argv[i + 1]) : 8899 });
  console.log(`Serving ${hubDir()} in the hub's layout at ${url} (Ctrl-C stops)`);
}
