import { describe, expect, it } from 'vitest';
import { costOf, DEFAULT_PRICES, estimateRun, estimateTokens, priceFor } from './cost';
import { planRequests } from './plan';

describe('estimateTokens', () => {
  it('counts tokens with the o200k tokenizer, special-token text included', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('Hello, world!')).toBe(4);
    expect(estimateTokens('a <|endoftext|> b')).toBeGreaterThan(3);
  });
});

describe('prices', () => {
  it('finds dated model names by prefix and treats unknown models as free', () => {
    expect(priceFor('gpt-4o-mini-2024-07-18')).toEqual(DEFAULT_PRICES['gpt-4o-mini']);
    expect(priceFor('llama3.1:8b')).toEqual({ inputPerM: 0, outputPerM: 0 });
    expect(costOf(1_000_000, 1_000_000, { inputPerM: 1, outputPerM: 2 })).toBe(3);
  });
});

describe('estimateRun', () => {
  const base = {
    systemPrompt: 'You label tweets.',
    userPrompts: ['one text', 'another text'],
    repeats: 3,
    maxOutputTokens: 10,
    price: { inputPerM: 1, outputPerM: 2 },
  };

  it('bills the prompt once per call: repeats calls without n, fewer with n', () => {
    const separate = estimateRun({ ...base, useN: false });
    const withN = estimateRun({ ...base, useN: true });
    expect(separate.calls).toBe(6);
    expect(withN.calls).toBe(2);
    expect(separate.inputTokens).toBe(withN.inputTokens * 3);
    expect(separate.outputTokens).toBe(withN.outputTokens);
    expect(separate.outputTokens).toBe(2 * 3 * 10);
    expect(withN.cost).toBeCloseTo((withN.inputTokens * 1 + withN.outputTokens * 2) / 1e6);
  });

  it('uses the plan length with n when repeat 0 runs at another temperature, and applies a discount', () => {
    const plan = planRequests({ repeats: 3, useN: true, temperature: 0, repeatTemperature: 0.7, temperatureAllowed: true });
    const e = estimateRun({ ...base, useN: true, requestsPerText: plan.length, discount: 0.5 });
    expect(e.calls).toBe(4);
    const full = estimateRun({ ...base, useN: true, requestsPerText: plan.length });
    expect(e.cost).toBeCloseTo(full.cost / 2);
  });
});

describe('planRequests', () => {
  const o = { temperature: 0, repeatTemperature: 0.7, temperatureAllowed: true };
  it('keeps each repeat at its own temperature on both paths', () => {
    expect(planRequests({ ...o, repeats: 3, useN: false })).toEqual([
      { firstRepeat: 0, n: 1, temperature: 0 },
      { firstRepeat: 1, n: 1, temperature: 0.7 },
      { firstRepeat: 2, n: 1, temperature: 0.7 },
    ]);
    expect(planRequests({ ...o, repeats: 3, useN: true })).toEqual([
      { firstRepeat: 0, n: 1, temperature: 0 },
      { firstRepeat: 1, n: 2, temperature: 0.7 },
    ]);
    expect(planRequests({ ...o, temperature: 0.7, repeats: 3, useN: true })).toEqual([{ firstRepeat: 0, n: 3, temperature: 0.7 }]);
    expect(planRequests({ ...o, temperatureAllowed: false, repeats: 2, useN: true })).toEqual([{ firstRepeat: 0, n: 2, temperature: null }]);
  });
});
