// The in-browser teacher's benchmark (browser side): the app's own worker
// (teacher/local/local-teacher.worker.ts) through the app's WorkerClient,
// loading a model from a URL, preparing the codebook prompt, then scoring
// texts in batches as a run does. Exposed on window.localBench.
import { WorkerClient } from '../../src/lib/workers/worker-client';
import type { LocalReply, LocalRequest } from '../../src/lib/teacher/local/protocol';
import type { LocalDtype } from '../../src/lib/teacher/local/presets';
import type { ScoreMode } from '../../src/lib/teacher/local/score';

export interface LocalCase {
  /** `${modelsUrl}/${modelId}/config.json` … */
  modelsUrl: string;
  modelId: string;
  device: 'webgpu' | 'wasm';
  dtype: LocalDtype;
  mode: ScoreMode;
  system: string;
  labels: string[];
  /** User messages, one per text (as the run sends them). */
  users: string[];
  sentinels: [string, string];
  batchSize: number;
}

export interface LocalCaseResult {
  device: string;
  dtype: string;
  /** ONNX Runtime wasm threads (1 unless the page is cross-origin isolated). */
  threads: number;
  mode: ScoreMode;
  /** Prompt tokens run once for the whole run (0 without the cache). */
  sharedTokens: number;
  note: string | null;
  loadMs: number;
  prepareMs: number;
  scoreMs: number;
  n: number;
  textsPerSec: number;
  /** Tokens the model ran per text (prefix once + label rows, or every whole sequence). */
  tokensPerText: number;
  /** Label probabilities of the first texts, to check modes and devices agree. */
  sample: number[][];
  /** Every text's label probabilities, in order. */
  probs: number[][];
}

type Ready = Extract<LocalReply, { type: 'ready' }>;
type Prepared = Extract<LocalReply, { type: 'prepared' }>;
type Scores = Extract<LocalReply, { type: 'scores' }>;

async function localCase(c: LocalCase): Promise<LocalCaseResult> {
  const worker = new Worker(new URL('../../src/lib/teacher/local/local-teacher.worker.ts', import.meta.url), {
    type: 'module',
    name: 'bench-local-teacher',
  });
  const client = new WorkerClient<LocalRequest, LocalReply>(worker);
  try {
    const t0 = performance.now();
    const ready = await client.request<Ready>(
      {
        type: 'load',
        modelId: c.modelId,
        revision: 'main',
        source: { kind: 'url', baseUrl: c.modelsUrl },
        device: c.device,
        dtype: c.dtype,
        ortBase: new URL('/ort/', location.href).href,
      },
      ['ready'],
    ).done;
    const t1 = performance.now();
    const prepared = await client.request<Prepared>(
      {
        type: 'prepare',
        system: c.system,
        labels: c.labels,
        probe: c.users[0],
        sentinels: c.sentinels,
        mode: c.mode,
      },
      ['prepared'],
    ).done;
    const t2 = performance.now();
    // Warm-up outside the timing: the first passes of a shape compile kernels.
    await client.request<Scores>({ type: 'score', users: c.users.slice(0, c.batchSize) }, ['scores']).done;
    const t3 = performance.now();
    let tokens = 0;
    const probs: number[][] = [];
    for (let i = 0; i < c.users.length; i += c.batchSize) {
      const r = await client.request<Scores>({ type: 'score', users: c.users.slice(i, i + c.batchSize) }, ['scores']).done;
      tokens += r.tokens.reduce((a, b) => a + b, 0);
      probs.push(...r.probs);
    }
    const scoreMs = performance.now() - t3;
    return {
      device: ready.device,
      dtype: ready.dtype,
      threads: ready.threads,
      mode: prepared.mode,
      sharedTokens: prepared.sharedTokens,
      note: prepared.note ?? ready.note,
      loadMs: t1 - t0,
      prepareMs: t2 - t1,
      scoreMs,
      n: c.users.length,
      textsPerSec: (c.users.length * 1000) / scoreMs,
      tokensPerText: tokens / c.users.length,
      sample: probs.slice(0, 4),
      probs,
    };
  } finally {
    client.terminate();
  }
}

const localBench = { localCase };
export type LocalBench = typeof localBench;
(window as unknown as { localBench: LocalBench }).localBench = localBench;
