// The vector jobs over a fake embed client (a Map of stored vectors): what is
// stored is found and gathered in row order, only the missing texts are sent
// to embed, a failure after stored chunks says they are kept, a cancel passes
// through as it is.
import { describe, expect, it } from 'vitest';
import { hashText } from '../data/hash';
import type { DataRow } from '../data/types';
import { embedMissing, encoderFor, gatherVectors, missingVectors, type EmbedCall, type EmbedMessage, type EmbedProgress } from './vectors';
import { VECTOR_CHUNK } from '../store/db';
import { resolveRecipe } from './presets';
import type { EncoderSettings } from '../project/settings';

const DIM = 2;
const row = (text: string): DataRow => ({ id: text, text, human: null, hash: hashText(text) });

/** Vectors by hash; `embed` stores [length, 1] for each text; `failOn` = the embed request (1-based) that fails. */
function fakeClient(failOn = 0) {
  const stored = new Map<string, number[]>();
  const sent: EmbedMessage[] = [];
  let embeds = 0;
  const request = ((msg: EmbedMessage) => {
    sent.push(msg);
    const answer = async () => {
      if (msg.type === 'lookup')
        return { type: 'slots', dim: stored.size ? DIM : null, slots: Int32Array.from(msg.hashes, (h) => (stored.has(h) ? 1 : -1)) };
      if (msg.type === 'gather') {
        const missing = msg.hashes.flatMap((h, i) => (stored.has(h) ? [] : [i]));
        return {
          type: 'rows',
          vectors: Float32Array.from(msg.hashes.flatMap((h) => stored.get(h) ?? [0, 0])),
          missing: Int32Array.from(missing),
        };
      }
      if (msg.type === 'embed') {
        if (++embeds === failOn) throw new Error('The disk is full.');
        msg.store!.hashes.forEach((h, i) => stored.set(h, [msg.texts[i].length, 1]));
        return {
          type: 'stored',
          count: msg.texts.length,
          dim: DIM,
          stats: { realTokens: msg.texts.length, paddedTokens: msg.texts.length },
        };
      }
      throw new Error(`unexpected ${msg.type}`);
    };
    return { done: answer(), cancel: () => {} };
  }) as EmbedCall;
  return { stored, sent, request, deps: { request, check: () => {} } };
}

const recipe = resolveRecipe({ kind: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2' } as EncoderSettings).recipe;
const input = (rows: DataRow[], missing: Int32Array) => ({
  key: 'k',
  recipe,
  batchSize: 4,
  format: 'f32' as const,
  backend: 'wasm',
  rows,
  missing,
});
const runDeps = (deps: ReturnType<typeof fakeClient>['deps'], seen: EmbedProgress[] = []) => ({
  ...deps,
  progress: (p: EmbedProgress) => seen.push(p),
  running: () => {},
  isCancel: (e: unknown) => e instanceof Error && e.message === 'cancelled',
});

describe('vectors', () => {
  it('finds the missing rows, embeds only them shortest first, and gathers every row in order', async () => {
    const c = fakeClient();
    const rows = ['a long text', 'b', 'mid text'].map(row);
    c.stored.set(rows[1].hash, [9, 9]);
    const { dim, missing } = await missingVectors(c.deps, 'k', rows);
    expect([dim, [...missing]]).toEqual([DIM, [0, 2]]);
    const seen: EmbedProgress[] = [];
    const rates = await embedMissing(input(rows, missing), runDeps(c.deps, seen));
    const embed = c.sent.find((m) => m.type === 'embed');
    expect(embed?.type === 'embed' && embed.texts).toEqual(['mid text', 'a long text']);
    expect(rates).toMatchObject({ backend: 'wasm', paddingWaste: 1 });
    expect(seen[0]).toMatchObject({ stage: 'embed', done: 0, total: 2 });
    expect([...(await gatherVectors(c.deps, 'k', DIM, rows))]).toEqual([11, 1, 9, 9, 8, 1]);
  });

  it('a gather with a vector gone says so instead of returning zeros', async () => {
    const c = fakeClient();
    await expect(gatherVectors(c.deps, 'k', DIM, [row('never stored')])).rejects.toThrow(/no longer in this browser's storage/);
  });

  it('a failure after a stored chunk names the texts kept; a cancel passes through unchanged', async () => {
    const rows = Array.from({ length: VECTOR_CHUNK + 1 }, (_, i) => row(`text ${i}`));
    const all = Int32Array.from(rows, (_, i) => i);
    const c = fakeClient(2);
    await expect(embedMissing(input(rows, all), runDeps(c.deps))).rejects.toThrow(
      `The disk is full. The ${VECTOR_CHUNK.toLocaleString('en-US')} texts embedded before this are stored`,
    );
    expect(c.stored.size).toBe(VECTOR_CHUNK);
    let cancelled = false;
    const check = () => {
      if (cancelled) throw new Error('cancelled');
    };
    const d = fakeClient();
    const deps = { ...runDeps(d.deps), check, progress: () => (cancelled = true) };
    await expect(embedMissing(input(rows, all), deps)).rejects.toThrow(/^cancelled$/);
  });

  it('keys vectors by the dtype the device runs: auto is q8 on wasm, fp32 on webgpu', () => {
    const s = { kind: 'transformers', modelId: 'Xenova/all-MiniLM-L6-v2', device: 'auto', dtype: 'auto' } as EncoderSettings;
    expect(encoderFor(s, false)).toMatchObject({ device: 'wasm', dtype: 'q8' });
    expect(encoderFor(s, true)).toMatchObject({ device: 'webgpu', dtype: 'fp32' });
    expect(encoderFor({ ...s, device: 'wasm' }, true).key).toContain('|q8|');
  });
});
