// The offline baseline "encoder": TF-IDF over word and character n-grams,
// fitted on the training pool only. No download, so it works before (or
// instead of) DistilBERT, and its dense rows feed the same classifier head.

export interface TfidfOptions {
  /** Inclusive range of word n-gram lengths, e.g. [1, 2] = words and word pairs. */
  wordNgrams: [number, number];
  /** Inclusive range of character n-grams inside word boundaries, or null for none. */
  charNgrams: [number, number] | null;
  /** Keep at most this many features (the most frequent by document frequency). */
  maxFeatures: number;
  /** Drop features seen in fewer training texts than this. */
  minDf: number;
  /** Use 1 + ln(tf) instead of raw counts. */
  sublinearTf: boolean;
}

export const TFIDF_DEFAULTS: TfidfOptions = {
  wordNgrams: [1, 2],
  charNgrams: [3, 5],
  maxFeatures: 4096,
  minDf: 2,
  sublinearTf: true,
};

export interface TfidfModel {
  readonly opts: TfidfOptions;
  /** Feature names in column order: `w:<words>` or `c:<chars>`. */
  readonly vocab: string[];
  /** Inverse document frequency per column. */
  readonly idf: Float32Array;
  readonly index: Map<string, number>;
}

export class TfidfError extends Error {
  override name = 'TfidfError';
}

const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;

/** The n-gram features of one text, with repeats (term counts come from repeats). */
export function tfidfFeatures(text: string, opts: TfidfOptions): string[] {
  const words = text.normalize('NFKC').toLowerCase().match(WORD) ?? [];
  const out: string[] = [];
  const [wMin, wMax] = opts.wordNgrams;
  for (let n = wMin; n <= wMax; n++) {
    for (let i = 0; i + n <= words.length; i++) out.push('w:' + words.slice(i, i + n).join(' '));
  }
  if (opts.charNgrams) {
    const [cMin, cMax] = opts.charNgrams;
    for (const w of words) {
      const padded = ` ${w} `; // spaces mark word starts and ends, as sklearn's char_wb does
      for (let n = cMin; n <= cMax; n++) {
        for (let i = 0; i + n <= padded.length; i++) out.push('c:' + padded.slice(i, i + n));
      }
    }
  }
  return out;
}

function checkOptions(o: TfidfOptions): void {
  const range = (r: [number, number]) => Number.isInteger(r[0]) && Number.isInteger(r[1]) && r[0] >= 1 && r[1] >= r[0];
  if (!range(o.wordNgrams) || (o.charNgrams !== null && !range(o.charNgrams))) {
    throw new TfidfError('TF-IDF n-gram ranges must be [min, max] with 1 ≤ min ≤ max.');
  }
  if (!(o.maxFeatures >= 1) || !(o.minDf >= 1)) throw new TfidfError('TF-IDF maxFeatures and minDf must be at least 1.');
}

/**
 * Fits vocabulary and idf on `texts` (the training pool only; test texts must
 * not leak in). Columns are ordered by document frequency (high first), ties
 * by feature name, so the same texts always give the same columns.
 */
export function fitTfidf(texts: string[], options: Partial<TfidfOptions> = {}): TfidfModel {
  const opts: TfidfOptions = { ...TFIDF_DEFAULTS, ...options };
  checkOptions(opts);
  const df = new Map<string, number>();
  for (const text of texts) {
    for (const f of new Set(tfidfFeatures(text, opts))) df.set(f, (df.get(f) ?? 0) + 1);
  }
  const kept = [...df].filter(([, d]) => d >= opts.minDf);
  kept.sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const top = kept.slice(0, opts.maxFeatures);
  if (top.length === 0) {
    throw new TfidfError(
      `No word or character pattern occurs in at least ${opts.minDf} of the ${texts.length} training texts; ` +
        'add more training texts or lower minDf.',
    );
  }
  const n = texts.length;
  // Smoothed idf (as scikit-learn): never zero, never infinite.
  const idf = Float32Array.from(top, ([, d]) => Math.log((1 + n) / (1 + d)) + 1);
  return buildModel(opts, top.map(([f]) => f), idf);
}

function buildModel(opts: TfidfOptions, vocab: string[], idf: Float32Array): TfidfModel {
  return { opts, vocab, idf, index: new Map(vocab.map((f, i) => [f, i])) };
}

/**
 * Dense [texts.length × vocab.length] row-major matrix of L2-normalised TF-IDF
 * rows. Features not in the fitted vocabulary are ignored; a text with none
 * gives a zero row.
 */
export function transformTfidf(model: TfidfModel, texts: string[]): Float32Array {
  const d = model.vocab.length;
  const out = new Float32Array(texts.length * d);
  texts.forEach((text, r) => {
    const counts = new Map<number, number>();
    for (const f of tfidfFeatures(text, model.opts)) {
      const col = model.index.get(f);
      if (col !== undefined) counts.set(col, (counts.get(col) ?? 0) + 1);
    }
    let sq = 0;
    const row = out.subarray(r * d, (r + 1) * d);
    for (const [col, tf] of counts) {
      const w = (model.opts.sublinearTf ? 1 + Math.log(tf) : tf) * model.idf[col];
      row[col] = w;
      sq += w * w;
    }
    if (sq > 0) {
      const inv = 1 / Math.sqrt(sq);
      for (const col of counts.keys()) row[col] *= inv;
    }
  });
  return out;
}

const FORMAT = 'surrogate-tfidf';
const VERSION = 1;

/** JSON text of a fitted model (options, vocabulary, idf) for storage. */
export function serializeTfidf(model: TfidfModel): string {
  return JSON.stringify({ format: FORMAT, version: VERSION, opts: model.opts, vocab: model.vocab, idf: Array.from(model.idf) });
}

/** Inverse of serializeTfidf; throws TfidfError on anything else. */
export function deserializeTfidf(json: string): TfidfModel {
  let data: unknown;
  try {
    data = JSON.parse(json);
  } catch (err) {
    throw new TfidfError(`Stored TF-IDF model is not valid JSON: ${(err as Error).message}`);
  }
  const d = data as { format?: unknown; version?: unknown; opts?: TfidfOptions; vocab?: unknown; idf?: unknown };
  if (d.format !== FORMAT || d.version !== VERSION) {
    throw new TfidfError(`Stored TF-IDF model has an unknown format (${String(d.format)} v${String(d.version)}); refit it.`);
  }
  if (!Array.isArray(d.vocab) || !Array.isArray(d.idf) || d.vocab.length !== d.idf.length || !d.opts) {
    throw new TfidfError('Stored TF-IDF model is damaged (vocabulary and idf do not match); refit it.');
  }
  checkOptions(d.opts);
  return buildModel(d.opts, d.vocab.map(String), Float32Array.from(d.idf, Number));
}
