// The run at the provider's speed, on a virtual clock: which request waited
// for what. (How fast against the mock server is the bench's business.)
import { describe, expect, it } from 'vitest';
import { runTeacher } from './queue';
import { makeJob } from './queue.fixture';
import { simDeps, simServer, virtualClock } from './sim.fixture';
import { TeacherRequestError } from './types';

const one = { batchRepeats: 'off' as const, repeats: 1 };

/** Most requests started within any `windowMs`. */
function peak(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('runTeacher: per-request back-off and adaptive concurrency', () => {
  it('a sporadic 429 delays only the request that got it, and halves the concurrency until successes grow it back', async () => {
    const clock = virtualClock();
    const { sim, send } = simServer(clock, { latencyMs: 100, reject429: (call) => (call === 1 ? 3 : null) });
    const { store, progress, deps } = simDeps(clock, send);
    const s = await clock.run(runTeacher(makeJob(12, { ...one, concurrency: 4 }), deps).done);
    expect(s).toMatchObject({ state: 'done', done: 12, failed: 0 });
    const first = sim.calls[0];
    const retry = sim.calls.slice(1).find((c) => c.text === first.text)!;
    expect(retry.at - first.at).toBeGreaterThanOrEqual(3000);
    // Everything else was answered long before the Retry-After was over.
    const others = [...store.values()].filter((r) => r.textHash !== 'h0');
    expect(others).toHaveLength(11);
    for (const r of others) expect(r.at).toBeLessThan(1000);
    const conc = progress.map((p) => p.concurrency);
    expect(Math.min(...conc)).toBe(2);
    expect(conc.at(-1)).toBe(4);
  });

  it('a network failure keeps its place: a dead connection does not run the queue through', async () => {
    const clock = virtualClock();
    const { send } = simServer(clock, { latencyMs: 100 });
    const texts: string[] = [];
    // The connection is down for the first 3 s: every request fails at once.
    const flaky: typeof send = async (req, signal) => {
      texts.push(/<text>\n([\s\S]*)\n<\/text>/.exec(req.messages[1].content)![1]);
      if (clock.now() < 3000) throw new TeacherRequestError('Could not reach the server.', 'network');
      return send(req, signal);
    };
    const { deps } = simDeps(clock, flaky);
    const s = await clock.run(runTeacher(makeJob(20, { ...one, concurrency: 2, maxRetries: 10 }), deps).done);
    expect(s).toMatchObject({ state: 'done', done: 20, failed: 0 });
    // While it was down only the first two texts were tried (again and again), not the other 18.
    const whileDown = texts.slice(0, texts.indexOf('text 2 is bad'));
    expect(new Set(whileDown)).toEqual(new Set(['text 0 is good', 'text 1 is bad']));
    expect(whileDown.length).toBeGreaterThan(2);
  });

  it('a burst of 429s pauses every request, also ones not yet sent', async () => {
    const clock = virtualClock();
    // A shared limit: everything sent in the first 50 ms is turned down, Retry-After 2 s.
    const { sim, send } = simServer(clock, { latencyMs: 100, reject429: (_call, at) => (at < 50 ? 2 : null) });
    const { progress, deps } = simDeps(clock, send);
    const s = await clock.run(runTeacher(makeJob(12, { ...one, concurrency: 8 }), deps).done);
    expect(s).toMatchObject({ state: 'done', done: 12, failed: 0 });
    expect(sim.calls.slice(0, 8).every((c) => c.status === 429)).toBe(true);
    // The burst was noticed at t = 100 ms: nothing at all went out until its 2 s were over.
    expect(sim.calls.slice(8).every((c) => c.at >= 2100)).toBe(true);
    expect(progress.some((p) => /turned down \d+ requests within a second/.test(p.pacing ?? ''))).toBe(true);
  });

  it('paces to x-ratelimit headers: the whole allowance is used and no request is turned down', async () => {
    const clock = virtualClock();
    const { sim, send } = simServer(clock, { latencyMs: 50, bucket: { limit: 10, perSec: 10 }, headers: true });
    const { progress, deps } = simDeps(clock, send);
    const s = await clock.run(runTeacher(makeJob(60, { ...one, concurrency: 8 }), deps).done);
    expect(s).toMatchObject({ state: 'done', done: 60, failed: 0 });
    expect(sim.calls.filter((c) => c.status === 429)).toHaveLength(0);
    expect(sim.calls).toHaveLength(60);
    // Never more in a second than the bucket holds plus what it refills.
    expect(
      peak(
        sim.calls.map((c) => c.at),
        1000,
      ),
    ).toBeLessThanOrEqual(20);
    expect(progress.some((p) => /request limit is used up/.test(p.pacing ?? ''))).toBe(true);
  });

  it('without readable headers the same limit still gets every text labelled, through back-off', async () => {
    const clock = virtualClock();
    const { sim, send } = simServer(clock, { latencyMs: 50, bucket: { limit: 10, perSec: 10 }, headers: false });
    const { deps } = simDeps(clock, send);
    const s = await clock.run(runTeacher(makeJob(40, { ...one, concurrency: 8, maxRetries: 20 }), deps).done);
    expect(s).toMatchObject({ state: 'done', done: 40, failed: 0 });
    expect(sim.calls.filter((c) => c.status === 429).length).toBeGreaterThan(0);
  });

  it('paces to the user’s requests per minute when the server sends nothing', async () => {
    const clock = virtualClock();
    const { sim, send } = simServer(clock, { latencyMs: 10 });
    const { progress, deps } = simDeps(clock, send);
    const s = await clock.run(runTeacher(makeJob(30, { ...one, concurrency: 8, rpm: 600 }), deps).done);
    expect(s).toMatchObject({ state: 'done', done: 30 });
    const times = sim.calls.map((c) => c.at);
    expect(peak(times, 1000)).toBeLessThanOrEqual(11);
    expect(times.at(-1)!).toBeGreaterThanOrEqual(2800);
    expect(progress.at(-1)!.requestsPerMin).toBeGreaterThan(0);
    expect(progress.some((p) => p.pacing === 'Paced to your limit of 600 requests per minute.')).toBe(true);
  });
});
