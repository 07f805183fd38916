import { describe, expect, it } from 'vitest';
import { RunControls } from './run-controls';
import { etaMs, pace } from '../ui/eta';

const tick = () => new Promise((r) => setTimeout(r, 0));

function controls(spent = { tokens: 0 }) {
  const states: (string | null)[] = [];
  let aborted = 0;
  const ctl = new RunControls(
    { maxTokens: 10 },
    {
      over: (b) => b.maxTokens !== undefined && spent.tokens >= b.maxTokens,
      emit: () => states.push(ctl.state(undefined, false)),
      abort: () => void aborted++,
    },
  );
  return { ctl, verbs: ctl.verbs(), states, spent, aborted: () => aborted };
}

describe('RunControls', () => {
  it('holds the gate while paused and opens it on resume', async () => {
    const { ctl, verbs, states } = controls();
    verbs.pause();
    let passed: boolean | null = null;
    void ctl.gate().then((ok) => (passed = ok));
    await tick();
    expect(passed).toBeNull();
    verbs.resume();
    await tick();
    expect(passed).toBe(true);
    expect(states).toEqual(['paused', null]);
  });

  it('stops at the budget and goes on when it is raised', async () => {
    const { ctl, verbs, spent } = controls({ tokens: 12 });
    let passed: boolean | null = null;
    void ctl.gate().then((ok) => (passed = ok));
    await tick();
    expect([passed, ctl.state(undefined, false)]).toEqual([null, 'budget']);
    verbs.setBudget({ maxTokens: 20 });
    await tick();
    expect(passed).toBe(true);
    spent.tokens = 25;
    expect(await Promise.race([ctl.gate(), tick().then(() => 'waiting')])).toBe('waiting');
  });

  it('cancel aborts once, wakes every waiter with false and outranks the other states', async () => {
    const { ctl, verbs, aborted } = controls();
    verbs.pause();
    const waiting = [ctl.gate(), ctl.gate()];
    verbs.cancel();
    verbs.cancel();
    expect(await Promise.all(waiting)).toEqual([false, false]);
    expect(aborted()).toBe(1);
    expect(ctl.state(undefined, true)).toBe('cancelled');
    expect(ctl.state('boom', true)).toBe('error');
  });
});

describe('pace and etaMs', () => {
  it('rate per minute and time left at that rate', () => {
    expect(pace(30, 0, 60_000, 60)).toEqual({ ratePerMin: 30, etaMs: 120_000 });
    expect(pace(0, 0, 0, 5)).toEqual({ ratePerMin: 0, etaMs: null });
    expect(etaMs(0, 25, 100, 1000)).toBe(3000);
    expect(etaMs(0, 100, 100, 1000)).toBe(0);
  });
});
