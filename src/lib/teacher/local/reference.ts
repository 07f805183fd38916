// Node only (tests, bench, e2e): the tiny causal LM of
// scripts/make-tiny-causal-lm.mjs computed in plain JavaScript (float64)
// from the weights in its ONNX file, with no ONNX Runtime, no transformers.js
// model code and no KV cache. Its "cache" is the token ids seen so far, and
// every call recomputes the whole sequence, so it is the independent
// reference the app's cached, batched, ONNX Runtime path must match.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { CausalLM, LogProbs } from './score';

export const MODELS_DIR = fileURLToPath(new URL('../../../../tests/fixtures/models', import.meta.url));
export const TINY_LM = 'tiny-causal-lm';

interface Weights {
  V: number;
  D: number;
  E: Float32Array;
  wpos: Float32Array;
  Wq: Float32Array;
  bq: Float32Array;
  Wk: Float32Array;
  Wv: Float32Array;
  Wr: Float32Array;
  U: Float32Array;
  b: Float32Array;
  scale: number;
}

/** The initialisers of the tiny model's ONNX file, by name. */
export function readTinyWeights(path = `${MODELS_DIR}/${TINY_LM}/onnx/model.onnx`): Weights {
  const { onnx } = createRequire(import.meta.url)('onnx-proto');
  const model = onnx.ModelProto.decode(readFileSync(path));
  const byName = new Map<string, { dims: number[]; data: Float32Array }>();
  for (const t of model.graph.initializer) {
    if (t.dataType !== onnx.TensorProto.DataType.FLOAT) continue;
    const raw: Uint8Array = t.rawData;
    const data = new Float32Array(raw.byteLength / 4);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    byName.set(t.name, { dims: t.dims.map(Number), data });
  }
  const get = (n: string) => {
    const t = byName.get(n);
    if (!t) throw new Error(`tiny model has no initializer ${n}`);
    return t.data;
  };
  const [V, D] = byName.get('embed')!.dims;
  return {
    V,
    D,
    E: get('embed'),
    wpos: get('wpos'),
    Wq: get('Wq'),
    bq: get('bq'),
    Wk: get('Wk'),
    Wv: get('Wv'),
    Wr: get('Wr'),
    U: get('unembed'),
    b: get('bias'),
    scale: get('scale')[0],
  };
}

/** vec (D) · M (D × cols), row-major. */
function vecMat(v: Float64Array, M: Float32Array, cols: number): Float64Array {
  const out = new Float64Array(cols);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (x === 0) continue;
    for (let j = 0; j < cols; j++) out[j] += x * M[i * cols + j];
  }
  return out;
}

/** Log-softmax over the vocabulary at every position of `ids` (positions 0, 1, …). */
export function tinyLogSoftmax(w: Weights, ids: readonly number[]): Float64Array[] {
  const { D, V } = w;
  const h = ids.map((id, t) => {
    const row = new Float64Array(D);
    for (let d = 0; d < D; d++) row[d] = w.E[id * D + d] + t * w.wpos[d];
    return row;
  });
  const q = h.map((x) => vecMat(x, w.Wq, D).map((y, d) => y + w.bq[d]));
  const k = h.map((x) => vecMat(x, w.Wk, D));
  const v = h.map((x) => vecMat(x, w.Wv, D));
  return h.map((x, t) => {
    const scores = new Float64Array(t + 1);
    for (let s = 0; s <= t; s++) {
      let dot = 0;
      for (let d = 0; d < D; d++) dot += q[t][d] * k[s][d];
      scores[s] = dot * w.scale;
    }
    const m = Math.max(...scores);
    let z = 0;
    for (let s = 0; s <= t; s++) z += scores[s] = Math.exp(scores[s] - m);
    const hid = vecMat(x, w.Wr, D);
    for (let s = 0; s <= t; s++) for (let d = 0; d < D; d++) hid[d] += (scores[s] / z) * v[s][d];
    const logits = vecMat(hid, w.U, V).map((y, j) => y + w.b[j]);
    const lm = Math.max(...logits);
    let lz = 0;
    for (const y of logits) lz += Math.exp(y - lm);
    const log = lm + Math.log(lz);
    return logits.map((y) => y - log);
  });
}

/** The reference as a CausalLM: its cache is the ids so far; every run recomputes from the start. */
export function referenceLM(w: Weights = readTinyWeights()): CausalLM<number[]> & { calls: number; tokensRun: number } {
  const lm = {
    calls: 0,
    tokensRun: 0,
    async run(rows: number[][], lengths: number[], past: { cache: number[]; length: number } | null) {
      lm.calls += 1;
      const prior = past?.cache ?? [];
      const seqs = rows.map((r, i) => [...prior, ...r.slice(0, lengths[i])]);
      lm.tokensRun += lengths.reduce((a, b) => a + b, 0);
      const tables = seqs.map((s) => tinyLogSoftmax(w, s));
      const logprobs: LogProbs = (row, pos, token) => tables[row][prior.length + pos][token];
      return { logprobs, cache: seqs[0] };
    },
    release() {},
  };
  return lm;
}

/**
 * The reference's label probabilities for each user message: the tiny
 * model's tokenizer and chat template (transformers.js, Node), whole
 * sequences, plain-JS forward pass.
 */
export async function referenceProbabilities(system: string, users: string[], labels: string[]): Promise<number[][]> {
  const { AutoTokenizer, env } = await import('@huggingface/transformers');
  const { labelSequences } = await import('./scorer');
  const { scoreSequences } = await import('./score');
  env.allowLocalModels = true;
  env.localModelPath = MODELS_DIR + '/';
  const tokenizer = await AutoTokenizer.from_pretrained(TINY_LM, { local_files_only: true });
  const lm = referenceLM();
  const out: number[][] = [];
  for (const user of users)
    out.push((await scoreSequences(lm, labelSequences(tokenizer, { system, user }, labels), { mode: 'full' })).probs);
  return out;
}
