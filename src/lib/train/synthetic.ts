// Seeded Gaussian blobs: stand-in embeddings for tests and benchmarks; a
// small CSR matrix written out as rows.
import { mulberry32 } from '../data/rng';
import type { CsrMatrix } from './matrix';

export interface BlobsOptions {
  n: number;
  dim: number;
  nClasses: number;
  /** Distance of each class mean from the origin, in units of the noise sd. */
  separation: number;
  seed: number;
  /** Class proportions (default equal); rounded, the remainder goes to class 0. */
  proportions?: number[];
}

/**
 * Class c has mean `separation` along axis c (mod dim) plus unit Gaussian
 * noise in every dimension. Rows are in a shuffled class order.
 */
export function makeBlobs(o: BlobsOptions): { X: Float32Array; y: Int32Array } {
  const rand = mulberry32(o.seed);
  const gauss = () => {
    // Box–Muller; 1 − u keeps log away from 0.
    const u = 1 - rand();
    const v = rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
  const props = o.proportions ?? Array.from({ length: o.nClasses }, () => 1 / o.nClasses);
  const counts = props.map((p) => Math.round(p * o.n));
  counts[0] += o.n - counts.reduce((a, b) => a + b, 0);
  const labels: number[] = counts.flatMap((k, c) => Array.from({ length: k }, () => c));
  for (let i = labels.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [labels[i], labels[j]] = [labels[j], labels[i]];
  }
  const X = new Float32Array(o.n * o.dim);
  const y = Int32Array.from(labels);
  for (let i = 0; i < o.n; i++) {
    for (let d = 0; d < o.dim; d++) X[i * o.dim + d] = gauss();
    X[i * o.dim + (y[i] % o.dim)] += o.separation;
  }
  return { X, y };
}

/** The CSR matrix of `rows` (equal-length arrays of numbers; zeros are left out). */
export function csrFromRows(rows: number[][]): CsrMatrix {
  const indptr = [0];
  const indices: number[] = [];
  const values: number[] = [];
  for (const r of rows) {
    r.forEach((v, j) => {
      if (v !== 0) {
        indices.push(j);
        values.push(v);
      }
    });
    indptr.push(indices.length);
  }
  return {
    kind: 'csr',
    rows: rows.length,
    cols: rows[0].length,
    indptr: Int32Array.from(indptr),
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  };
}
