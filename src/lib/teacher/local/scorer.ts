// One codebook prompt on one loaded model: the chat template from the
// model's tokenizer config around the API teacher's system and user
// messages, each label's answer appended, and the scorer of score.ts over
// it. The system part every text shares is run once (prepare) and its KV
// cache kept for the whole run.
import type { PreTrainedTokenizer } from '@huggingface/transformers';
import { encode, type LoadedLM, type KV } from './model';
import { answerFor, commonPrefix, prefill, scoreSequences, type LabelScores, type ScoreMode, type SharedPrefix } from './score';

export interface ChatPrompt {
  system: string;
  user: string;
}

/**
 * The prompt as the model's own chat template renders it, ready for the
 * assistant's answer. Templates that refuse a system turn (some Gemma
 * versions) get the system text at the head of the user turn instead.
 */
export function renderChat(tokenizer: PreTrainedTokenizer, p: ChatPrompt): string {
  const opts = { tokenize: false, add_generation_prompt: true } as const;
  try {
    return tokenizer.apply_chat_template(
      [
        { role: 'system', content: p.system },
        { role: 'user', content: p.user },
      ],
      opts,
    ) as string;
  } catch {
    return tokenizer.apply_chat_template([{ role: 'user', content: `${p.system}\n\n${p.user}` }], opts) as string;
  }
}

/** Every label's whole token sequence for one text: template + answer. */
export function labelSequences(tokenizer: PreTrainedTokenizer, p: ChatPrompt, labels: readonly string[]): number[][] {
  const prompt = renderChat(tokenizer, p);
  return labels.map((l) => encode(tokenizer, prompt + answerFor(l)));
}

export class LocalScorer {
  #shared: SharedPrefix<KV> | null = null;
  #mode: ScoreMode;

  constructor(
    private readonly loaded: LoadedLM,
    private readonly system: string,
    private readonly labels: readonly string[],
    mode: ScoreMode = 'prefix',
  ) {
    this.#mode = mode;
  }

  get mode(): ScoreMode {
    return this.#mode;
  }

  /** Tokens of the shared system prefix (0 before prepare, or in full mode). */
  get sharedTokens(): number {
    return this.#shared?.ids.length ?? 0;
  }

  /**
   * Runs the part of the prompt all texts share. It is found as the tokens
   * the user messages of two unlike texts (`sentinels`) have in common, less
   * one: a boundary token could merge with a text's first characters.
   */
  async prepare(sentinels: readonly [string, string]): Promise<void> {
    if (this.#mode !== 'prefix' || this.#shared) return;
    const [a, b] = sentinels.map(
      (user) => labelSequences(this.loaded.tokenizer, { system: this.system, user }, this.labels.slice(0, 1))[0],
    );
    const n = commonPrefix([a, b]) - 1;
    if (n >= 1) this.#shared = await prefill(this.loaded.lm, a.slice(0, n));
  }

  async score(user: string): Promise<LabelScores> {
    const seqs = labelSequences(this.loaded.tokenizer, { system: this.system, user }, this.labels);
    return scoreSequences(this.loaded.lm, seqs, { mode: this.#mode, shared: this.#shared, pad: this.loaded.pad });
  }

  /**
   * Checks that the cached path gives what whole sequences give on `user`
   * (some exported graphs mishandle a cache with several new tokens). On a
   * mismatch or an error it falls back to whole sequences for good and
   * returns why; null when the cache can be trusted.
   */
  async verifyCache(user: string, tolerance = 0.02): Promise<string | null> {
    if (this.#mode !== 'prefix') return null;
    const seqs = labelSequences(this.loaded.tokenizer, { system: this.system, user }, this.labels);
    const full = await scoreSequences(this.loaded.lm, seqs, { mode: 'full', pad: this.loaded.pad });
    let why: string | null = null;
    try {
      const cached = await this.score(user);
      const gap = Math.max(...cached.probs.map((p, i) => Math.abs(p - full.probs[i])));
      if (!(gap <= tolerance)) why = `with its KV cache it gave label probabilities ${gap.toFixed(3)} away from whole sequences`;
    } catch (e) {
      why = `it failed with a KV cache (${e instanceof Error ? e.message : String(e)})`;
    }
    if (why) {
      await this.dispose();
      this.#mode = 'full';
    }
    return why;
  }

  async dispose(): Promise<void> {
    if (this.#shared) await this.loaded.lm.release(this.#shared.cache);
    this.#shared = null;
  }
}
