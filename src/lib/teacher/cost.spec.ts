import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer';
import {
  batchPrice,
  billedOutput,
  costOf,
  countTextTokens,
  DEFAULT_PRICES,
  estimateRun,
  estimateSampledRun,
  estimateTokens,
  EXACT_CHARS,
  FREE,
  isLocalEndpoint,
  priceFor,
  priceInfo,
  samplePlan,
  SAMPLE_CHARS,
  usageCost,
} from './cost';
import { planRequests } from './plan';

describe('estimateTokens', () => {
  it('counts tokens with the o200k tokenizer, special-token text included', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('Hello, world!')).toBe(4);
    expect(estimateTokens('a <|endoftext|> b')).toBeGreaterThan(3);
  });
});

describe('long texts', () => {
  const exact = (s: string) => countTokens(s, { disallowedSpecial: new Set() });

  it('counts in pieces, within a token or two per piece of the tokenizer on the whole text', () => {
    const prose = 'The quick brown fox jumps over the lazy dog, again; it never tires. '.repeat(200);
    const run = 'x'.repeat(12_000);
    const cjk = '日本語のテキストを数えます。'.repeat(500);
    for (const t of [prose, run, cjk]) {
      const c = countTextTokens(t);
      expect(c.approximate).toBe(false);
      expect(Math.abs(c.tokens - exact(t))).toBeLessThanOrEqual(Math.ceil(t.length / 256) * 2);
    }
  });

  it('counts a 10 MB text on windows, scaled and marked approximate', () => {
    const big = 'a'.repeat(10_000_000);
    const c = countTextTokens(big);
    expect(c.approximate).toBe(true);
    // A run of "a" is 8 characters a token.
    expect(c.tokens / 1_250_000).toBeCloseTo(1, 1);
    const words = 'The quick brown fox jumps over the lazy dog. '.repeat(200_000);
    expect(countTextTokens(words).tokens / ((words.length / 45) * 10)).toBeCloseTo(1, 1);
  });

  it('plans a sample whose counted characters stay within the budget, however long the texts', () => {
    expect(samplePlan([10, 20, 30])).toEqual([0, 1, 2]);
    const huge = Array.from({ length: 1000 }, () => 10_000_000);
    const picked = samplePlan(huge);
    expect(picked.length * EXACT_CHARS).toBeLessThanOrEqual(SAMPLE_CHARS + EXACT_CHARS);
    expect(samplePlan(Array.from({ length: 100_000 }, () => 100)).length).toBeLessThanOrEqual(2000);
  });

  it('extrapolates a sample by characters, and is exact on the whole population', async () => {
    const o = { systemPrompt: 'Label it.', repeats: 1, useN: false, maxOutputTokens: 5, price: null };
    const texts = ['one two three', 'four five six seven', 'eight'];
    const whole = await estimateSampledRun({ ...o, sample: texts, count: 3, chars: texts.join('').length });
    expect(whole).toEqual({ ...estimateRun({ ...o, userPrompts: texts }), approximate: false });
    const part = await estimateSampledRun({ ...o, sample: ['a'.repeat(800)], count: 10, chars: 8000 });
    expect(part.approximate).toBe(true);
    expect(part.inputTokens).toBe((estimateTokens('Label it.') + 9) * 10 + 1000);
  });
});

describe('prices', () => {
  it('prices exact names and dated snapshots of listed models, and nothing else', () => {
    expect(priceFor('gpt-4o-mini-2024-07-18')).toEqual(DEFAULT_PRICES['gpt-4o-mini']);
    expect(priceFor('gpt-5-mini-2025-08-07')).toEqual({ inputPerM: 0.25, outputPerM: 2, cachedInputPerM: 0.025 });
    // A snapshot with its own price is not its alias's.
    expect(priceFor('gpt-4o-2024-05-13')).toEqual({ inputPerM: 5, outputPerM: 15 });
    expect(priceFor('gpt-4o-2024-08-06')).toEqual(DEFAULT_PRICES['gpt-4o']);
    // No prefix guessing: a variant is not its family.
    expect(priceFor('gpt-4o-audio-preview')).toBeNull();
    expect(priceFor('gpt-4o-mini-search-preview')).toBeNull();
    expect(priceFor('llama3.1:8b')).toBeNull();
    expect(costOf(1_000_000, 1_000_000, { inputPerM: 1, outputPerM: 2 })).toBe(3);
  });

  it('covers the reasoning models people pick', () => {
    for (const m of [
      'o3',
      'o4-mini',
      'o3-2025-04-16',
      'o4-mini-2025-04-16',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5-nano',
      'gpt-5.1',
      'gpt-5.2',
      'gpt-4.1-nano',
    ]) {
      expect(priceFor(m), m).not.toBeNull();
      expect(priceFor(m)!.outputPerM, m).toBeGreaterThan(0);
    }
  });

  it('says where a price comes from: the user, the list, a local server (free), or unknown', () => {
    expect(priceInfo('https://api.openai.com/v1', 'gpt-5-mini')).toMatchObject({ source: 'list', price: DEFAULT_PRICES['gpt-5-mini'] });
    expect(priceInfo('https://api.openai.com/v1', 'gpt-9-turbo')).toEqual({ price: null, source: 'unknown' });
    expect(priceInfo('https://openrouter.ai/api/v1', 'meta-llama/llama-3.1-8b')).toEqual({ price: null, source: 'unknown' });
    expect(priceInfo('http://localhost:11434/v1', 'llama3.1:8b')).toEqual({ price: FREE, source: 'local' });
    const mine = { inputPerM: 1, outputPerM: 1 };
    expect(priceInfo('https://api.openai.com/v1', 'gpt-5-mini', { 'gpt-5-mini': mine })).toEqual({ price: mine, source: 'user' });
    expect(
      ['http://127.0.0.1:8080/v1', 'http://192.168.1.20:8000/v1', 'http://[::1]:1234/v1', 'http://box.local/v1'].every(isLocalEndpoint),
    ).toBe(true);
    expect(['https://api.openai.com/v1', 'http://8.8.8.8/v1', 'not a url'].some(isLocalEndpoint)).toBe(false);
  });

  it('bills cached prompt tokens at the cached price and reasoning as output', () => {
    const price = { inputPerM: 1, outputPerM: 10, cachedInputPerM: 0.1 };
    // 1,000 prompt tokens of which 800 cached; 500 completion of which 450 reasoning (inside completion, as OpenAI counts).
    expect(usageCost({ prompt: 1000, completion: 500, cachedPrompt: 800, reasoning: 450 }, price)).toBeCloseTo(
      (200 * 1 + 800 * 0.1 + 500 * 10) / 1e6,
    );
    // A server that reports reasoning apart from completion: both are billed.
    expect(billedOutput({ prompt: 0, completion: 5, reasoning: 200 })).toBe(205);
    expect(billedOutput({ prompt: 0, completion: 205, reasoning: 200 })).toBe(205);
    // No cached price: cached tokens at the input price.
    expect(usageCost({ prompt: 1000, completion: 0, cachedPrompt: 1000 }, { inputPerM: 2, outputPerM: 0 })).toBeCloseTo(0.002);
    expect(batchPrice(price)).toEqual({ inputPerM: 0.5, outputPerM: 5, cachedInputPerM: 0.05 });
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
    expect(e.cost).toBeCloseTo(full.cost! / 2);
    expect(full.batchCost).toBeCloseTo(full.cost! / 2);
  });

  it('counts tokens but gives no cost when the price is unknown', () => {
    const e = estimateRun({ ...base, useN: false, price: null });
    expect(e.inputTokens).toBeGreaterThan(0);
    expect(e).toMatchObject({ cost: null, batchCost: null });
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
    expect(planRequests({ ...o, temperatureAllowed: false, repeats: 2, useN: true })).toEqual([
      { firstRepeat: 0, n: 2, temperature: null },
    ]);
  });
});
