// The transformers.js path (ONNX Runtime, KV cache, batched label rows) on the
// tiny causal LM against the plain-JS reference of the same weights.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { systemPrompt, userPrompt } from '../../codebook/prompt';
import type { Codebook } from '../../codebook/types';
import { loadCausalLM, type LoadedLM } from './model';
import { MODELS_DIR, TINY_LM, referenceLM } from './reference';
import { scoreSequences } from './score';
import { LocalScorer, labelSequences } from './scorer';

const codebook = JSON.parse(readFileSync('tests/fixtures/data/tiny-sentiment.codebook.json', 'utf8')) as Codebook;
const labels = codebook.labels.map((l) => l.name);
const system = systemPrompt(codebook);
const SENTINELS = [userPrompt('a'), userPrompt('Z 9')] as const;
const TEXTS = [
  'Great product, works exactly as described.',
  'Awful experience, I hate it.',
  'It arrived on a Tuesday.',
  'He said "best ever" but it was "terrible", a real waste of money.',
];

let loaded: LoadedLM;
beforeAll(async () => {
  loaded = await loadCausalLM({ modelId: TINY_LM, source: { kind: 'local', path: MODELS_DIR }, device: 'cpu', dtype: 'fp32' });
});
afterAll(() => loaded?.dispose());

describe('tiny causal LM through transformers.js', () => {
  it('matches the plain-JS reference to 1e-5, whole sequences and with the cache', async () => {
    const ref = referenceLM();
    const scorer = new LocalScorer(loaded, system, labels);
    await scorer.prepare(SENTINELS);
    expect(scorer.sharedTokens).toBeGreaterThan(300);
    for (const text of TEXTS) {
      const seqs = labelSequences(loaded.tokenizer, { system, user: userPrompt(text) }, labels);
      const want = await scoreSequences(ref, seqs, { mode: 'full' });
      const full = await scoreSequences(loaded.lm, seqs, { mode: 'full', pad: loaded.pad });
      const cached = await scorer.score(userPrompt(text));
      for (const got of [full, cached]) {
        got.probs.forEach((p, i) => expect(p).toBeCloseTo(want.probs[i], 5));
        got.logprobs.forEach((p, i) => expect(p).toBeCloseTo(want.logprobs[i], 3));
      }
    }
    await scorer.dispose();
  });

  it('makes the cue words decide the label', async () => {
    const scorer = new LocalScorer(loaded, system, labels);
    await scorer.prepare(SENTINELS);
    const [pos, neg] = [await scorer.score(userPrompt(TEXTS[0])), await scorer.score(userPrompt(TEXTS[1]))];
    expect(pos.probs[0]).toBeGreaterThan(0.9);
    expect(neg.probs[1]).toBeGreaterThan(0.9);
    await scorer.dispose();
  });

  it('trusts the cache after checking it against whole sequences', async () => {
    const scorer = new LocalScorer(loaded, system, labels);
    await scorer.prepare(SENTINELS);
    expect(await scorer.verifyCache(userPrompt('a quick check'))).toBeNull();
    expect(scorer.mode).toBe('prefix');
    await scorer.dispose();
  });
});
