// Feature matrices the student accepts: dense rows (sentence embeddings),
// CSR rows (TF-IDF, where a 50k-column vocabulary is >99 % zeros), or a
// hybrid of the two side by side (a sentence vector next to its TF-IDF
// columns). Plain typed arrays only, so all cross the worker boundary by
// transfer and are structured-cloneable.

/** n × cols, row-major. */
export interface DenseMatrix {
  kind: 'dense';
  rows: number;
  cols: number;
  values: Float32Array;
}

/**
 * Compressed sparse rows: the entries of row i are indices/values
 * [indptr[i], indptr[i+1]); indptr has rows + 1 entries. Column indices
 * within a row are ascending.
 */
export interface CsrMatrix {
  kind: 'csr';
  rows: number;
  cols: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/**
 * A dense block (columns [0, dense.cols)) beside a sparse one (the columns
 * after it), row for row: cols = dense.cols + sparse.cols. The dense values
 * count `scale` times, so the weight of the sentence vector beside the TF-IDF
 * block can be tuned (by cross-validation, linear-search.ts) without copying
 * either block.
 */
export interface HybridMatrix {
  kind: 'hybrid';
  rows: number;
  cols: number;
  dense: DenseMatrix;
  sparse: CsrMatrix;
  scale: number;
}

export type FeatureMatrix = DenseMatrix | CsrMatrix | HybridMatrix;

export function dense(values: Float32Array, cols: number): DenseMatrix {
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`Feature width must be a positive integer (got ${cols}).`);
  if (values.length % cols !== 0) throw new RangeError(`Feature array length ${values.length} is not a multiple of width ${cols}.`);
  return { kind: 'dense', rows: values.length / cols, cols, values };
}

/** The hybrid of `d` and `s` (same rows), the dense block counting `scale` times. */
export function hybrid(d: DenseMatrix, s: CsrMatrix, scale = 1): HybridMatrix {
  if (d.rows !== s.rows) throw new RangeError(`The dense block has ${d.rows} rows but the sparse one ${s.rows}.`);
  if (!(scale > 0) || !Number.isFinite(scale)) throw new RangeError(`The dense block's scale must be a positive number (got ${scale}).`);
  return { kind: 'hybrid', rows: d.rows, cols: d.cols + s.cols, dense: d, sparse: s, scale };
}

/** Throws when a CSR matrix is internally inconsistent (before a solver indexes into it). */
export function assertCsr(m: CsrMatrix): void {
  const bad = (why: string): never => {
    throw new RangeError(`Sparse feature matrix is damaged: ${why}.`);
  };
  if (m.indptr.length !== m.rows + 1) bad(`indptr has ${m.indptr.length} entries for ${m.rows} rows`);
  if (m.indptr[0] !== 0 || m.indptr[m.rows] !== m.indices.length) bad('indptr does not span the entries');
  if (m.indices.length !== m.values.length) bad('indices and values differ in length');
  for (let i = 0; i < m.rows; i++) if (m.indptr[i + 1] < m.indptr[i]) bad(`row ${i} has a negative length`);
  for (let k = 0; k < m.indices.length; k++)
    if (!(m.indices[k] >= 0 && m.indices[k] < m.cols)) bad(`column ${m.indices[k]} is outside 0…${m.cols - 1}`);
}

/** Throws when any kind of feature matrix is inconsistent with its own shape. */
export function assertMatrix(m: FeatureMatrix): void {
  if (m.kind === 'csr') return assertCsr(m);
  if (m.kind === 'dense') {
    if (m.values.length !== m.rows * m.cols) throw new RangeError('Dense feature matrix size does not match its shape.');
    return;
  }
  assertMatrix(m.dense);
  assertCsr(m.sparse);
  if (m.dense.rows !== m.rows || m.sparse.rows !== m.rows || m.cols !== m.dense.cols + m.sparse.cols) {
    throw new RangeError('Hybrid feature matrix blocks do not match its shape.');
  }
  if (!(m.scale > 0) || !Number.isFinite(m.scale))
    throw new RangeError(`The dense block's scale must be a positive number (got ${m.scale}).`);
}

/** Rows `idx` of m, in that order, as a new matrix of the same kind. */
export function takeMatrixRows<M extends FeatureMatrix>(m: M, idx: ArrayLike<number>): M;
export function takeMatrixRows(m: FeatureMatrix, idx: ArrayLike<number>): FeatureMatrix {
  const n = idx.length;
  if (m.kind === 'hybrid') return { ...m, rows: n, dense: takeMatrixRows(m.dense, idx), sparse: takeMatrixRows(m.sparse, idx) };
  if (m.kind === 'dense') {
    const out = new Float32Array(n * m.cols);
    for (let r = 0; r < n; r++) out.set(m.values.subarray(idx[r] * m.cols, (idx[r] + 1) * m.cols), r * m.cols);
    return { kind: 'dense', rows: n, cols: m.cols, values: out };
  }
  const indptr = new Int32Array(n + 1);
  for (let r = 0; r < n; r++) indptr[r + 1] = indptr[r] + (m.indptr[idx[r] + 1] - m.indptr[idx[r]]);
  const indices = new Int32Array(indptr[n]);
  const values = new Float32Array(indptr[n]);
  for (let r = 0; r < n; r++) {
    const s = m.indptr[idx[r]];
    const e = m.indptr[idx[r] + 1];
    indices.set(m.indices.subarray(s, e), indptr[r]);
    values.set(m.values.subarray(s, e), indptr[r]);
  }
  return { kind: 'csr', rows: n, cols: m.cols, indptr, indices, values };
}

/** Rows [start, end) of m (a copy). */
export function sliceMatrixRows(m: FeatureMatrix, start: number, end: number): FeatureMatrix {
  const idx = new Int32Array(Math.max(0, end - start)).map((_, i) => start + i);
  return takeMatrixRows(m, idx);
}

/** Stacks matrices of the same width and kind, top to bottom. */
export function concatRows(parts: FeatureMatrix[]): FeatureMatrix {
  if (parts.length === 0) throw new RangeError('Nothing to stack.');
  const { kind, cols } = parts[0];
  if (parts.some((p) => p.kind !== kind || p.cols !== cols))
    throw new RangeError('Only matrices of the same kind and width can be stacked.');
  const rows = parts.reduce((s, p) => s + p.rows, 0);
  if (kind === 'hybrid') {
    const hs = parts as HybridMatrix[];
    if (hs.some((h) => h.scale !== hs[0].scale || h.dense.cols !== hs[0].dense.cols))
      throw new RangeError('Only hybrids with the same blocks and scale can be stacked.');
    return {
      ...hs[0],
      rows,
      dense: concatRows(hs.map((h) => h.dense)) as DenseMatrix,
      sparse: concatRows(hs.map((h) => h.sparse)) as CsrMatrix,
    };
  }
  if (kind === 'dense') {
    const values = new Float32Array(rows * cols);
    let at = 0;
    for (const p of parts as DenseMatrix[]) {
      values.set(p.values, at);
      at += p.values.length;
    }
    return { kind, rows, cols, values };
  }
  const nnz = parts.reduce((s, p) => s + (p as CsrMatrix).indices.length, 0);
  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(nnz);
  const values = new Float32Array(nnz);
  let r0 = 0;
  let k0 = 0;
  for (const p of parts as CsrMatrix[]) {
    for (let r = 0; r < p.rows; r++) indptr[r0 + r + 1] = k0 + p.indptr[r + 1];
    indices.set(p.indices, k0);
    values.set(p.values, k0);
    r0 += p.rows;
    k0 += p.indices.length;
  }
  return { kind, rows, cols, indptr, indices, values };
}

function tooBigToDensify(m: FeatureMatrix): RangeError {
  return new RangeError(
    `These ${m.rows.toLocaleString('en-US')} × ${m.cols.toLocaleString('en-US')} sparse features would take ` +
      `${Math.round((m.rows * m.cols * 4) / 2 ** 20).toLocaleString('en-US')} MiB as a dense matrix; ` +
      'use the linear head, which reads sparse features directly.',
  );
}

/** Dense copy of m (a hybrid's dense block scaled); throws a clear message instead of allocating more than `maxValues` floats. */
export function toDense(m: FeatureMatrix, maxValues = 64 * 1024 * 1024): DenseMatrix {
  if (m.kind === 'dense') return m;
  if (m.kind === 'hybrid') {
    if (m.rows * m.cols > maxValues) throw tooBigToDensify(m);
    const left = m.dense.cols;
    const values = new Float32Array(m.rows * m.cols);
    const right = toDense(m.sparse, Infinity).values;
    for (let r = 0; r < m.rows; r++) {
      for (let j = 0; j < left; j++) values[r * m.cols + j] = m.dense.values[r * left + j] * m.scale;
      values.set(right.subarray(r * m.sparse.cols, (r + 1) * m.sparse.cols), r * m.cols + left);
    }
    return { kind: 'dense', rows: m.rows, cols: m.cols, values };
  }
  if (m.rows * m.cols > maxValues) throw tooBigToDensify(m);
  const values = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) values[r * m.cols + m.indices[k]] = m.values[k];
  }
  return { kind: 'dense', rows: m.rows, cols: m.cols, values };
}

/** The ArrayBuffers of m, for postMessage transfer lists. */
export function matrixBuffers(m: FeatureMatrix): ArrayBuffer[] {
  if (m.kind === 'hybrid') return [...matrixBuffers(m.dense), ...matrixBuffers(m.sparse)];
  return (m.kind === 'dense' ? [m.values.buffer] : [m.indptr.buffer, m.indices.buffer, m.values.buffer]) as ArrayBuffer[];
}
