// Label scoring with a causal LM: every codebook label's answer is scored as
// the continuation of the chat prompt, and the sequence probabilities are
// normalised over the labels. Nothing is generated, so the answer is always a
// label and the same text always gets the same probabilities (no repeats).
//
// The forward passes share work three ways: the part of the prompt every text
// has (system prompt and codebook) is run once per run and its KV cache kept;
// each text's own part is run once on top of it; and the labels' suffixes
// then go through together, one row each, on top of the text's cache. Pure of
// transformers.js: the model comes in as a `CausalLM`, so this is tested with
// a model written in plain JS as well as with the real runtime.

/**
 * What the scorer needs of a model. `rows` are token ids, right-padded to one
 * length (a row's real length in `lengths`); `past` is a cache of `pastLength`
 * positions for one sequence, shared by every row (the model tiles it).
 */
export interface CausalLM<Cache = unknown> {
  run(
    rows: number[][],
    lengths: number[],
    past: { cache: Cache; length: number } | null,
    want: 'last' | 'all',
  ): Promise<{ logprobs: LogProbs; cache: Cache }>;
  /** Frees a cache this scorer no longer needs (GPU buffers). */
  release(cache: Cache): Promise<void> | void;
}

/** log p(token | everything up to and including position `pos` of row `row`); with want 'last', only pos = length − 1. */
export type LogProbs = (row: number, pos: number, token: number) => number;

/** A prompt prefix already run: its ids and KV cache (shared by every text of a run). */
export interface SharedPrefix<Cache = unknown> {
  ids: number[];
  cache: Cache;
}

export type ScoreMode = 'prefix' | 'full';

export interface LabelScores {
  /** Normalised over the labels (sum 1), in label order. */
  probs: number[];
  /** Sum of the label's answer-token log probabilities (natural log), in label order. */
  logprobs: number[];
  /** Tokens the model ran for this text (prefix once + label rows, or every full sequence). */
  tokens: number;
}

/** The answer a label stands for, exactly as the system prompt asks for it: {"label": "<label>"}. */
export function answerFor(label: string): string {
  return `{"label": ${JSON.stringify(label)}}`;
}

/** Length of the longest prefix all sequences share. */
export function commonPrefix(seqs: readonly (readonly number[])[]): number {
  if (seqs.length === 0) return 0;
  let n = Math.min(...seqs.map((s) => s.length));
  for (const s of seqs) {
    let i = 0;
    while (i < n && s[i] === seqs[0][i]) i++;
    n = i;
  }
  return n;
}

export function startsWith(seq: readonly number[], prefix: readonly number[]): boolean {
  if (prefix.length > seq.length) return false;
  for (let i = 0; i < prefix.length; i++) if (seq[i] !== prefix[i]) return false;
  return true;
}

/**
 * Where the scored tokens start: after the tokens all labels' sequences
 * share, but at least one token before the shortest ends (a label whose
 * tokens are a prefix of another's still gets scored).
 */
export function scoredFrom(seqs: readonly (readonly number[])[]): number {
  const c = commonPrefix(seqs);
  const shortest = Math.min(...seqs.map((s) => s.length));
  const at = Math.min(c, shortest - 1);
  if (at < 1) throw new Error('Each label answer needs at least one token of prompt before it.');
  return at;
}

/** Softmax of sequence log probabilities (stable for very negative ones). */
export function normalise(logprobs: readonly number[]): number[] {
  const m = Math.max(...logprobs);
  const e = logprobs.map((x) => Math.exp(x - m));
  const z = e.reduce((a, b) => a + b, 0);
  return e.map((x) => x / z);
}

function padRows(rows: number[][], pad: number): { rows: number[][]; lengths: number[] } {
  const width = Math.max(1, ...rows.map((r) => r.length));
  return { rows: rows.map((r) => [...r, ...Array<number>(width - r.length).fill(pad)]), lengths: rows.map((r) => r.length) };
}

/**
 * Scores one text: `seqs[l]` is the whole token sequence (chat prompt +
 * label l's answer). Mode 'prefix' runs the shared part once and the labels'
 * remaining tokens as a batch on its cache; 'full' runs every whole sequence
 * (no cache; the baseline, and the fallback for graphs that refuse a cache).
 * Both score the same tokens, so they agree to rounding.
 */
export async function scoreSequences<C>(
  lm: CausalLM<C>,
  seqs: number[][],
  o: { mode?: ScoreMode; shared?: SharedPrefix<C> | null; pad?: number } = {},
): Promise<LabelScores> {
  const pad = o.pad ?? 0;
  const from = scoredFrom(seqs);
  const lp = seqs.map(() => 0);
  if (o.mode === 'full') {
    const { rows, lengths } = padRows(seqs, pad);
    const { logprobs, cache } = await lm.run(rows, lengths, null, 'all');
    await lm.release(cache);
    seqs.forEach((s, l) => {
      for (let p = from; p < s.length; p++) lp[l] += logprobs(l, p - 1, s[p]);
    });
    return { probs: normalise(lp), logprobs: lp, tokens: lengths.reduce((a, b) => a + b, 0) };
  }
  // The run-wide prefix is used only when every sequence starts with it and leaves this text something to run.
  const shared = o.shared && o.shared.ids.length < from && seqs.every((s) => startsWith(s, o.shared!.ids)) ? o.shared : null;
  const base = shared ? shared.ids.length : 0;
  const head = seqs[0].slice(base, from);
  const first = await lm.run([head], [head.length], shared && { cache: shared.cache, length: base }, 'last');
  seqs.forEach((s, l) => (lp[l] += first.logprobs(0, head.length - 1, s[from])));
  let tokens = head.length;
  try {
    // Each label row feeds its answer tokens but the last (whose prediction is not needed).
    const tails = seqs.map((s) => s.slice(from, s.length - 1));
    const live = tails.map((t, l) => l).filter((l) => tails[l].length > 0);
    if (live.length > 0) {
      const { rows, lengths } = padRows(
        live.map((l) => tails[l]),
        pad,
      );
      const rest = await lm.run(rows, lengths, { cache: first.cache, length: from }, 'all');
      await lm.release(rest.cache);
      live.forEach((l, r) => {
        const s = seqs[l];
        for (let j = 0; j < tails[l].length; j++) lp[l] += rest.logprobs(r, j, s[from + j + 1]);
      });
      tokens += lengths.reduce((a, b) => a + b, 0);
    }
  } finally {
    await lm.release(first.cache);
  }
  return { probs: normalise(lp), logprobs: lp, tokens };
}

/** Runs the run-wide prefix once; release its cache with lm.release when the run ends. */
export async function prefill<C>(lm: CausalLM<C>, ids: number[]): Promise<SharedPrefix<C>> {
  const { cache } = await lm.run([ids], [ids.length], null, 'last');
  return { ids, cache };
}
