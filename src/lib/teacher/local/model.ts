// A transformers.js causal LM as the scorer's CausalLM: token rows in, log
// probabilities and a KV cache out. Model files come from the same sources
// as the encoder's (hub, URL, picked folder; embed/runtime.ts sets them up).
// On WebGPU transformers.js keeps the cache (present.*) in GPU buffers, so a
// cache is downloaded once to be tiled over the label rows, and every cache
// this module hands out must go back through release().
import { AutoModelForCausalLM, AutoTokenizer, Tensor, type PreTrainedModel, type PreTrainedTokenizer } from '@huggingface/transformers';
import { applyModelSource, describeSource, downloadProgress, type ModelSource } from '../../embed/runtime';
import { localOnnxFile, type LocalDtype } from './presets';
import type { CausalLM, LogProbs } from './score';

export type LocalDevice = 'webgpu' | 'wasm' | 'cpu';
/** Cache tensors by input name (past_key_values.N.key / .value). */
export type KV = Record<string, Tensor>;

export interface LoadedLM {
  tokenizer: PreTrainedTokenizer;
  model: PreTrainedModel;
  lm: CausalLM<KV>;
  /** Id used to pad label rows (never scored). */
  pad: number;
  dispose(): Promise<void>;
}

export interface LocalLoadOptions {
  modelId: string;
  source: ModelSource;
  device: LocalDevice;
  dtype: LocalDtype;
  /** Hub revision (branch, tag or commit); 'main' by default. */
  revision?: string;
  /** Bytes of model files so far, summed over files. */
  onProgress?: (p: { done: number; total: number; file?: string }) => void;
}

export class LocalModelError extends Error {
  override name = 'LocalModelError';
}

/** Loads tokenizer and model; rejects with LocalModelError in plain words. */
export async function loadCausalLM(o: LocalLoadOptions): Promise<LoadedLM> {
  applyModelSource(o.source, o.modelId);
  const progress_callback = downloadProgress(o.onProgress);
  const revision = o.revision ?? 'main';
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(o.modelId, { revision, progress_callback });
    const model = await AutoModelForCausalLM.from_pretrained(o.modelId, { revision, device: o.device, dtype: o.dtype, progress_callback });
    const config = model.config as unknown as { pad_token_id?: number | null; eos_token_id?: number | number[] | null };
    const eos = Array.isArray(config.eos_token_id) ? config.eos_token_id[0] : config.eos_token_id;
    const pad = Number(config.pad_token_id ?? tokenizer.pad_token_id ?? eos ?? 0) || 0;
    return { tokenizer, model, lm: causalLM(model), pad, dispose: async () => void (await model.dispose()) };
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new LocalModelError(
      `Could not load the local model "${o.modelId}" from ${describeSource(o.source)} (${o.device}, ${o.dtype}; ` +
        `needs config.json, tokenizer.json, tokenizer_config.json and ${localOnnxFile(o.dtype)}): ${why}`,
      { cause: err },
    );
  }
}

/** Token ids of already-templated text (the template wrote any BOS itself). */
export function encode(tokenizer: PreTrainedTokenizer, text: string): number[] {
  return tokenizer.encode(text, { add_special_tokens: false }).map(Number);
}

const int64 = (values: number[], dims: number[]) =>
  new Tensor(
    'int64',
    BigInt64Array.from(values, (v) => BigInt(v)),
    dims,
  );

async function cpuData(t: Tensor): Promise<ArrayLike<number> & { length: number; constructor: { new (n: number): unknown } }> {
  const ort = (t as unknown as { ort_tensor: { getData(): Promise<unknown> } }).ort_tensor;
  return (t.location === 'gpu-buffer' ? await ort.getData() : t.data) as never;
}

/** One cache of batch 1 repeated to `n` rows (a copy on the CPU). */
async function tile(kv: KV, n: number): Promise<KV> {
  if (n === 1) return kv;
  const out: KV = {};
  for (const [name, t] of Object.entries(kv)) {
    const data = await cpuData(t);
    const copy = new (data.constructor as new (n: number) => { set(a: ArrayLike<number>, at: number): void })(data.length * n);
    for (let r = 0; r < n; r++) copy.set(data, r * data.length);
    out[name] = new Tensor(t.type as 'float32', copy as unknown as Float32Array, [n, ...t.dims.slice(1)]);
  }
  return out;
}

function halfToFloat(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >> 10) & 0x1f;
  const f = h & 0x3ff;
  if (e === 0) return s * 2 ** -14 * (f / 1024);
  if (e === 31) return f ? NaN : s * Infinity;
  return s * 2 ** (e - 15) * (1 + f / 1024);
}

/** log p(token) at (row, pos) from logits [rows, positions, vocab]; the normaliser is computed once per position. */
function logProbsOf(logits: Tensor, keptLastOnly: boolean): LogProbs {
  const [, S, V] = logits.dims;
  const raw = logits.data as ArrayLike<number>;
  const half = logits.type === 'float16' && raw instanceof Uint16Array;
  const at = (i: number) => (half ? halfToFloat(raw[i]) : raw[i]);
  const norms = new Map<number, number>();
  return (row, pos, token) => {
    const base = (row * S + (keptLastOnly ? S - 1 : pos)) * V;
    let z = norms.get(base);
    if (z === undefined) {
      let m = -Infinity;
      for (let j = 0; j < V; j++) m = Math.max(m, at(base + j));
      let sum = 0;
      for (let j = 0; j < V; j++) sum += Math.exp(at(base + j) - m);
      norms.set(base, (z = m + Math.log(sum)));
    }
    return at(base + token) - z;
  };
}

async function release(kv: KV): Promise<void> {
  await Promise.all(Object.values(kv).map((t) => (t.location === 'gpu-buffer' ? t.dispose() : undefined)));
}

/** The CausalLM over a loaded transformers.js model (position ids follow from the attention mask). */
export function causalLM(model: PreTrainedModel): CausalLM<KV> {
  const session = (model as unknown as { sessions: Record<string, { inputNames: string[] }> }).sessions.model;
  const keepsLast = session?.inputNames.includes('num_logits_to_keep') ?? false;
  return {
    async run(rows, lengths, past, want) {
      const R = rows.length;
      const S = rows[0].length;
      const P = past?.length ?? 0;
      const mask: number[] = [];
      for (let r = 0; r < R; r++) for (let j = 0; j < P + S; j++) mask.push(j < P + lengths[r] ? 1 : 0);
      const inputs: Record<string, unknown> = { input_ids: int64(rows.flat(), [R, S]), attention_mask: int64(mask, [R, P + S]) };
      const tiled = past ? await tile(past.cache, R) : null;
      if (tiled) inputs.past_key_values = tiled;
      // Only the last position's logits when that is all we read and the graph can skip the rest.
      const lastOnly = want === 'last' && keepsLast && R === 1;
      if (lastOnly) inputs.num_logits_to_keep = int64([1], []);
      try {
        const out = await (model as unknown as (i: object) => Promise<Record<string, Tensor>>)(inputs);
        const cache: KV = {};
        for (const [name, t] of Object.entries(out)) if (name.startsWith('present')) cache[name.replace('present', 'past_key_values')] = t;
        return { logprobs: logProbsOf(out.logits, lastOnly || out.logits.dims[1] === 1), cache };
      } finally {
        if (tiled && past && tiled !== past.cache) await release(tiled);
      }
    },
    release,
  };
}
