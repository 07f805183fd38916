// Pooling token vectors into one vector per text, and normalising rows. Pure
// (no transformers.js), so the main thread can use it on stored vectors.

/**
 * Mean of the token vectors whose attention-mask entry is 1, per row.
 * `hidden` is [n × seq × dim], `mask` is [n × seq]; returns [n × dim].
 */
export function meanPool(hidden: Float32Array, mask: ArrayLike<bigint | number>, n: number, seq: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) {
    let count = 0;
    const row = out.subarray(i * dim, (i + 1) * dim);
    for (let j = 0; j < seq; j++) {
      if (Number(mask[i * seq + j]) === 0) continue;
      count++;
      const base = (i * seq + j) * dim;
      for (let k = 0; k < dim; k++) row[k] += hidden[base + k];
    }
    if (count > 0) for (let k = 0; k < dim; k++) row[k] /= count;
  }
  return out;
}

/** The first token's vector per row ([CLS] for BERT-family tokenizers): [n × seq × dim] → [n × dim]. */
export function clsPool(hidden: Float32Array, n: number, seq: number, dim: number): Float32Array {
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) out.set(hidden.subarray(i * seq * dim, i * seq * dim + dim), i * dim);
  return out;
}

/** Scales each row of an [n × dim] matrix to unit length in place (zero rows stay zero). */
export function l2NormalizeRows(m: Float32Array, dim: number): void {
  for (let start = 0; start < m.length; start += dim) {
    let sq = 0;
    for (let k = start; k < start + dim; k++) sq += m[k] * m[k];
    if (sq === 0) continue;
    const inv = 1 / Math.sqrt(sq);
    for (let k = start; k < start + dim; k++) m[k] *= inv;
  }
}
