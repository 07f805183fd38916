// Benchmark 4: a large dataset through the app's stages in the page, as the
// UI runs them: parse a CSV Blob, map it to rows, store the rows in
// IndexedDB, embed in the embed worker (chunks of 256, as the embedder does),
// train a small head and predict every row in the train worker. Measures wall
// time per stage, peak main-thread JS heap and long tasks on the page.
import { applyMapping, guessMapping } from '../../src/lib/data/mapping';
import { parseFile } from '../../src/lib/data/parse';
import { createProject, deleteProject, putRows } from '../../src/lib/store/index';
import type { BackendName } from '../../src/lib/train/backend';
import type { TrainReply } from '../../src/lib/train/protocol';
import { generateTexts, toCsv } from './texts';
import { embedWorker, ortBase, tfjsWasmPath, trainCall, trainWorker, type EmbedReady, type EmbedResult, type TrainBackend } from './workers';

export interface ScaleCase {
  n: number;
  modelsUrl: string;
  modelId: string;
  device: 'webgpu' | 'wasm';
  batchSize: number;
  /** tfjs backends to try for the head, in order. */
  trainBackends: BackendName[];
}

export interface ScaleResult {
  n: number;
  /** Generating the CSV Blob (not an app stage). */
  setupMs: number;
  /** Wall time from the first stage to the last. */
  wallMs: number;
  device: string;
  trainBackend: string;
  /** Backends tried for the head, with why any failed. */
  trainTried: { name: string; ok: boolean; error?: string }[];
  stages: { name: string; ms: number }[];
  longTasks: { count: number; longestMs: number; totalBlockingMs: number };
  heap: { startBytes: number; peakBytes: number; endBytes: number; available: boolean };
  checks: { rows: number; stored: boolean; probsSumToOne: boolean; accuracy: number };
}

const CHUNK = 256;

interface MemoryInfo { usedJSHeapSize: number }
const heapNow = () => (performance as unknown as { memory?: MemoryInfo }).memory?.usedJSHeapSize ?? 0;

export async function scaleCase(c: ScaleCase): Promise<ScaleResult> {
  // Setup (not an app stage, so outside the long-task and stage accounting).
  const tg = performance.now();
  const generated = generateTexts(c.n, 31);
  const blob = new Blob([toCsv(generated)], { type: 'text/csv' });
  const setupMs = performance.now() - tg;
  await new Promise((r) => setTimeout(r, 100));
  const longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => longTasks.push(e.duration)));
  observer.observe({ type: 'longtask', buffered: false });
  const startBytes = heapNow();
  let peak = startBytes;
  const sampler = setInterval(() => (peak = Math.max(peak, heapNow())), 50);
  const stages: ScaleResult['stages'] = [];
  const t0 = performance.now();
  const stage = async <T>(name: string, f: () => Promise<T> | T): Promise<T> => {
    const t = performance.now();
    const out = await f();
    stages.push({ name, ms: performance.now() - t });
    peak = Math.max(peak, heapNow());
    return out;
  };
  const embed = embedWorker();
  const train = trainWorker();
  try {
    const table = await stage('parse (parseFile)', () => parseFile(blob, 'scale.csv'));
    const { rows } = await stage('map rows + hash (applyMapping)', () => applyMapping(table, guessMapping(table)));
    const project = await createProject('bench scale');
    await stage('store rows (IndexedDB putRows)', () => putRows(project.id, rows));
    const ready = await stage('load encoder', () =>
      embed.client.request<EmbedReady>(
        { type: 'load', modelId: c.modelId, source: { kind: 'url', baseUrl: c.modelsUrl }, device: c.device, dtype: c.device === 'webgpu' ? 'fp32' : 'q8', ortBase: ortBase() },
        ['ready'],
      ).done,
    );
    const X = await stage('embed (worker, chunks of 256)', async () => {
      const out = new Float32Array(rows.length * ready.dim);
      for (let s = 0; s < rows.length; s += CHUNK) {
        const texts = rows.slice(s, s + CHUNK).map((r) => r.text);
        const res = await embed.client.request<EmbedResult>({ type: 'embed', texts, batchSize: c.batchSize }, ['result']).done;
        out.set(res.vectors, s * ready.dim);
      }
      return out;
    });
    const labels = Int32Array.from(rows, (r) => (r.human === 'positive' ? 1 : 0));
    const init = await train.client.request<TrainBackend>({ type: 'init', preference: c.trainBackends, wasmPath: tfjsWasmPath() }, ['backend']).done;
    const nTrain = Math.min(1000, rows.length);
    const head = await stage(`train head (${nTrain} rows, 5 epochs)`, () =>
      trainCall<Extract<TrainReply, { kind: 'train' }>>(train.client, {
        type: 'train', X: X.slice(0, nTrain * ready.dim), dim: ready.dim, y: labels.slice(0, nTrain), nClasses: 2, positive: 1,
        cfg: { kind: 'logreg', epochs: 5, batchSize: 32, lr: 1e-2, seed: 1 },
      }),
    );
    const probs = await stage('predict all rows (worker)', async () =>
      (await trainCall<Extract<TrainReply, { type: 'probs' }>>(train.client, { type: 'predict', weights: head.result.weights, X: X.slice(), dim: ready.dim })).probs,
    );
    let sumsOk = true;
    let correct = 0;
    for (let i = 0; i < rows.length; i++) {
      if (Math.abs(probs[2 * i] + probs[2 * i + 1] - 1) > 1e-3) sumsOk = false;
      if ((probs[2 * i + 1] > probs[2 * i] ? 1 : 0) === labels[i]) correct++;
    }
    const wallMs = performance.now() - t0;
    await deleteProject(project.id);
    // Let the observer deliver the last entries.
    await new Promise((r) => setTimeout(r, 200));
    const blocking = longTasks.reduce((s, d) => s + Math.max(0, d - 50), 0);
    return {
      n: c.n,
      setupMs,
      wallMs,
      device: ready.device,
      trainBackend: init.backend,
      trainTried: init.tried,
      stages,
      longTasks: { count: longTasks.length, longestMs: Math.max(0, ...longTasks), totalBlockingMs: blocking },
      heap: { startBytes, peakBytes: peak, endBytes: heapNow(), available: startBytes > 0 },
      checks: { rows: rows.length, stored: true, probsSumToOne: sumsOk, accuracy: correct / rows.length },
    };
  } finally {
    clearInterval(sampler);
    observer.disconnect();
    embed.client.terminate();
    embed.worker.terminate();
    train.client.terminate();
    train.worker.terminate();
  }
}
