// Test helpers shared by the embed specs (Node only): the committed tiny model,
// a throwaway transformers.js file cache, and a static file server.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env } from '@huggingface/transformers';

export const MODELS_DIR = fileURLToPath(new URL('../../../tests/fixtures/models', import.meta.url));
export const TINY = 'tiny-distilbert';
/** BERT-style inputs and a context-mixing layer: its [CLS] output differs from the mean (make-tiny-model.mjs). */
export const TINY_BERT = 'tiny-bert';

/**
 * In Node transformers.js caches remote files on disk under `relative path`
 * keys that ignore the host, so each source under test needs its own cache
 * directory or it would silently read another source's copy.
 */
const tempDirs: string[] = [];
export function freshFileCache(): string {
  env.cacheDir = tempDir('tjs-cache-');
  return env.cacheDir;
}

/** A new temporary directory, deleted by removeTempDirs(). */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** All files under `dir`, keyed by path relative to it with '/' separators. */
export function listFiles(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.set(relative(dir, p).split('\\').join('/'), p);
    }
  };
  walk(dir);
  return out;
}

export interface StaticServer {
  url: string;
  requests: string[];
  close(): Promise<void>;
}

/**
 * Serves MODELS_DIR on 127.0.0.1 in two layouts: `/models/<id>/<file>` (plain)
 * and `/hub/<id>/resolve/main/<file>` (hub). Records every requested path.
 */
export async function serveModels(): Promise<StaticServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    requests.push(path);
    const rel = path.startsWith('/models/')
      ? path.slice(8)
      : path.startsWith('/hub/')
        ? path.slice(5).replace('/resolve/main/', '/')
        : null;
    const file = rel === null ? null : resolve(MODELS_DIR, rel);
    if (!file || !file.startsWith(MODELS_DIR) || !statSync(file, { throwIfNoEntry: false })?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    res.writeHead(200, { 'content-length': body.length, 'content-type': 'application/octet-stream' }).end(body);
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const addr = server.address();
  if (addr === null || typeof addr === 'string') throw new Error('test server has no port');
  return {
    url: `http://127.0.0.1:${addr.port}`,
    requests,
    close: () => new Promise<void>((ok, fail) => server.close((err) => (err ? fail(err) : ok()))),
  };
}
