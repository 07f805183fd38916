// A mock OpenAI-compatible chat server for e2e tests and benchmarks.
// Plain Node ESM with no dependencies, so Playwright, Vitest and the bench
// script can all start it. See README.md beside this file for the config.
import http from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { answerChat, defaultConfig, limitExceeded, requestTokenEstimate } from './chat.mjs';
import { createLimiter } from './limits.mjs';

export { defaultConfig };

const HERE = path.dirname(fileURLToPath(import.meta.url));
const DEFAULT_MODELS_DIR = path.resolve(HERE, '../fixtures/models');

// The browser app is cross-origin isolated (COEP require-corp), so every
// response, errors included, must be CORS- and CORP-readable.
const CORS = {
  'Access-Control-Allow-Origin': '*',
  // "*" alone does not cover Authorization (Fetch spec), so name it too.
  'Access-Control-Allow-Headers': '*, Authorization',
  'Access-Control-Allow-Methods': 'GET, POST, HEAD, OPTIONS',
  'Access-Control-Expose-Headers': 'x-request-id',
  'Access-Control-Max-Age': '600',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

// Many real servers do not expose their wait headers to pages (CORS), so by
// default neither does the mock; `exposeRateLimitHeaders` turns them on.
export const RATE_LIMIT_HEADERS = [
  'Retry-After',
  'retry-after-ms',
  'x-ratelimit-limit-requests',
  'x-ratelimit-limit-tokens',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-remaining-tokens',
  'x-ratelimit-reset-requests',
  'x-ratelimit-reset-tokens',
];
const exposeHeaders = (config) => (config?.exposeRateLimitHeaders ? ['x-request-id', ...RATE_LIMIT_HEADERS].join(', ') : 'x-request-id');

const CONTENT_TYPES = {
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.onnx': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.safetensors': 'application/octet-stream',
  '.wasm': 'application/wasm',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.html': 'text/html; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

function send(res, status, body, headers = {}, config = null) {
  const isJson = body !== null && typeof body === 'object' && !(body instanceof Uint8Array);
  const payload = isJson ? JSON.stringify(body) : body;
  res.writeHead(status, {
    ...CORS,
    'Access-Control-Expose-Headers': exposeHeaders(config),
    ...(isJson ? { 'Content-Type': 'application/json' } : {}),
    ...headers,
  });
  res.end(payload ?? undefined);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(text) {
  if (!text) return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, value: text };
  }
}

async function serveStatic(res, modelsDir, rel, headOnly) {
  // Resolve inside modelsDir only: "../" must not escape it.
  const file = path.resolve(modelsDir, '.' + path.posix.normalize('/' + rel));
  if (!file.startsWith(path.resolve(modelsDir) + path.sep)) return send(res, 404, 'Not found');
  let info;
  try {
    info = await stat(file);
  } catch {
    return send(res, 404, 'Not found', { 'Content-Type': 'text/plain' });
  }
  if (!info.isFile()) return send(res, 404, 'Not found', { 'Content-Type': 'text/plain' });
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  const headers = { 'Content-Type': type, 'Content-Length': String(info.size) };
  if (headOnly) return send(res, 200, null, headers);
  return send(res, 200, await readFile(file), headers);
}

/**
 * Start the mock server on 127.0.0.1.
 * @param {{ port?: number, modelsDir?: string, config?: Partial<import('./chat.mjs').MockConfig> }} [opts]
 * @returns {Promise<{ url: string, baseURL: string, port: number, close(): Promise<void> }>}
 *   url is the origin (http://127.0.0.1:PORT); baseURL adds /v1 for OpenAI clients.
 */
export function startMockServer(opts = {}) {
  const modelsDir = path.resolve(opts.modelsDir ?? DEFAULT_MODELS_DIR);
  const state = {
    config: { ...defaultConfig(), ...(opts.config ?? {}) },
    faults: [],
    limiter: null,
    log: [],
    chatCount: 0,
    timers: new Set(),
    holdLeft: 0,
    /** Resolvers of the chat requests held without an answer (config.hold). */
    held: new Set(),
  };
  const release = () => {
    const n = state.held.size;
    for (const r of [...state.held]) r();
    state.held.clear();
    return n;
  };
  const loadFaults = () => {
    state.faults = (state.config.faults ?? []).map((f) => ({ ...f, left: f.times ?? 1 }));
    state.holdLeft = Math.max(0, Math.floor(Number(state.config.hold) || 0));
    // A new config (or reset) starts with full rate-limit buckets.
    state.limiter = createLimiter(state.config.rateLimit, Date.now());
  };
  loadFaults();

  const handle = async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') return send(res, 204, null);
    const raw = await readBody(req);
    const parsed = parseJson(raw);

    if (url.pathname.startsWith('/__mock/')) {
      if (method === 'POST' && url.pathname === '/__mock/config') {
        if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null) {
          return send(res, 400, { error: { message: 'Config must be a JSON object.' } });
        }
        state.config = { ...defaultConfig(), ...parsed.value };
        loadFaults();
        return send(res, 200, state.config);
      }
      if (method === 'POST' && url.pathname === '/__mock/release') {
        return send(res, 200, { released: release() });
      }
      if (method === 'GET' && url.pathname === '/__mock/held') {
        return send(res, 200, { held: state.held.size, holdLeft: state.holdLeft });
      }
      if (method === 'POST' && url.pathname === '/__mock/reset') {
        release();
        state.config = defaultConfig();
        state.log = [];
        state.chatCount = 0;
        loadFaults();
        return send(res, 200, state.config);
      }
      if (method === 'GET' && url.pathname === '/__mock/log') {
        const p = url.searchParams.get('path');
        const m = url.searchParams.get('method');
        const log = state.log.filter((e) => (!p || e.path === p) && (!m || e.method === m));
        return send(res, 200, log);
      }
      return send(res, 404, { error: { message: `No mock control route ${url.pathname}` } });
    }

    state.log.push({
      at: Date.now(),
      method,
      path: url.pathname,
      headers: { ...req.headers },
      body: parsed.value,
    });

    if ((method === 'GET' || method === 'HEAD') && url.pathname.startsWith('/models/')) {
      return serveStatic(res, modelsDir, decodeURIComponent(url.pathname.slice('/models/'.length)), method === 'HEAD');
    }
    if ((method === 'GET' || method === 'HEAD') && url.pathname.startsWith('/hub/')) {
      // The same folder in the model hub's layout, as a hub mirror serves it: /hub/<model id>/resolve/<revision>/<file>.
      const m = /^(.+?)\/resolve\/[^/]+\/(.+)$/.exec(decodeURIComponent(url.pathname.slice('/hub/'.length)));
      return m ? serveStatic(res, modelsDir, `${m[1]}/${m[2]}`, method === 'HEAD') : send(res, 404, 'Not found');
    }
    const key = state.config.apiKey;
    if (key && req.headers.authorization !== `Bearer ${key}` && url.pathname.startsWith('/v1/')) {
      return send(res, 401, {
        error: { message: 'Incorrect API key provided.', type: 'invalid_request_error', param: null, code: 'invalid_api_key' },
      });
    }
    if (method === 'GET' && url.pathname === '/v1/models') {
      return send(res, 200, {
        object: 'list',
        data: state.config.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'mock' })),
      });
    }
    if (method === 'POST' && url.pathname === '/v1/chat/completions') {
      if (!parsed.ok || !parsed.value) {
        return send(res, 400, { error: { message: 'Body is not valid JSON.', type: 'invalid_request_error', param: null, code: null } });
      }
      // Capture this request's number before the latency wait: concurrent
      // requests must each get their own seeded draws.
      const count = (state.chatCount += 1);
      // The rate limit is decided at arrival, and a 429 for it comes back at once, as real gateways do.
      const limit = state.limiter?.take(Date.now(), requestTokenEstimate(parsed.value)) ?? null;
      if (limit && !limit.ok) {
        const out = limitExceeded(limit.waitMs, limit.headers);
        return send(res, out.status, out.body, out.headers, state.config);
      }
      const fault = state.faults[0];
      if (fault) {
        fault.left -= 1;
        if (fault.left <= 0) state.faults.shift();
      }
      if (state.holdLeft > 0) {
        // Held: no answer until /__mock/release (or the client goes away), as
        // a server stuck on the first K requests of a run.
        state.holdLeft -= 1;
        await new Promise((resolve) => {
          const done = () => (state.held.delete(done), resolve());
          state.held.add(done);
          res.once('close', done);
        });
      }
      const latency = Number(state.config.latencyMs) || 0;
      if (latency > 0) await delay(state, latency);
      if (fault?.kind === 'hang') await delay(state, fault.ms ?? 60_000);
      if (res.destroyed || res.writableEnded) return;
      const out = answerChat(state.config, parsed.value, fault, count);
      return send(res, out.status, out.body, { ...(limit?.headers ?? {}), ...(out.headers ?? {}) }, state.config);
    }
    return send(res, 404, {
      error: { message: `Unknown path ${method} ${url.pathname}`, type: 'invalid_request_error', param: null, code: 'unknown_url' },
    });
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err) => {
      if (!res.headersSent) send(res, 500, { error: { message: String(err?.message ?? err), type: 'server_error' } });
    });
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => {
      const port = /** @type {import('node:net').AddressInfo} */ (server.address()).port;
      const url = `http://127.0.0.1:${port}`;
      resolve({
        url,
        baseURL: `${url}/v1`,
        port,
        close: () =>
          new Promise((done) => {
            release();
            for (const t of state.timers) clearTimeout(t);
            state.timers.clear();
            server.close(() => done());
            // A hanging request would otherwise keep close() waiting forever.
            server.closeAllConnections();
          }),
      });
    });
  });
}

function delay(state, ms) {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      state.timers.delete(t);
      resolve();
    }, ms);
    state.timers.add(t);
  });
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--port') out.port = Number(argv[++i]);
    else if (a === '--models-dir') out.modelsDir = argv[++i];
    else if (a === '--config') out.configFile = argv[++i];
  }
  return out;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const args = parseArgs(process.argv.slice(2));
  const config = args.configFile ? JSON.parse(await readFile(args.configFile, 'utf8')) : undefined;
  const { url } = await startMockServer({ port: args.port ?? 8787, modelsDir: args.modelsDir, config });
  console.log(`Mock LLM listening on ${url} (OpenAI base URL ${url}/v1)`);
}
