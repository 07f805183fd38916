// Test helpers shared by the embed specs (Node only): the committed tiny model,
// a throwaway transformers.js file cache, a static file server, and the embed
// worker run in-process for the state specs.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env } from '@huggingface/transformers';
import { createEmbedHandler } from './handler';
import type { EmbedReply, EmbedRequest } from './protocol';

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

/**
 * state/embed-client.ts's exports with the embed worker in-process: the same
 * handler (one handler = one worker, so it keeps the loaded encoder between
 * requests) on Node's onnxruntime ('cpu') with the model folder on disk.
 * `onRequest` sees every message; `alias` serves a model id by a tiny model.
 */
export function inProcessEmbedClient(onRequest: (msg: { type: string }) => void, alias: Record<string, string> = {}) {
  let id = 0;
  const waiting = new Map<number, { resolve: (r: EmbedReply) => void; reject: (e: Error) => void; onMessage?: (r: EmbedReply) => void }>();
  const handle = createEmbedHandler((r) => {
    const w = waiting.get(r.id);
    if (r.type === 'ready' || r.type === 'result' || r.type === 'stored' || r.type === 'slots' || r.type === 'rows') w?.resolve(r);
    else if (r.type === 'error' || r.type === 'cancelled') w?.reject(new Error(r.type === 'error' ? r.message : 'cancelled'));
    else w?.onMessage?.(r);
  });
  return {
    ortBase: () => '',
    embedRequest: (msg: { type: string }, onMessage?: (r: EmbedReply) => void) => {
      const reqId = ++id;
      onRequest(msg);
      const done = new Promise((resolve, reject) => waiting.set(reqId, { resolve, reject, onMessage }));
      const m = msg as { type: string; modelId?: string };
      const req = (
        msg.type === 'load'
          ? { ...msg, modelId: alias[m.modelId!] ?? m.modelId, device: 'cpu', source: { kind: 'local', path: MODELS_DIR } }
          : msg
      ) as EmbedRequest;
      void handle({ ...req, id: reqId });
      return { id: reqId, done, cancel: () => void handle({ type: 'cancel', id: reqId }) };
    },
  };
}
