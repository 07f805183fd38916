// Issue 18: the teacher works with the models people pick today. Against the
// mock LLM in its reasoning-model, no-quota and llama.cpp modes, through the
// UI: labels arrive from a reasoning model (after a cap too small for its
// reasoning was raised), an account without quota stops the run after one
// request, repeats work on a server that refuses `n`, and a server that hides
// its wait headers from the page is still retried.
import { test, expect, type Page } from '@playwright/test';
import { PROBE_SYSTEM } from '../../src/lib/teacher/profile';
import { runToEnd, setNumber, chatCalls, mockConfig, mockReset, setupProject, SENTIMENT_RULES, type MockLogEntry } from './helpers';

const RULES = SENTIMENT_RULES;

interface ChatBody {
  messages: { role: string; content: string }[];
  temperature?: number;
  n?: number;
  max_tokens?: number;
  max_completion_tokens?: number;
  reasoning_effort?: string;
}
const bodyOf = (e: MockLogEntry) => e.body as ChatBody;
const isProbe = (e: MockLogEntry) => bodyOf(e).messages[0]?.content === PROBE_SYSTEM;
const labelCalls = async () => (await chatCalls()).filter((e) => !isProbe(e));

async function setup(page: Page): Promise<void> {
  const n = await setupProject(page, { apiKey: 'sk-test' });
  await page.locator('[data-step="teacher"]').click();
  await page.getByLabel('Label all texts').check();
  await expect(page.getByTestId('estimate')).toContainText(`${n} texts`);
}

test.beforeEach(async () => {
  await mockReset();
});

test('a reasoning model: empty answers at a small cap are not labels, and a raised cap asks again and labels', async ({ page }) => {
  await mockConfig({ models: ['mock-model'], rules: RULES, reasoning: true });
  await setup(page);
  // A cap too small for the model's reasoning (96 tokens at medium effort, 48 at low).
  await setNumber(page, 'Reasoning max tokens', 32);
  await runToEnd(page);
  await expect(page.getByTestId('model-profile')).toContainText('reasoning model (reasoning_effort accepted)');
  await expect(page.getByTestId('model-profile')).toContainText('default temperature only');
  await expect(page.getByTestId('teacher-done')).toHaveText('174 / 174');
  await expect(page.getByTestId('teacher-failed')).toHaveText('174');
  await expect(page.getByTestId('teacher-reasoning')).toHaveText((174 * 32).toLocaleString('en'));
  await expect(page.getByTestId('failures')).toContainText('came back empty at the 32-token cap (32 of them on hidden reasoning)');
  await expect(page.getByTestId('estimate-failures')).toContainText('174 answers came back empty or cut off at the 32-token cap');
  await expect(page.locator('[data-step="teacher"]')).not.toContainText('texts labeled');
  const first = (await labelCalls()).length;
  expect(first).toBe(174); // no n: one request per answer

  // The same cap again: nothing is sent.
  await runToEnd(page);
  await expect(page.getByTestId('teacher-sent')).toHaveText('0');
  expect((await labelCalls()).length).toBe(first);

  // Room to reason: every answer is asked again and arrives.
  await setNumber(page, 'Reasoning max tokens', 4096);
  await expect(page.getByTestId('estimate-calls')).toContainText('174 requests to send');
  await runToEnd(page);
  await expect(page.getByTestId('teacher-failed')).toHaveText('0');
  await expect(page.getByTestId('teacher-sent')).toHaveText('174');
  await expect(page.getByTestId('teacher-reasoning')).toHaveText((174 * 48).toLocaleString('en'));
  await expect(page.locator('[data-step="teacher"]')).toContainText('58 texts labeled');
  await expect(page.getByTestId('consistency-dist')).toContainText('all 3 (unanimous)');

  const calls = await labelCalls();
  for (const c of calls) {
    const b = bodyOf(c);
    expect(b.temperature).toBeUndefined();
    expect(b.n).toBeUndefined();
    expect(b.max_tokens).toBeUndefined();
    expect(b.reasoning_effort).toBe('low');
  }
  expect(calls.slice(first).every((c) => bodyOf(c).max_completion_tokens === 4096)).toBe(true);
  // The probe learned it all up front: no labelling request was rejected.
  expect((await chatCalls()).filter(isProbe).length).toBeLessThanOrEqual(6);
});

test('an account without quota: the run stops with a plain message after one request, and nothing is retried', async ({ page }) => {
  await mockConfig({ models: ['mock-model'], rules: RULES, quota: true });
  await setup(page);
  await runToEnd(page, 'Stopped by an error');
  await expect(page.getByRole('alert')).toContainText('no quota left or reached its billing limit');
  await expect(page.getByRole('alert')).toContainText('exceeded your current quota');
  expect(await chatCalls()).toHaveLength(1);

  // Once the model is known (no probe), the first labelling request stops the run just the same.
  await mockConfig({ models: ['mock-model'], rules: RULES });
  await page.getByRole('button', { name: 'Check model' }).click();
  await expect(page.getByTestId('probe-message')).toContainText('Checked mock-model');
  await mockConfig({ models: ['mock-model'], rules: RULES, quota: true });
  await setNumber(page, 'Concurrency', 1);
  const before = (await chatCalls()).length;
  await runToEnd(page, 'Stopped by an error');
  await expect(page.getByRole('alert')).toContainText('The run stopped: the account behind this API key has no quota left');
  expect((await chatCalls()).length - before).toBe(1);
  await expect(page.getByTestId('teacher-sent')).toHaveText('1');
});

test('llama.cpp with one slot: repeats work without n, even when n is forced on', async ({ page }) => {
  await mockConfig({ models: ['mock-model'], rules: RULES, slots: 1 });
  await setup(page);
  await page.getByLabel('Use n').selectOption('on');
  await runToEnd(page);
  await expect(page.getByTestId('teacher-done')).toHaveText('174 / 174');
  await expect(page.getByTestId('teacher-failed')).toHaveText('0');
  await expect(page.locator('[data-step="teacher"]')).toContainText('58 texts labeled');
  await expect(page.getByTestId('model-profile')).toContainText('one answer per request (no n)');
  const calls = await labelCalls();
  const withN = calls.filter((c) => (bodyOf(c).n ?? 1) > 1);
  // Only requests already in flight with n when the first refusal came back.
  expect(withN.length).toBeGreaterThanOrEqual(1);
  expect(withN.length).toBeLessThanOrEqual(4);
  expect(calls.filter((c) => bodyOf(c).n === undefined)).toHaveLength(174);
});

test('a server that hides its wait headers from the page is still retried, by our own backoff', async ({ page }) => {
  await mockConfig({ models: ['mock-model'], rules: RULES });
  await setup(page);
  await page.getByRole('button', { name: 'Check model' }).click();
  await expect(page.getByTestId('probe-message')).toContainText('Checked mock-model');
  // Retry-After: 3 is sent but not exposed through CORS (the mock's default, like many servers).
  await mockConfig({ models: ['mock-model'], rules: RULES, faults: [{ kind: '429', retryAfter: 3 }] });
  await setNumber(page, 'Concurrency', 1);
  await runToEnd(page);
  await expect(page.getByTestId('teacher-failed')).toHaveText('0');
  const calls = await labelCalls();
  const key = (e: MockLogEntry) => JSON.stringify([bodyOf(e).messages[1].content, bodyOf(e).temperature, bodyOf(e).n]);
  const retry = calls.slice(1).find((c) => key(c) === key(calls[0]))!;
  expect(retry).toBeDefined();
  // Full jitter under 1 s for a first retry: the page could not see the 3 s the server asked for.
  expect(retry.at - calls[0].at).toBeLessThan(2500);
});

test('Cancel while the model is being checked sends no labelling request', async ({ page }) => {
  await mockConfig({ models: ['mock-model'], rules: RULES, latencyMs: 3000 });
  await setup(page);
  await page.getByRole('button', { name: 'Start labeling' }).click();
  // The probe is out (the mock answers after 3 s).
  await expect(page.getByRole('button', { name: 'Checking…' })).toBeDisabled();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.getByTestId('teacher-state')).toHaveText('Cancelled');
  await page.waitForTimeout(3500);
  expect(await labelCalls()).toHaveLength(0);
  await expect(page.getByRole('alert')).toHaveCount(0);
});
