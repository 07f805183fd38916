// Benchmark 4: a large corpus through the app's own code paths in the page,
// as the UI runs them: parse a CSV Blob and map it in the mapping worker, store
// the rows (app.importRows), "Embed all texts" (embedder.prepare: the embed
// worker computes and stores the vectors), train the default linear head on
// 1,000 rows (embedder.ensure + student.train), label the corpus
// (student.labelCorpus), build the corpus CSV (the Export step's functions),
// export the project with embeddings and students and import that file into
// an emptied database (the project-file worker, as the Export step does).
// Per stage: wall time, peak main-thread JS heap, long tasks, the origin's
// storage use, and (where the browser can say) the workers' memory.
import { app } from '../../src/lib/state/app.svelte';
import { embedder } from '../../src/lib/state/embedder.svelte';
import { loadPredictions, student } from '../../src/lib/state/student.svelte';
import { terminateEmbedder } from '../../src/lib/workers/embed-client';
import type { EncoderSettings } from '../../src/lib/project/settings';
import { Mapper } from '../../src/lib/workers/mapper';
import type { DataRow } from '../../src/lib/data/types';
import * as store from '../../src/lib/store';
import { exportProjectFile, importProjectFile } from '../../src/lib/workers/project-file';
import { corpusSource } from '../../src/components/export/exports';
import { labeledCorpusFile } from '../../src/lib/eval/corpus-export';
import { generateTexts, toCsv } from './texts';

export interface ScaleCase {
  n: number;
  /** A name for the row ('768-d'). */
  label: string;
  modelsUrl: string;
  modelId: string;
  batchSize: number;
  trainN: number;
  storage?: 'f32' | 'f16';
}

export interface StageFigures {
  name: string;
  ms: number;
  /** Main-thread JS heap: the highest sample during the stage, and after it. */
  heapPeak: number;
  heapEnd: number;
  /** After a full garbage collection at the stage's end (bench-only --expose-gc): what the page really holds; null without it. */
  heapLive: number | null;
  longTasks: number;
  longestTaskMs: number;
  blockingMs: number;
  /** navigator.storage.estimate().usage after the stage, less its value at the start of the case (IndexedDB, mostly). */
  storageBytes: number | null;
  /** performance.measureUserAgentSpecificMemory() after the stage, by realm (needs cross-origin isolation). */
  memory: { page: number; workers: { name: string; bytes: number }[] } | null;
}

export interface ScaleResult {
  n: number;
  label: string;
  dim: number;
  setupMs: number;
  wallMs: number;
  stages: StageFigures[];
  heapStart: number;
  checks: {
    rows: number;
    distinctTexts: number;
    probsSumToOne: boolean;
    accuracy: number;
    csvBytes: number;
    exportBytes: number;
    importedRows: number;
    importedVectors: number;
  };
}

interface MemoryInfo {
  usedJSHeapSize: number;
}
const heapNow = () => (performance as unknown as { memory?: MemoryInfo }).memory?.usedJSHeapSize ?? 0;
/** When the bench's own collections ran: the long tasks they make are the bench's, not the app's. */
const gcSpans: [number, number][] = [];
/** The heap after a full collection, where the bench's browser exposes gc() (bench/lib/scale.mjs starts it so); the app never calls it. */
const heapLive = (): number | null => {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (typeof gc !== 'function') return null;
  const t = performance.now();
  gc();
  gcSpans.push([t, performance.now()]);
  return heapNow();
};
/** True when a long task ran one of the bench's collections. */
const ranGc = (e: PerformanceEntry) => gcSpans.some(([a, b]) => e.startTime <= b && e.startTime + e.duration >= a);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface UaMemory {
  bytes: number;
  breakdown: { bytes: number; attribution: { url: string; scope: string }[] }[];
}
async function realmMemory(): Promise<StageFigures['memory']> {
  const measure = (performance as unknown as { measureUserAgentSpecificMemory?: () => Promise<UaMemory> }).measureUserAgentSpecificMemory;
  if (!crossOriginIsolated || typeof measure !== 'function') return null;
  const m = await Promise.race([measure.call(performance), sleep(30_000).then(() => null)]);
  if (!m) return null;
  let page = 0;
  const workers = new Map<string, number>();
  for (const b of m.breakdown) {
    for (const a of b.attribution) {
      if (a.scope === 'Window') page += b.bytes / b.attribution.length;
      else {
        const name = a.url.split('/').pop()?.split('?')[0] ?? a.url;
        workers.set(name, (workers.get(name) ?? 0) + b.bytes / b.attribution.length);
      }
    }
  }
  return { page, workers: [...workers].map(([name, bytes]) => ({ name, bytes })) };
}

export async function scaleCase(c: ScaleCase): Promise<ScaleResult> {
  history.replaceState(null, '', '?tfjs=wasm'); // the linear head runs in plain JS; tfjs only needs to start
  await app.clearAll();
  const tg = performance.now();
  let blob: Blob | null = new Blob([toCsv(generateTexts(c.n, 31))], { type: 'text/csv' });
  const setupMs = performance.now() - tg;
  await realmMemory(); // waits for a garbage collection: the generated texts are not counted as the app's
  await sleep(200);

  let longTasks: number[] = [];
  const observer = new PerformanceObserver((list) => list.getEntries().forEach((e) => ranGc(e) || longTasks.push(e.duration)));
  observer.observe({ type: 'longtask', buffered: false });
  let peak = heapNow();
  const sampler = setInterval(() => (peak = Math.max(peak, heapNow())), 25);
  const heapStart = heapNow();
  const stages: StageFigures[] = [];
  const storageStart = (await navigator.storage.estimate()).usage ?? 0;
  let measuring = 0; // ms spent measuring memory, left out of the wall time
  /** Worker memory is measured after these stages only: each measurement waits for a garbage collection (~10 s). */
  const MEASURE = /^(embed all|label the corpus|import it)/;
  const stage = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    await sleep(150); // tasks of the bench's own set-up between stages are reported, then forgotten
    longTasks = [];
    peak = heapNow();
    const t = performance.now();
    const out = await f();
    const ms = performance.now() - t;
    peak = Math.max(peak, heapNow());
    await sleep(100); // let the observer deliver the stage's last entries
    const tasks = longTasks;
    const heapEnd = heapNow();
    const live = heapLive(); // after heapEnd: the collection must not lower the figures the limits are checked on
    const usage = (await navigator.storage.estimate()).usage;
    const tm = performance.now();
    const memory = MEASURE.test(name) ? await realmMemory() : null;
    measuring += performance.now() - tm + 250; // and the two pauses around the stage
    stages.push({
      name,
      ms,
      heapPeak: peak,
      heapEnd,
      heapLive: live,
      longTasks: tasks.length,
      longestTaskMs: Math.max(0, ...tasks),
      blockingMs: tasks.reduce((s, d) => s + Math.max(0, d - 50), 0),
      storageBytes: usage === undefined ? null : usage - storageStart,
      memory,
    });
    return out;
  };

  const settings: EncoderSettings = {
    kind: 'transformers',
    preset: 'custom',
    modelId: c.modelId,
    pooling: 'mean',
    normalize: true,
    prefix: '',
    source: { kind: 'url', baseUrl: c.modelsUrl },
    device: 'wasm',
    dtype: 'q8',
    batchSize: c.batchSize,
    storage: c.storage ?? 'f32',
  };
  const t0 = performance.now();
  // Everything up to the export runs in its own function, so that none of
  // its locals (the mapped rows, the training set, the corpus predictions)
  // outlives it: the import below stands for a fresh profile, which holds
  // nothing of the first run.
  const firstRun = async () => {
    const mapper = await stage('import: parse the CSV (mapping worker)', () => Mapper.open(blob!, 'scale.csv'));
    blob = null;
    const mapping = mapper.info.guess;
    const mapped = await stage('import: map columns and hash (mapping worker)', async () => (await mapper.apply(mapping, {}))!);
    await stage('import: store the rows (app.importRows; the mapping worker writes them)', async () => {
      try {
        await app.importRows(mapped.rows, mapping, { write: (pid) => mapper.storeRows(pid, mapped) });
      } finally {
        mapper.dispose();
      }
    });
    const pid = app.project!.id;
    await stage('embed all texts (embedder.prepare)', () => embedder.prepare(app.rows, settings, []));
    const summary = embedder.last!;
    const dim = embedder.dim!;

    const pool = new Set(app.splits!.pool);
    const trainRows = app.rows.filter((r) => pool.has(r.id) && r.human !== null).slice(0, c.trainN);
    const human = new Map(trainRows.map((r) => [r.id, r.human]));
    const model = await stage(`train the linear head (${c.trainN.toLocaleString('en-US')} rows)`, async () => {
      const X = await embedder.ensure(trainRows, settings);
      return student.train({
        name: 'bench student',
        trainSource: 'human',
        X,
        trainIds: X.ids,
        labelOf: (id) => human.get(id) ?? null,
        labelNames: ['negative', 'positive'],
        positive: 'positive',
        headKind: 'linear',
        seed: 1,
        encoder: settings,
      });
    });
    const predictions = await stage('label the corpus (student.labelCorpus)', () => student.labelCorpus(model, app.rows, []));
    let sumsOk = true;
    let correct = 0;
    const p = predictions.probs;
    const labelled = app.rows as DataRow[];
    for (let i = 0; i < labelled.length; i++) {
      if (Math.abs(p[2 * i] + p[2 * i + 1] - 1) > 1e-3) sumsOk = false;
      if ((p[2 * i + 1] > p[2 * i] ? 'positive' : 'negative') === labelled[i].human) correct++;
    }
    const csvBytes = await stage('corpus CSV (Export step)', async () => {
      const stored = await loadPredictions(model.modelId);
      const csv = await labeledCorpusFile(
        corpusSource(app.rows, new Map(), () => [], stored ?? null),
        { format: 'csv' },
      );
      return csv.size;
    });
    const file = await stage('export the project with embeddings and students (project-file worker)', async () => {
      const { blob } = await exportProjectFile(pid, { includeEmbeddings: true, includeModels: true });
      return blob!;
    });
    return {
      key: summary.key,
      dim,
      texts: summary.texts,
      rows: labelled.length,
      probsSumToOne: sumsOk,
      accuracy: correct / labelled.length,
      csvBytes,
      file,
    };
  };
  try {
    const first = await firstRun();
    const { file, dim } = first;
    await app.clearAll();
    terminateEmbedder(); // a fresh profile has no warm worker either, nor students in memory
    embedder.reset();
    student.reset();
    // A fresh profile holds no garbage of the first run either: collect it
    // (where gc() is exposed), so the import's peak is the import's own.
    heapLive();
    const imported = await stage('import it into an emptied database (importProject + open)', async () => {
      const project = await importProjectFile(file);
      app.projects = await store.listProjects();
      await app.open(project.id);
      return project;
    });
    const importedVectors = await store.countEmbeddings(store.projectVectorKey(first.key, imported.id)); // its own key (store/embeddings.ts)
    const wallMs = performance.now() - t0 - measuring;
    return {
      n: c.n,
      label: c.label,
      dim,
      setupMs,
      wallMs,
      stages,
      heapStart,
      checks: {
        rows: first.rows,
        distinctTexts: first.texts,
        probsSumToOne: first.probsSumToOne,
        accuracy: first.accuracy,
        csvBytes: first.csvBytes,
        exportBytes: file.size,
        importedRows: imported.rowCount,
        importedVectors,
      },
    };
  } finally {
    clearInterval(sampler);
    observer.disconnect();
    terminateEmbedder();
    embedder.reset();
    await app.clearAll();
  }
}
