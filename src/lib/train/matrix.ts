// Feature matrices the student accepts: dense rows (sentence embeddings) or
// CSR rows (TF-IDF, where a 50k-column vocabulary is >99 % zeros). Plain
// typed arrays only, so both cross the worker boundary by transfer and are
// structured-cloneable.

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

export type FeatureMatrix = DenseMatrix | CsrMatrix;

export function dense(values: Float32Array, cols: number): DenseMatrix {
  if (!Number.isInteger(cols) || cols < 1) throw new RangeError(`Feature width must be a positive integer (got ${cols}).`);
  if (values.length % cols !== 0) throw new RangeError(`Feature array length ${values.length} is not a multiple of width ${cols}.`);
  return { kind: 'dense', rows: values.length / cols, cols, values };
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
  for (let k = 0; k < m.indices.length; k++) if (!(m.indices[k] >= 0 && m.indices[k] < m.cols)) bad(`column ${m.indices[k]} is outside 0…${m.cols - 1}`);
}

/** Rows `idx` of m, in that order, as a new matrix of the same kind. */
export function takeMatrixRows(m: FeatureMatrix, idx: ArrayLike<number>): FeatureMatrix {
  const n = idx.length;
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
  if (parts.some((p) => p.kind !== kind || p.cols !== cols)) throw new RangeError('Only matrices of the same kind and width can be stacked.');
  const rows = parts.reduce((s, p) => s + p.rows, 0);
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

/** Dense copy of m; throws a clear message instead of allocating more than `maxValues` floats. */
export function toDense(m: FeatureMatrix, maxValues = 64 * 1024 * 1024): DenseMatrix {
  if (m.kind === 'dense') return m;
  if (m.rows * m.cols > maxValues) {
    throw new RangeError(
      `These ${m.rows.toLocaleString('en-US')} × ${m.cols.toLocaleString('en-US')} sparse features would take ` +
        `${Math.round((m.rows * m.cols * 4) / 2 ** 20).toLocaleString('en-US')} MiB as a dense matrix; ` +
        'use the linear head, which reads sparse features directly.',
    );
  }
  const values = new Float32Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) {
    for (let k = m.indptr[r]; k < m.indptr[r + 1]; k++) values[r * m.cols + m.indices[k]] = m.values[k];
  }
  return { kind: 'dense', rows: m.rows, cols: m.cols, values };
}

/** The ArrayBuffers of m, for postMessage transfer lists. */
export function matrixBuffers(m: FeatureMatrix): ArrayBuffer[] {
  return (m.kind === 'dense' ? [m.values.buffer] : [m.indptr.buffer, m.indices.buffer, m.values.buffer]) as ArrayBuffer[];
}
