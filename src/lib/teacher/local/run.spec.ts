// The in-browser run with a fake scorer and an in-memory store: answers are
// stored with probabilities under the endpoint "local:<model>@<revision>",
// a second run scores only what is missing, pause/cancel act between batches.
import { describe, expect, it } from 'vitest';
import { parseCacheKey } from '../cache-key';
import { DEFAULT_TEACHER_SETTINGS, type TeacherResponse } from '../types';
import type { TeacherJob } from '../tasks';
import type { TeacherProgress } from '../queue';
import { localLabels } from './labels';
import { localEndpoint, localModelName } from './presets';
import { runLocalTeacher, SENT_NOWHERE, type LocalRunDeps } from './run';
import type { LabelScores } from './score';

const endpoint = localEndpoint('org/tiny', 'v2');
const model = localModelName('org/tiny', 'q4f16');

function job(n: number): TeacherJob {
  return {
    items: Array.from({ length: n }, (_, i) => ({ rowId: `r${i}`, text: i % 2 ? `awful ${i}` : `great ${i}`, textHash: `h${i}` })),
    codebook: { labels: [{ name: 'positive' }, { name: 'negative' }] },
    codebookHash: 'cb1',
    settings: { ...DEFAULT_TEACHER_SETTINGS, baseURL: endpoint, model, repeats: 1 },
    prompt: { system: 'sys', template: 'v1', user: (t) => `<${t}>` },
    projectId: 'p1',
  };
}

function fakeDeps(o: { onScore?: (users: string[]) => void | Promise<void> } = {}) {
  const db = new Map<string, TeacherResponse>();
  const scored: string[][] = [];
  const progress: TeacherProgress[] = [];
  const log: { endpoint: string; rowId: string }[] = [];
  const deps: LocalRunDeps = {
    score: async (users) => {
      scored.push(users);
      await o.onScore?.(users);
      return users.map((u): LabelScores => {
        const pos = u.includes('great') ? 0.9 : 0.2;
        return { probs: [pos, 1 - pos], logprobs: [Math.log(pos), Math.log(1 - pos)], tokens: 10 };
      });
    },
    getCached: async (keys) => new Map(keys.filter((k) => db.has(k)).map((k) => [k, db.get(k)!])),
    put: async (rs) => rs.forEach((r) => db.set(r.key, r)),
    onProgress: (p) => progress.push(p),
    onLog: (e) => log.push(e),
    batchSize: 2,
    now: () => 1000,
  };
  return { db, scored, progress, log, deps };
}

describe('runLocalTeacher', () => {
  it('stores one answer per text with every label probability, under the local endpoint', async () => {
    const { db, scored, log, deps } = fakeDeps();
    const s = await runLocalTeacher(job(5), deps).done;
    expect(s.state).toBe('done');
    expect([s.done, s.total, s.cached, s.tokensIn, s.cost]).toEqual([5, 5, 0, 50, 0]);
    expect(scored.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(scored[0]).toEqual(['<great 0>', '<awful 1>']);
    const r = [...db.values()].find((x) => x.textHash === 'h1')!;
    expect(r).toMatchObject({
      endpoint,
      model,
      repeat: 0,
      temperature: null,
      label: 'negative',
      valid: true,
      raw: '{"label": "negative"}',
      projectId: 'p1',
    });
    expect((r as { probs?: Record<string, number> }).probs).toEqual({ positive: 0.2, negative: 0.8 });
    expect(parseCacheKey(r.key)).toMatchObject({ endpoint, model, repeat: 0, temperature: null, textHash: 'h1' });
    expect(log).toHaveLength(5);
    expect(log.every((e) => e.endpoint === SENT_NOWHERE)).toBe(true);
  });

  it('scores only what is not stored yet (a reload mid-run)', async () => {
    const first = fakeDeps({ onScore: () => undefined });
    let calls = 0;
    const c = runLocalTeacher(job(6), {
      ...first.deps,
      score: async (u) => (++calls === 2 ? (c.cancel(), first.deps.score(u)) : first.deps.score(u)),
    });
    const s1 = await c.done;
    expect(s1.state).toBe('cancelled');
    expect(first.db.size).toBe(4);
    const again = fakeDeps();
    for (const [k, v] of first.db) again.db.set(k, v);
    const s2 = await runLocalTeacher(job(6), again.deps).done;
    expect([s2.cached, s2.done, s2.state]).toEqual([4, 6, 'done']);
    expect(again.scored.flat()).toEqual(['<great 4>', '<awful 5>']);
  });

  it('pauses between batches and resumes', async () => {
    const { scored, deps } = fakeDeps();
    let release = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const c = runLocalTeacher(job(6), { ...deps, score: async (u) => (scored.length === 0 ? (c.pause(), deps.score(u)) : deps.score(u)) });
    await new Promise((r) => setTimeout(r, 20));
    expect(scored).toHaveLength(1);
    setTimeout(() => (c.resume(), release()), 10);
    await gate;
    expect((await c.done).done).toBe(6);
  });

  it('stops with a plain message when the model fails, keeping earlier batches', async () => {
    const { db, deps } = fakeDeps();
    let n = 0;
    const s = await runLocalTeacher(job(6), {
      ...deps,
      score: async (u) => (++n === 2 ? Promise.reject(new Error('out of GPU memory')) : deps.score(u)),
    }).done;
    expect(s.state).toBe('error');
    expect(s.error).toBe('The local model could not score a text: out of GPU memory');
    expect(db.size).toBe(2);
  });

  it('stops at a token budget', async () => {
    const { deps } = fakeDeps();
    const j = job(6);
    j.settings.budget = { maxTokens: 35 };
    const c = runLocalTeacher(j, deps);
    await new Promise((r) => setTimeout(r, 20));
    c.cancel();
    expect((await c.done).done).toBe(4);
  });
});

describe('localLabels', () => {
  it('takes the probability of the label as its confidence', () => {
    const items = [
      { rowId: 'a', textHash: 'h1' },
      { rowId: 'b', textHash: 'h2' },
    ];
    const r = {
      key: 'k',
      endpoint,
      model,
      codebookHash: 'c',
      template: 'v1',
      textHash: 'h1',
      repeat: 0,
      temperature: null,
      raw: '',
      label: 'negative',
      valid: true,
      usage: { prompt: 1, completion: 0 },
      at: 1,
      probs: { positive: 0.3, negative: 0.7 },
    } as TeacherResponse;
    const [a, b] = localLabels(items, [r]);
    expect(a).toMatchObject({ rowId: 'a', label: 'negative', n: 1, votes: { negative: 1 }, tie: false, probability: 0.7 });
    expect(a.consistency).toBeCloseTo(0.7, 12);
    expect(b).toMatchObject({ rowId: 'b', label: null, n: 0 });
  });
});
