// Issue 12: a repeat group never holds more answers than the repeats asked
// for, and prose answered to a JSON-schema request is no label (and is asked
// again once the schema is no longer sent).
import { describe, expect, it } from 'vitest';
import { labelsFromResponses } from './labels';
import { runTeacher } from './queue';
import { answer, harness, makeJob } from './queue.fixture';
import type { TeacherResponse } from './types';

const perText = (store: Map<string, TeacherResponse>) => {
  const out = new Map<string, number[]>();
  for (const r of store.values()) out.set(r.textHash, [...(out.get(r.textHash) ?? []), r.repeat].sort());
  return out;
};

describe('surplus answers', () => {
  it('a server that returns more choices than n asked for stores only the repeats asked', async () => {
    const { h, deps } = harness(async (req) => {
      const a = answer(req);
      return { ...a, choices: [...a.choices, ...a.choices, ...a.choices] }; // three times too many
    });
    const summary = await runTeacher(makeJob(6, { repeats: 3 }), deps).done;
    expect(summary).toMatchObject({ state: 'done', done: 18, total: 18 });
    for (const repeats of perText(h.store).values()) expect(repeats).toEqual([0, 1, 2]);
  });

  it('a re-sent request after a reload overwrites its answer instead of adding one', async () => {
    const { h, deps } = harness();
    const job = makeJob(4, { repeats: 3 });
    await runTeacher(job, deps).done;
    // The reload: an in-flight request's answer had landed anyway; the next run asks again for one repeat group.
    const lost = [...h.store.values()].filter((r) => r.textHash === 'h1' && r.repeat > 0);
    for (const r of lost) h.store.delete(r.key);
    await runTeacher(job, deps).done;
    for (const r of lost) h.store.set(`${r.key}|stale-copy`, { ...r, key: `${r.key}|stale-copy` }); // a surplus record under another key
    expect(perText(h.store).get('h1')).toEqual([0, 1, 1, 2, 2]);
    // Counted answers stay at the repeats asked for, whatever the store holds.
    const labels = labelsFromResponses(job.items, h.store.values(), 3);
    for (const l of labels) expect(l.n).toBe(3);
    expect(labelsFromResponses(job.items, [{ ...lost[0], repeat: 5 }], 3)[1].n).toBe(0);
  });
});

describe('prose to a schema request', () => {
  it('is invalid, and asked again once Structured output is off', async () => {
    const prose = 'The text is definitely not positive.';
    const { h, deps } = harness(async (req) => ({
      choices: Array.from({ length: req.n ?? 1 }, () => ({ content: prose, refusal: null })),
      usage: { prompt: 10, completion: 5 },
    }));
    const first = await runTeacher(makeJob(3, { repeats: 1 }), deps).done;
    expect(first).toMatchObject({ done: 3, invalid: 3 });
    expect([...h.store.values()].map((r) => [r.label, r.valid, r.invalidReason, r.raw])).toEqual(
      Array(3).fill([null, false, 'not-json', prose]),
    );
    // Same setup with the schema still asked: nothing is sent again.
    const again = await runTeacher(makeJob(3, { repeats: 1 }), deps).done;
    expect(again).toMatchObject({ sent: 0, cached: 3 });
    // Without the schema: asked again, and a bare label now counts (a negation still would not).
    h.behaviour = async (req) => answer(req);
    const off = await runTeacher(makeJob(3, { repeats: 1, structured: 'off' }), deps).done;
    expect(off).toMatchObject({ sent: 3, cached: 0, invalid: 0 });
    expect([...h.store.values()].every((r) => r.valid)).toBe(true);
  });
});
