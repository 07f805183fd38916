// Cache keys of feature sets, and their one parser. A key names everything
// that changes the vectors, so stored embeddings are reused exactly when the
// same recipe would recompute them, and a student is only ever fed the
// features it was trained on. Pure (no transformers.js), so the main thread
// and the exports can read keys without loading the runtime.
//
//   emb-v1|<model>|<dtype>|<pooling>|<l2|raw>[|t<maxTokens>][|p<prefix>]
//   tfidf-v<n>|<hash of the fitting texts>
//   hyb-v1|<emb key>|<tfidf key>
//
// The first five fields keep the layout keys had before presets, so vectors
// cached then (mean pooling, l2, no prefix) are still found. Model ids and
// prefixes are escaped ('%' and '|') so a field never splits.

export type Pooling = 'mean' | 'cls';
export type Dtype = 'fp32' | 'fp16' | 'q8' | 'q4';
export const DTYPES: readonly Dtype[] = ['fp32', 'fp16', 'q8', 'q4'];

/**
 * Bump when the way vectors are computed changes, so old rows are ignored
 * rather than reused. Length-sorted batching did not change any vector
 * (padding is masked), so it kept v1. Keeping the closing [SEP] of texts cut
 * at the limit (truncate.ts) changed only those texts' vectors, by a cosine
 * of about 0.003; it kept v1 too, since a bump would re-embed every corpus.
 */
export const EMBEDDING_KEY_VERSION = 1;
export const HYBRID_KEY_VERSION = 1;

/** What a sentence-encoder key says about its vectors. */
export interface EmbeddingRecipeKey {
  modelId: string;
  dtype: Dtype;
  pooling: Pooling;
  normalize: boolean;
  /** Truncation in tokens, when one was asked for (else the model's own limit). */
  maxTokens?: number;
  /** Text put before every input ('' = none). */
  prefix: string;
}

export type FeatureKey =
  | ({ kind: 'embedding' } & EmbeddingRecipeKey)
  | { kind: 'tfidf'; key: string }
  | { kind: 'hybrid'; embedding: EmbeddingRecipeKey; tfidf: string };

const esc = (s: string) => s.replace(/%/g, '%25').replace(/\|/g, '%7C');
const unesc = (s: string) => s.replace(/%7C/gi, '|').replace(/%25/g, '%');

/** Cache key for stored embeddings; `maxTokens` and a non-empty `prefix` are included because they change vectors. */
export function embeddingKey(modelId: string, dtype: Dtype, pooling: Pooling, normalize: boolean, maxTokens?: number, prefix = ''): string {
  const trunc = maxTokens === undefined ? '' : `|t${maxTokens}`;
  const pre = prefix === '' ? '' : `|p${esc(prefix)}`;
  return `emb-v${EMBEDDING_KEY_VERSION}|${esc(modelId)}|${dtype}|${pooling}|${normalize ? 'l2' : 'raw'}${trunc}${pre}`;
}

/** The key of a sentence vector concatenated with TF-IDF columns. */
export function hybridKey(embKey: string, tfidfKey: string): string {
  return `hyb-v${HYBRID_KEY_VERSION}|${embKey}|${tfidfKey}`;
}

function parseEmbedding(fields: string[]): EmbeddingRecipeKey | null {
  const [version, model, dtype, pooling, norm, ...rest] = fields;
  if (version !== `emb-v${EMBEDDING_KEY_VERSION}` || !model) return null;
  if (!DTYPES.includes(dtype as Dtype) || (pooling !== 'mean' && pooling !== 'cls') || (norm !== 'l2' && norm !== 'raw')) return null;
  const out: EmbeddingRecipeKey = { modelId: unesc(model), dtype: dtype as Dtype, pooling, normalize: norm === 'l2', prefix: '' };
  for (const f of rest) {
    if (/^t\d+$/.test(f)) out.maxTokens = Number(f.slice(1));
    else if (f.startsWith('p')) out.prefix = unesc(f.slice(1));
    else return null;
  }
  return out;
}

/** Reads any feature key; null for one this version does not know (an older version's key, or damage). */
export function parseFeatureKey(key: string): FeatureKey | null {
  const fields = key.split('|');
  if (fields[0] === `emb-v${EMBEDDING_KEY_VERSION}`) {
    const e = parseEmbedding(fields);
    return e && { kind: 'embedding', ...e };
  }
  if (/^tfidf-v\d+$/.test(fields[0])) return { kind: 'tfidf', key };
  if (fields[0] === `hyb-v${HYBRID_KEY_VERSION}`) {
    const at = fields.findIndex((f, i) => i > 1 && /^tfidf-v\d+$/.test(f));
    if (at < 0) return null;
    const embedding = parseEmbedding(fields.slice(1, at));
    return embedding && { kind: 'hybrid', embedding, tfidf: fields.slice(at).join('|') };
  }
  return null;
}

/** The dtype a key's sentence vectors were computed with (undefined for TF-IDF or an unknown key). */
export function dtypeOfFeatureKey(key: string): Dtype | undefined {
  const k = parseFeatureKey(key);
  return k?.kind === 'embedding' ? k.dtype : k?.kind === 'hybrid' ? k.embedding.dtype : undefined;
}
