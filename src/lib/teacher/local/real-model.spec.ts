// The real in-browser-teacher model (SmolLM2-135M-Instruct, prepared by
// `npm run models`) through transformers.js in Node: the app's tokenizer and
// chat template give the token ids Python gave, and its cached, batched
// scoring gives onnxruntime's (Python) label probabilities on the same ONNX
// file; the q8 file's cache is caught and refused. Skipped, with the
// reason, when the model is not prepared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPrompt, userPrompt } from '../../codebook/prompt';
import { loadCausalLM, type LoadedLM } from './model';
import { preparedCausalLM, hubDir, REAL_LM } from '../../../../tests/support/prepared-lm';
import { LocalScorer, labelSequences } from './scorer';

const prepared = preparedCausalLM();
const why = 'reason' in prepared ? prepared.reason : null;
if (why) console.log(`real-model.spec: skipped: ${why}`);

describe.skipIf(why !== null)('SmolLM2-135M-Instruct through transformers.js (q4, CPU)', () => {
  const check = 'check' in prepared ? prepared.check : null!;
  const ref = check?.reference;
  let loaded: LoadedLM;
  beforeAll(async () => {
    loaded = await loadCausalLM({ modelId: REAL_LM, source: { kind: 'local', path: hubDir() }, device: 'cpu', dtype: 'q4' });
  }, 300_000);
  afterAll(() => loaded?.dispose());

  it('renders the prompt and its tokens as Python did', () => {
    expect(systemPrompt(ref.codebook)).toBe(ref.system);
    for (const t of ref.texts) {
      expect(userPrompt(t.text)).toBe(t.user);
      expect(labelSequences(loaded.tokenizer, { system: ref.system, user: t.user }, ref.labels)).toEqual(t.ids);
    }
  });

  it('scores with the KV cache as onnxruntime does on the same file', { timeout: 300_000 }, async () => {
    const scorer = new LocalScorer(loaded, ref.system, ref.labels);
    await scorer.prepare([userPrompt('a'), userPrompt('Z 9')]);
    expect(scorer.sharedTokens).toBe(ref.sharedTokens);
    expect(await scorer.verifyCache(ref.texts[0].user)).toBeNull();
    let worst = 0;
    for (const t of ref.texts) {
      const got = await scorer.score(t.user);
      got.probs.forEach((p, i) => (worst = Math.max(worst, Math.abs(p - t.ort.q4[i]))));
    }
    // Same file, same runtime family (onnxruntime-node vs onnxruntime in Python): only thread-order rounding differs.
    expect(worst).toBeLessThan(1e-3);
    await scorer.dispose();
  });

  it('falls back to whole sequences on the q8 file, whose cached path gives other probabilities', { timeout: 300_000 }, async () => {
    // Dynamic int8 quantises each call's activations with one scale, so a token's logits depend on the other tokens of its call.
    // On the Törnberg prompt the gap is small for most texts (causal_lm.py: under 1e-3 on two); on this short one it is 0.23.
    const q8 = await loadCausalLM({ modelId: REAL_LM, source: { kind: 'local', path: hubDir() }, device: 'cpu', dtype: 'q8' });
    try {
      const scorer = new LocalScorer(q8, 'You are a careful research assistant.', ['Labour', 'Conservative']);
      await scorer.prepare(['a', 'Z 9']);
      const user = 'Classify the text between the <text> tags.\n<text>\nGet Brexit done 2019\n</text>';
      expect(await scorer.verifyCache(user)).toMatch(/with its KV cache it gave label probabilities 0\.\d+ away/);
      expect(scorer.mode).toBe('full');
    } finally {
      await q8.dispose();
    }
  });
});
