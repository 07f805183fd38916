// The offline baseline "encoder": TF-IDF over word and character n-grams,
// fitted on the training pool only. No download, so it works before (or
// instead of) a sentence encoder. Rows are sparse (CSR) because an uncapped
// vocabulary has hundreds of thousands of columns and a tweet touches a few
// hundred of them.
//
// Same numbers as scikit-learn's
//   FeatureUnion([TfidfVectorizer(analyzer='word', ngram_range=(1, 2), ...),
//                 TfidfVectorizer(analyzer='char_wb', ngram_range=(3, 5), ...)])
// with sublinear_tf=True, min_df=2, norm='l2', scaled by 1/√2 (checked in
// tfidf.spec.ts), except:
//  - text is NFKC-normalised before lower-casing (see tfidf-ngrams.ts);
//  - the scale is 1/√(blocks this row has features in), not a fixed 1/√2, so
//    a text with only character features still gets a unit-norm row;
//  - maxFeatures keeps the most frequent terms by document frequency
//    (scikit-learn's max_features ranks by total count);
//  - within a block, columns are in UTF-16 code-unit order (scikit-learn:
//    code-point order), which differs only for characters above U+FFFF
//    against those in U+E000–U+FFFF.

import { toDense, type CsrMatrix } from '../train/matrix';
import { forEachCharWbNgram, forEachWordNgram, preprocessTfidf, type GramVisitor, type NgramRange } from './tfidf-ngrams';
import { addTerm, findTerm, newTermTable, termTableOf, type TermTable } from './tfidf-table';
import { Slicer, runNow, runSliced, type Steps } from '../store/yield';

export interface TfidfOptions {
  /** Inclusive range of word n-gram lengths, e.g. [1, 2] = words and word pairs. */
  wordNgrams: [number, number];
  /** Inclusive range of character n-grams inside word boundaries, or null for none. */
  charNgrams: [number, number] | null;
  /** Per block, keep at most this many terms (the highest document frequency), or null for no cap. */
  maxFeatures: number | null;
  /** Drop terms seen in fewer training texts than this. */
  minDf: number;
  /** Use 1 + ln(tf) instead of raw counts. */
  sublinearTf: boolean;
}

export const TFIDF_DEFAULTS: Readonly<TfidfOptions> = {
  wordNgrams: [1, 2],
  charNgrams: [3, 5],
  maxFeatures: null,
  minDf: 2,
  sublinearTf: true,
};

/** Fitting keeps every distinct n-gram of every text in memory at once; past this many texts a browser tab runs out. */
export const TFIDF_MAX_FIT_TEXTS = 100_000;

/** Distinct n-grams one block may count while fitting (about 0.5 GB with their table); stop with words before the tab dies. */
const MAX_DISTINCT = 2 ** 23;

/** One vectorizer's share of the columns: 'w' word n-grams, 'c' char_wb n-grams (also the prefix in `vocab`). */
export interface TfidfBlock {
  readonly kind: 'w' | 'c';
  /** Terms in column order (sorted), without prefix. */
  readonly terms: readonly string[];
  /** Number of training texts containing each term. */
  readonly df: Int32Array;
  /** Smoothed idf, as scikit-learn: ln((1 + n) / (1 + df)) + 1. */
  readonly idf: Float64Array;
  /** Term → column within the block (see tfidfColumn for a lookup by feature name). */
  readonly table: TermTable;
  /** Column of the block's first term within a full row. */
  readonly offset: number;
}

export interface TfidfModel {
  readonly opts: TfidfOptions;
  /** Number of training texts the idf was fitted on. */
  readonly nDocs: number;
  /** Word block first, then the character block when opts.charNgrams is set. A block may be empty. */
  readonly blocks: readonly TfidfBlock[];
  /** Row width: the blocks' terms together. */
  readonly dim: number;
  /** Feature names in column order: `w:<words>` then `c:<chars>`; vocab.length === dim. */
  readonly vocab: readonly string[];
}

export class TfidfError extends Error {
  override name = 'TfidfError';
}

function forEachNgram(kind: 'w' | 'c', text: string, range: NgramRange, visit: GramVisitor): void {
  if (kind === 'w') forEachWordNgram(text, range, visit);
  else forEachCharWbNgram(text, range, visit);
}

/** The prefixed n-gram features of one text, with repeats (for tests and inspection; fitting does not build these). */
export function tfidfFeatures(text: string, opts: TfidfOptions): string[] {
  const t = preprocessTfidf(text);
  const out: string[] = [];
  forEachWordNgram(t, opts.wordNgrams, (s, a, b) => out.push('w:' + s.slice(a, b)));
  if (opts.charNgrams) forEachCharWbNgram(t, opts.charNgrams, (s, a, b) => out.push('c:' + s.slice(a, b)));
  return out;
}

function checkOptions(o: TfidfOptions): void {
  const range = (r: unknown) =>
    Array.isArray(r) && r.length === 2 && Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[0] >= 1 && r[1] >= r[0];
  if (!range(o.wordNgrams) || (o.charNgrams !== null && !range(o.charNgrams))) {
    throw new TfidfError('TF-IDF n-gram ranges must be [min, max] with 1 ≤ min ≤ max.');
  }
  const count = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
  if ((o.maxFeatures !== null && !count(o.maxFeatures)) || !count(o.minDf)) {
    throw new TfidfError('TF-IDF maxFeatures (or null) and minDf must be whole numbers of at least 1.');
  }
  if (typeof o.sublinearTf !== 'boolean') throw new TfidfError('TF-IDF sublinearTf must be true or false.');
}

function withDefaults(options: Partial<TfidfOptions>): TfidfOptions {
  const o = { ...TFIDF_DEFAULTS, ...options };
  checkOptions(o);
  return { ...o, wordNgrams: [...o.wordNgrams], charNgrams: o.charNgrams && [...o.charNgrams] };
}

/**
 * Fits each block's vocabulary and idf on `texts` (the training pool only;
 * test texts must not leak in). Throws TfidfError on more than
 * TFIDF_MAX_FIT_TEXTS texts or when no term reaches minDf.
 */
export function fitTfidf(texts: readonly string[], options: Partial<TfidfOptions> = {}): TfidfModel {
  return runNow(fitSteps(texts, options));
}

/**
 * fitTfidf on the page: the same fit, giving the thread back whenever a slice
 * has run its time (store/yield.ts). A pool of 100,000 texts is seconds of
 * counting, which held the page in one task.
 */
export async function fitTfidfSliced(
  texts: readonly string[],
  options: Partial<TfidfOptions> = {},
  slicer: Slicer = new Slicer(),
): Promise<TfidfModel> {
  return runSliced(fitSteps(texts, options), slicer);
}

/** The fit as a Steps loop (store/yield.ts): it yields after each text it preprocesses or counts (a text costs far more than a resume). */
function* fitSteps(texts: readonly string[], options: Partial<TfidfOptions>): Steps<TfidfModel> {
  const opts = withDefaults(options);
  const n = texts.length;
  if (n > TFIDF_MAX_FIT_TEXTS) {
    throw new TfidfError(
      `TF-IDF can be fitted on at most ${TFIDF_MAX_FIT_TEXTS.toLocaleString('en-US')} training texts in the browser; ` +
        `this pool has ${n.toLocaleString('en-US')}. Sample fewer training texts, or use a sentence encoder instead.`,
    );
  }
  const docs: string[] = [];
  for (const t of texts) {
    docs.push(preprocessTfidf(t));
    yield;
  }
  const kinds: ('w' | 'c')[] = opts.charNgrams ? ['w', 'c'] : ['w'];
  // One block at a time, so only one block's table of every distinct n-gram is in memory.
  const counted = [];
  for (const kind of kinds) counted.push({ kind, ...(yield* countTerms(docs, kind, rangeOf(opts, kind), opts)) });
  if (counted.every((b) => b.terms.length === 0)) {
    throw new TfidfError(
      `No word or character pattern occurs in at least ${opts.minDf} of the ${n} training texts; ` +
        'add more training texts or lower minDf.',
    );
  }
  return buildModel(opts, n, counted);
}

/** Distinct terms of one block kept by minDf/maxFeatures, sorted, with their document frequencies; yields after each text. */
function* countTerms(docs: string[], kind: 'w' | 'c', range: NgramRange, opts: TfidfOptions): Steps<{ terms: string[]; df: Int32Array }> {
  const table = newTermTable();
  let df: Int32Array = new Int32Array(1 << 15); // by term id
  let seenIn: Int32Array = new Int32Array(1 << 15); // last text (1-based) that counted the term, so each text counts it once
  let doc = 0;
  const visit: GramVisitor = (s, a, b) => {
    const id = addTerm(table, s, a, b);
    if (id === df.length) {
      if (id >= MAX_DISTINCT) {
        throw new TfidfError(
          `The training texts contain more than ${Math.floor(MAX_DISTINCT / 1e6)} million different ${kind === 'w' ? 'words and word pairs' : 'character n-grams'}, ` +
            'more than the browser can count. Sample fewer (or shorter) training texts, or use a sentence encoder instead.',
        );
      }
      df = grow(df, 2 * id);
      seenIn = grow(seenIn, 2 * id);
    }
    if (seenIn[id] !== doc) {
      seenIn[id] = doc;
      df[id]++;
    }
  };
  for (const text of docs) {
    doc++;
    forEachNgram(kind, text, range, visit);
    yield;
  }
  let kept: number[] = [];
  for (let id = 0; id < table.terms.length; id++) if (df[id] >= opts.minDf) kept.push(id);
  if (opts.maxFeatures !== null && kept.length > opts.maxFeatures) {
    const t = table.terms;
    kept.sort((x, y) => df[y] - df[x] || (t[x] < t[y] ? -1 : 1));
    kept = kept.slice(0, opts.maxFeatures);
  }
  const terms = kept.map((id) => table.terms[id]).sort(); // UTF-16 code-unit order
  return { terms, df: Int32Array.from(terms, (t) => df[findTerm(table, t, 0, t.length)]) };
}

function grow(a: Int32Array, size: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(size);
  b.set(a);
  return b;
}

function buildModel(opts: TfidfOptions, nDocs: number, parts: { kind: 'w' | 'c'; terms: string[]; df: Int32Array }[]): TfidfModel {
  let offset = 0;
  const vocab: string[] = [];
  const blocks = parts.map(({ kind, terms, df }): TfidfBlock => {
    const table = termTableOf(terms);
    for (const t of terms) vocab.push(kind + ':' + t);
    const idf = Float64Array.from(df, (d) => Math.log((1 + nDocs) / (1 + d)) + 1);
    const block = { kind, terms: table.terms, df, idf, table, offset };
    offset += terms.length;
    return block;
  });
  return { opts, nDocs, blocks, dim: offset, vocab };
}

/** Column of a feature name such as `w:great` or `c:gre`, or -1 when it is not in the vocabulary. */
export function tfidfColumn(model: TfidfModel, feature: string): number {
  const block = model.blocks.find((b) => feature.startsWith(b.kind + ':'));
  const c = block ? findTerm(block.table, feature, 2, feature.length) : -1;
  return c < 0 ? -1 : block!.offset + c;
}

function rangeOf(opts: TfidfOptions, kind: 'w' | 'c'): NgramRange {
  return kind === 'w' ? opts.wordNgrams : opts.charNgrams!;
}

/** Growable CSR arrays for a known number of rows (module-internal, so plain fields for the hot loop). */
class CsrBuilder {
  readonly indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
  rows = 0;
  nnz = 0;

  constructor(
    rows: number,
    readonly cols: number,
    capacity: number,
  ) {
    this.indptr = new Int32Array(rows + 1);
    this.indices = new Int32Array(Math.max(1024, capacity));
    this.values = new Float32Array(this.indices.length);
  }

  /** Makes room for `extra` more entries. */
  reserve(extra: number): void {
    if (this.nnz + extra <= this.indices.length) return;
    const size = Math.max(2 * this.indices.length, this.nnz + extra);
    this.indices = grow(this.indices, size);
    const values = new Float32Array(size);
    values.set(this.values);
    this.values = values;
  }

  endRow(): void {
    this.indptr[++this.rows] = this.nnz;
  }

  /** The matrix, in arrays of exactly its size (so a transfer moves no slack). */
  finish(): CsrMatrix {
    const { rows, cols, indptr, nnz } = this;
    return { kind: 'csr', rows, cols, indptr, indices: this.indices.slice(0, nnz), values: this.values.slice(0, nnz) };
  }
}

/**
 * A function that appends the TF-IDF row of one text to a CsrBuilder,
 * reusing its scratch buffers from row to row.
 */
function rowEncoder(model: TfidfModel): (text: string, out: CsrBuilder) => void {
  const { blocks, opts } = model;
  const sublinear = opts.sublinearTf;
  // Per column: the term count, then its weight, while the row is built; always zero between rows.
  const acc = new Float64Array(model.dim);
  let cols = new Int32Array(1024); // the current row's columns, block after block
  let len = 0;
  const visits = blocks.map(
    ({ table, offset }): GramVisitor =>
      function visitKnown(s, a, b) {
        const c = findTerm(table, s, a, b);
        if (c < 0) return;
        const col = offset + c;
        if (acc[col]++ === 0) {
          if (len === cols.length) cols = grow(cols, 2 * len);
          cols[len++] = col;
        }
      },
  );
  const ends = new Int32Array(blocks.length);
  const sq = new Float64Array(blocks.length);

  return function encodeRow(text, out) {
    const doc = preprocessTfidf(text);
    len = 0;
    let present = 0;
    for (let b = 0; b < blocks.length; b++) {
      const { kind, terms, idf, offset } = blocks[b];
      const start = len;
      if (terms.length > 0) forEachNgram(kind, doc, rangeOf(opts, kind), visits[b]);
      if (len - start > 1) cols.subarray(start, len).sort();
      let s = 0;
      for (let k = start; k < len; k++) {
        const col = cols[k];
        const tf = acc[col];
        const w = (sublinear ? 1 + Math.log(tf) : tf) * idf[col - offset];
        acc[col] = w;
        s += w * w;
      }
      ends[b] = len;
      sq[b] = s;
      if (s > 0) present++;
    }
    // Each block gets unit norm on its own; 1/√(blocks present) then makes the whole row unit norm.
    const scale = 1 / Math.sqrt(Math.max(1, present));
    out.reserve(len);
    const { indices, values } = out;
    let at = out.nnz;
    for (let b = 0, k = 0; b < blocks.length; b++) {
      const f = sq[b] > 0 ? scale / Math.sqrt(sq[b]) : 0;
      for (; k < ends[b]; k++) {
        const col = cols[k];
        indices[at] = col;
        values[at++] = acc[col] * f;
        acc[col] = 0;
      }
    }
    out.nnz = at;
    out.endRow();
  };
}

/**
 * [texts.length × model.dim] CSR matrix of TF-IDF rows (ascending columns
 * within a row, unit L2 norm; a text with no known n-gram is an empty row).
 * N-grams not in the fitted vocabulary are ignored.
 */
export function transformTfidfSparse(model: TfidfModel, texts: readonly string[]): CsrMatrix {
  const encode = rowEncoder(model);
  const out = new CsrBuilder(texts.length, model.dim, texts.length * 128);
  for (const text of texts) encode(text, out);
  return out.finish();
}

/**
 * transformTfidfSparse in consecutive chunks of `chunkSize` texts (the last
 * may be shorter), so predicting 100k texts never holds one matrix of all of
 * them. Rows of chunk i are texts [i·chunkSize, (i+1)·chunkSize).
 */
export function* transformTfidfChunks(
  model: TfidfModel,
  texts: readonly string[],
  chunkSize = 2048,
): Generator<CsrMatrix, void, undefined> {
  if (!(Number.isInteger(chunkSize) && chunkSize >= 1))
    throw new TfidfError(`TF-IDF chunk size must be a whole number of at least 1 (got ${chunkSize}).`);
  const encode = rowEncoder(model);
  let perRow = 128; // entries per row, learnt from the chunks so far, to size the next one
  for (let start = 0; start < texts.length; start += chunkSize) {
    const end = Math.min(texts.length, start + chunkSize);
    const out = new CsrBuilder(end - start, model.dim, Math.ceil((end - start) * perRow * 1.1));
    for (let i = start; i < end; i++) encode(texts[i], out);
    perRow = out.nnz / out.rows;
    yield out.finish();
  }
}

/**
 * Dense [texts.length × model.dim] row-major copy of transformTfidfSparse,
 * for tests and small inputs; throws a RangeError rather than allocate more
 * than 64 M floats (use the sparse matrix for anything bigger).
 */
export function transformTfidf(model: TfidfModel, texts: readonly string[]): Float32Array {
  return toDense(transformTfidfSparse(model, texts)).values;
}

const FORMAT = 'surrogate-tfidf';
/** v1: one 4,096-column vocabulary of word and char n-grams (not readable any more). v2: separate word and char blocks. */
export const TFIDF_FORMAT_VERSION = 2;

interface StoredBlock {
  kind: 'w' | 'c';
  terms: string[];
  df: number[];
}

/** JSON text of a fitted model (options, number of texts, each block's terms and document frequencies). */
export function serializeTfidf(model: TfidfModel): string {
  const blocks: StoredBlock[] = model.blocks.map((b) => ({ kind: b.kind, terms: [...b.terms], df: Array.from(b.df) }));
  // idf is recomputed from df on load: shorter than 17-digit floats, and bit-identical.
  return JSON.stringify({ format: FORMAT, version: TFIDF_FORMAT_VERSION, opts: model.opts, nDocs: model.nDocs, blocks });
}

/** Inverse of serializeTfidf; throws TfidfError on anything else, including models saved in format v1. */
export function deserializeTfidf(json: string): TfidfModel {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new TfidfError(`Stored TF-IDF model is not valid JSON: ${(err as Error).message}`);
  }
  const d = (data ?? {}) as { format?: unknown; version?: unknown; opts?: unknown; nDocs?: unknown; blocks?: unknown };
  if (d.format === FORMAT && d.version === 1) {
    throw new TfidfError(
      'This TF-IDF model was saved by an older version of Surrogate (one 4,096-feature vocabulary); refit it on the training pool.',
    );
  }
  if (d.format !== FORMAT || d.version !== TFIDF_FORMAT_VERSION) {
    throw new TfidfError(`Stored TF-IDF model has an unknown format (${String(d.format)} v${String(d.version)}); refit it.`);
  }
  const damaged = (why: string): never => {
    throw new TfidfError(`Stored TF-IDF model is damaged (${why}); refit it.`);
  };
  if (typeof d.opts !== 'object' || d.opts === null) damaged('no options');
  const opts = withDefaults(d.opts as Partial<TfidfOptions>);
  const nDocs = d.nDocs;
  if (!Number.isInteger(nDocs) || (nDocs as number) < 1) damaged('no number of training texts');
  const kinds = opts.charNgrams ? ['w', 'c'] : ['w'];
  const blocks = Array.isArray(d.blocks) ? (d.blocks as Partial<StoredBlock>[]) : [];
  if (blocks.length !== kinds.length || blocks.some((b, i) => b?.kind !== kinds[i])) damaged('blocks do not match the options');
  const parts = blocks.map(({ kind, terms, df }) => {
    if (!Array.isArray(terms) || !Array.isArray(df) || terms.length !== df.length) damaged('terms and document frequencies do not match');
    if (terms!.some((t) => typeof t !== 'string') || new Set(terms).size !== terms!.length) damaged('terms are not distinct strings');
    if (df!.some((v) => !Number.isInteger(v) || v < 1 || v > (nDocs as number))) damaged('document frequencies out of range');
    return { kind: kind as 'w' | 'c', terms: terms!, df: Int32Array.from(df!) };
  });
  if (parts.every((p) => p.terms.length === 0)) damaged('no terms');
  return buildModel(opts, nDocs as number, parts);
}
