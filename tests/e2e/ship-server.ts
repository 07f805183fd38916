// A plain static file server for the ship-* tests: serves the built app
// (dist/, or SHIP_DIST) under a sub-path, the way GitHub Pages or a university
// web folder does, and sends no COOP/COEP headers. Port 0: a free port is picked.
// It logs every request with the bytes it sent, for the first-visit download
// figures (bench/lib/first-visit.mjs); `root` and `headers` let it stand in
// for a model host too.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize, resolve } from 'node:path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

export interface StaticSite {
  url: string;
  /** Every request, with the body bytes sent (0 for a 404). */
  requests: { path: string; status: number; bytes: number }[];
  close: () => Promise<void>;
}

export async function serveDist(
  prefix = '/lab/surrogate/',
  opts: { root?: string; headers?: Record<string, string> } = {},
): Promise<StaticSite> {
  const root = resolve(opts.root ?? process.env.SHIP_DIST ?? 'dist');
  if (!opts.root && !existsSync(join(root, 'index.html')))
    throw new Error(`No built app in ${root}: run npm run build first (or set SHIP_DIST).`);
  const requests: StaticSite['requests'] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    const send = (status: number, file?: string) => {
      const size = file ? statSync(file).size : 0;
      requests.push({ path, status, bytes: req.method === 'HEAD' ? 0 : size });
      if (!file) return void res.writeHead(status, opts.headers).end();
      res.writeHead(status, {
        ...opts.headers,
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Content-Length': size,
      });
      createReadStream(file).pipe(res);
    };
    if (!path.startsWith(prefix)) return send(404);
    let file = normalize(join(root, path.slice(prefix.length)));
    if (!file.startsWith(root)) return send(403);
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) return send(404);
    send(200, file);
  });
  await new Promise<void>((ok) => server.listen(0, ok)); // every interface, so "localhost" reaches it over IPv4 or IPv6
  const port = (server.address() as { port: number }).port;
  return {
    // localhost (not 127.0.0.1) is a secure context for service workers either way; keep one origin.
    url: `http://localhost:${port}${prefix}`,
    requests,
    close: () =>
      new Promise((ok) => {
        if (!server.listening) return ok();
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
