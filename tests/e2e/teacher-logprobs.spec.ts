// Issue 13: one-call confidence. A server that returns logprobs gives every
// first answer a probability per label, stored with the answer exactly as the
// server gave it; Validate and Compare filter and sweep on "teacher
// probability ≥ t" beside "consistency ≥ t". A server that rejects logprobs
// is remembered per endpoint and model, and not asked again.
import { test, expect, type Page } from '@playwright/test';
import { mockLabelProbs } from '../mock-llm/chat.mjs';
import { PROBE_SYSTEM } from '../../src/lib/teacher/profile';
import { chatCalls, mockConfig, mockReset, setupProject, SENTIMENT_RULES, useTinyEncoder, type MockLogEntry } from './helpers';

const SHOTS = process.env.SHOTS_DIR ?? 'test-results/teacher-logprobs';
const LABELS = ['positive', 'negative'];
const SEED = 5;

interface ChatBody {
  messages: { role: string; content: string }[];
  temperature?: number;
  n?: number;
  logprobs?: boolean;
  top_logprobs?: number;
}
const bodyOf = (e: MockLogEntry) => e.body as ChatBody;
const isProbe = (e: MockLogEntry) => bodyOf(e).messages[0]?.content === PROBE_SYSTEM;
const labelCalls = async () => (await chatCalls()).filter((e) => !isProbe(e));
const probeCalls = async () => (await chatCalls()).filter(isProbe);

interface StoredAnswer {
  textHash: string;
  repeat: number;
  label: string | null;
  valid: boolean;
  probs?: Record<string, number>;
}

/** Every stored answer, with its text, straight from IndexedDB. */
async function storedAnswers(page: Page): Promise<(StoredAnswer & { text: string })[]> {
  const { responses, rows } = await page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((res, rej) => {
      const r = indexedDB.open('surrogate');
      r.onsuccess = () => res(r.result);
      r.onerror = () => rej(r.error);
    });
    const all = <T>(store: string) =>
      new Promise<T[]>((res, rej) => {
        const q = db.transaction(store).objectStore(store).getAll();
        q.onsuccess = () => res(q.result as T[]);
        q.onerror = () => rej(q.error);
      });
    // Rows are stored in chunks: { projectId, index, rows: [...] }.
    const chunks = await all<{ rows: { hash: string; text: string }[] }>('rows');
    const out = { responses: await all<StoredAnswer>('responses'), rows: chunks.flatMap((c) => c.rows) };
    db.close();
    return out;
  });
  const textOf = new Map(rows.map((r) => [r.hash, r.text]));
  return responses.map((r) => ({ ...r, text: textOf.get(r.textHash)! }));
}

async function toTeacher(page: Page, path = '/'): Promise<void> {
  await setupProject(page, { path, apiKey: 'sk-test' });
  await page.locator('[data-step="teacher"]').click();
  await page.getByLabel('Label all texts').check();
}

test.beforeEach(async () => {
  await mockReset();
});

test('label probabilities from logprobs are stored as the server gave them, and Validate and Compare filter on them', async ({ page }) => {
  test.setTimeout(420_000);
  await mockConfig({ models: ['mock-model'], rules: SENTIMENT_RULES, flip: 0.3, seed: SEED, logprobs: true });
  await toTeacher(page, '/?tfjs=wasm');
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await expect(page.getByTestId('teacher-state')).toHaveText('Done', { timeout: 90_000 });
  await expect(page.getByTestId('model-profile')).toContainText('label probabilities (logprobs)');

  await test.step('the first answer of each text asks for logprobs; the repeats do not', async () => {
    const probe = await probeCalls();
    expect(probe).toHaveLength(1);
    expect(bodyOf(probe[0])).toMatchObject({ logprobs: true, top_logprobs: 5 });
    const calls = await labelCalls();
    const first = calls.filter((c) => bodyOf(c).temperature === 0);
    expect(first).toHaveLength(58);
    for (const c of first) expect(bodyOf(c)).toMatchObject({ logprobs: true, top_logprobs: 5 });
    for (const c of calls.filter((c) => bodyOf(c).n === 2)) expect(bodyOf(c).logprobs).toBeUndefined();
  });

  await test.step('the stored probabilities are the mock’s, to 1e-6', async () => {
    const answers = await storedAnswers(page);
    const first = answers.filter((a) => a.repeat === 0 && a.valid);
    expect(first).toHaveLength(58);
    for (const a of first) {
      const want = mockLabelProbs({ seed: SEED }, a.text, LABELS, a.label!).probs;
      expect(Object.keys(a.probs!).sort()).toEqual([...LABELS].sort());
      for (const l of LABELS) expect(Math.abs(a.probs![l] - want[l])).toBeLessThan(1e-6);
    }
    // The repeats did not ask, so they carry none.
    expect(answers.filter((a) => a.repeat > 0).every((a) => a.probs === undefined)).toBe(true);
    const shown = (await page.getByTestId('probability').allTextContents()).map(Number);
    expect(shown.length).toBeGreaterThan(0);
    // The probability of the majority label: the first answer's own label gets 0.55–0.99 from the mock;
    // where the repeats outvoted it, the label they chose got less.
    expect(shown.every((p) => p > 0 && p < 1)).toBe(true);
    expect(shown.filter((p) => p >= 0.55).length).toBeGreaterThan(shown.length / 2);
  });

  await test.step('Validate: the teacher on its confident labels, by probability', async () => {
    await page.locator('[data-step="validate"]').click();
    const sweep = page.getByTestId('confidence-sweep');
    await expect(sweep.getByLabel('Confidence measure')).toHaveValue('probability');
    await expect(sweep.locator('tbody tr')).toHaveCount(7);
    // Fewer texts kept as t rises, of the 12 validation texts.
    const kept = (await sweep.locator('tbody tr td:nth-child(2)').allTextContents()).map((t) => Number(t.split(' ')[0]));
    expect(kept[0]).toBeGreaterThan(0);
    expect(kept[0]).toBeLessThanOrEqual(12);
    expect([...kept].sort((a, b) => b - a)).toEqual(kept);
    await sweep.getByLabel('Confidence measure').selectOption('consistency');
    await expect(sweep.locator('tbody tr')).toHaveCount(6);
    await page.screenshot({ path: `${SHOTS}/validate-sweep.png`, fullPage: true });
  });

  await test.step('Compare sweeps on the teacher probability', async () => {
    await useTinyEncoder(page);
    await page.locator('[data-step="compare"]').click();
    await page.getByLabel('Threshold sweep on').selectOption('probability');
    await page.getByText(/students to train/).click();
    await expect(page.locator('ul.plan')).toContainText(/Student on \d+ LLM labels with teacher probability ≥ 0\.\d+/);
    await page.getByRole('button', { name: 'Run comparison' }).click();
    const table = page.getByTestId('comparison-table');
    await expect(table).toBeVisible({ timeout: 300_000 });
    await expect(table).toContainText(/with teacher probability ≥ 0\.\d+/);
    await expect(table).toContainText(/with consistency = 1/); // the paper's ablation stays
    const chart = page.getByTestId('chart-sweep');
    await expect(chart).toContainText('Teacher probability threshold sweep');
    expect(await chart.locator('svg').first().locator('rect, path, circle').count()).toBeGreaterThan(2);
    await page.getByLabel('Charts').screenshot({ path: `${SHOTS}/compare-probability-sweep.png` });
  });
});

test('a server that rejects logprobs is remembered and not asked again', async ({ page }) => {
  await mockConfig({ models: ['mock-model'], rules: SENTIMENT_RULES, unsupported: ['logprobs'] });
  await toTeacher(page);
  await page.getByRole('button', { name: 'Check model' }).click();
  await expect(page.getByTestId('probe-message')).toContainText('no label probabilities (consistency comes from repeats)');
  // One probe with logprobs (a 400, not billed), one without.
  const probes = await probeCalls();
  expect(probes.map((p) => bodyOf(p).logprobs ?? false)).toEqual([true, false]);

  await page.reload();
  await expect(page.getByTestId('model-profile')).toContainText('checked with the server');
  await expect(page.getByTestId('model-profile')).toContainText('no label probabilities');
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await expect(page.getByTestId('teacher-state')).toHaveText('Done', { timeout: 90_000 });
  await expect(page.getByTestId('teacher-failed')).toHaveText('0');
  // No second probe, and no labelling request asked for logprobs.
  expect(await probeCalls()).toHaveLength(2);
  const calls = await labelCalls();
  expect(calls).toHaveLength(116);
  expect(calls.every((c) => bodyOf(c).logprobs === undefined)).toBe(true);
  await expect(page.getByTestId('probability')).toHaveCount(0);
  await page.locator('[data-step="validate"]').click();
  const measure = page.getByTestId('confidence-sweep').getByLabel('Confidence measure');
  await expect(measure).toHaveValue('consistency');
  await expect(measure.locator('option[value="probability"]')).toBeDisabled();
});
