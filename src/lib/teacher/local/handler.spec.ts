// The worker's logic without a Worker, on the real tiny causal LM: load,
// prepare the codebook prompt, score, and errors in words.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { systemPrompt, userPrompt } from '../../codebook/prompt';
import type { Codebook } from '../../codebook/types';
import { createLocalHandler, dtypeFor } from './handler';
import type { LocalReply } from './protocol';
import { MODELS_DIR, TINY_LM } from './reference';

const codebook = JSON.parse(readFileSync('tests/fixtures/data/tiny-sentiment.codebook.json', 'utf8')) as Codebook;
const labels = codebook.labels.map((l) => l.name);

function harness() {
  const replies: LocalReply[] = [];
  return { replies, handle: createLocalHandler((r) => replies.push(r)) };
}

describe('createLocalHandler', () => {
  it('says what is missing before a model is loaded', async () => {
    const { replies, handle } = harness();
    await handle({ type: 'score', id: 1, users: ['x'] });
    await handle({ type: 'prepare', id: 2, system: 's', labels, probe: 'p', sentinels: ['a', 'b'] });
    expect(replies).toEqual([
      { type: 'error', id: 1, message: expect.stringMatching(/not set up/) },
      { type: 'error', id: 2, message: expect.stringMatching(/load one first/) },
    ]);
  });

  it('names the model, the source and the files it needs when loading fails', async () => {
    const { replies, handle } = harness();
    await handle({
      type: 'load',
      id: 1,
      modelId: 'no-such-model',
      revision: 'main',
      source: { kind: 'local', path: MODELS_DIR },
      device: 'cpu',
      dtype: 'fp32',
      ortBase: '',
    });
    expect(replies.at(-1)).toMatchObject({ type: 'error', message: expect.stringMatching(/"no-such-model".*onnx\/model\.onnx/) });
  });

  it('loads, prepares with a checked KV cache, and scores in order', async () => {
    const { replies, handle } = harness();
    await handle({
      type: 'load',
      id: 1,
      modelId: TINY_LM,
      revision: 'main',
      source: { kind: 'local', path: MODELS_DIR },
      device: 'cpu',
      dtype: 'fp32',
      ortBase: '',
    });
    expect(replies.at(-1)).toEqual({ type: 'ready', id: 1, device: 'cpu', dtype: 'fp32', webgpu: false, threads: 0, note: null });
    await handle({
      type: 'prepare',
      id: 2,
      system: systemPrompt(codebook),
      labels,
      probe: userPrompt('probe'),
      sentinels: [userPrompt('a'), userPrompt('Z 9')],
    });
    const prepared = replies.at(-1);
    expect(prepared).toMatchObject({ type: 'prepared', id: 2, mode: 'prefix', note: null });
    expect(prepared?.type === 'prepared' && prepared.sharedTokens).toBeGreaterThan(300);
    await handle({ type: 'score', id: 3, users: [userPrompt('I love it, excellent.'), userPrompt('Terrible and awful.')] });
    const r = replies.at(-1);
    if (r?.type !== 'scores') throw new Error(JSON.stringify(r));
    expect(r.probs[0][0]).toBeGreaterThan(0.9);
    expect(r.probs[1][1]).toBeGreaterThan(0.9);
    expect(r.tokens.every((t) => t > 0 && t < 100)).toBe(true);
  });

  it('runs f16 weights only on WebGPU', () => {
    expect(dtypeFor('webgpu', 'q4f16')).toBe('q4f16');
    expect(dtypeFor('wasm', 'q4f16')).toBe('q4');
    expect(dtypeFor('wasm', 'fp16')).toBe('fp32');
    expect(dtypeFor('cpu', 'q8')).toBe('q8');
  });
});
