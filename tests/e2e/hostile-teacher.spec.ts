// Issue 12: faulty servers and interrupted runs. A prose answer that denies a
// label is never stored as that label (with a JSON schema asked for, prose is
// no label at all); a run interrupted by a reload offers Continue and ends
// with exactly `repeats` answers per text; Start waits until the project's
// cache view is loaded; a run with nothing to send says so.
import { test, expect, type Page } from '@playwright/test';
import { PROBE_SYSTEM } from '../../src/lib/teacher/profile';
import {
  runToEnd,
  chatCalls,
  freshApp,
  MOCK_URL,
  mockConfig,
  mockReset,
  setupProject,
  SENTIMENT_RULES,
  type MockLogEntry,
} from './helpers';

const SHOTS = process.env.SHOTS_DIR ?? 'test-results/hostile';

const PARTY_CODEBOOK = {
  task: 'Which party does the poster support?',
  instructions: 'Answer with the party the poster supports.',
  labels: [
    { name: 'Democrat', definition: 'Supports the Democratic party.' },
    { name: 'Republican', definition: 'Supports the Republican party.' },
  ],
  positive: 'Democrat',
  examples: [],
};

/** Prose answers per text: none of the first five is a label; the last two are. */
const PROSE: Record<string, string> = {
  'post one': 'The poster is definitely not a Democrat.',
  'post two': 'Probably not Republican',
  'post three': 'Democrat or Republican',
  'post four': 'Not a Democrat; a Republican.',
  'post five': 'I think Democrat, but I am not sure.',
  'post six': '**Republican**',
  'post seven': 'Label: Democrat',
};

const isProbe = (e: MockLogEntry) => (e.body as { messages: { content: string }[] }).messages[0]?.content === PROBE_SYSTEM;
const labelCalls = async () => (await chatCalls()).filter((e) => !isProbe(e));

/** A project of the seven posts above with the party codebook, pointed at the mock as `model`. */
async function partyProject(page: Page, model: string): Promise<void> {
  await freshApp(page);
  const csv = ['id,text,label', ...Object.keys(PROSE).map((t, i) => `p${i + 1},${t},${i % 2 ? 'Republican' : 'Democrat'}`)].join('\n');
  await page.getByTestId('file-input').setInputFiles({ name: 'posts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: 'Import 7 texts' }).click();
  await page.locator('[data-step="codebook"]').click();
  await page
    .getByLabel('Import codebook')
    .setInputFiles({ name: 'party.codebook.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(PARTY_CODEBOOK)) });
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved as version 1');
  await page.getByRole('button', { name: /^Settings/ }).click();
  await page.getByLabel('Base URL').fill(`${MOCK_URL}/v1`);
  await page.getByLabel('Model', { exact: true }).fill(model);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('[data-step="teacher"]').click();
  await page.getByLabel('Label all texts').check();
  await expect(page.getByTestId('estimate')).toContainText('7 texts');
}

const llmLabel = (page: Page, row: string) => page.locator(`[data-row="${row}"] td`).nth(4);

test.beforeEach(async () => {
  await mockReset();
});

test('a server answering in prose despite the JSON schema: no answer is stored as the label it denies', async ({ page }) => {
  await mockConfig({ models: ['mock-model'], fallback: 'Democrat', prose: 'The poster is definitely not a {label}.' });
  await partyProject(page, 'mock-model');
  await runToEnd(page);
  // The schema was asked for, so prose is never a label: 7 texts × 3 answers, all invalid.
  expect((await labelCalls()).every((c) => (c.body as { response_format?: unknown }).response_format)).toBe(true);
  await expect(page.getByTestId('teacher-invalid')).toHaveText('21');
  await expect(page.getByTestId('label-counts')).toContainText('no valid answer');
  await expect(page.getByTestId('label-counts')).not.toContainText('Democrat');
  await expect(page.getByTestId('labels-table')).toContainText('The poster is definitely not a Democrat.');
  await expect(page.getByTestId('labels-table')).toContainText('prose, not the JSON asked for');
  await expect(page.getByTestId('prose-answers')).toContainText('21 answers came back in prose');
  await page.screenshot({ path: `${SHOTS}/teacher-prose-schema.png`, fullPage: true });

  // Without the schema the prose is asked for again, and a negation is still no label.
  await page.getByLabel('Structured output').selectOption('off');
  await expect(page.getByTestId('estimate-calls')).toContainText('14 requests to send');
  await runToEnd(page);
  await expect(page.getByTestId('teacher-sent')).toHaveText('14');
  await expect(page.getByTestId('teacher-invalid')).toHaveText('21');
  await expect(page.getByTestId('prose-answers')).toHaveCount(0);
  await expect(page.getByTestId('label-counts')).not.toContainText('Democrat');
});

test('prose answers without a schema: only an answer that is nothing but a label counts', async ({ page }) => {
  await mockConfig({ models: ['mock-prose'], fallback: 'Democrat', proseReplay: PROSE });
  await partyProject(page, 'mock-prose');
  await page.getByLabel('Structured output').selectOption('off');
  await runToEnd(page);
  expect((await labelCalls()).some((c) => (c.body as { response_format?: unknown }).response_format)).toBe(false);
  for (const row of ['p1', 'p2', 'p3', 'p4', 'p5']) await expect(llmLabel(page, row)).toHaveText('—');
  await expect(llmLabel(page, 'p6')).toHaveText('Republican');
  await expect(llmLabel(page, 'p7')).toHaveText('Democrat');
  await expect(page.getByTestId('teacher-invalid')).toHaveText('15');
  await expect(page.locator('[data-row="p1"]')).toContainText('not a label');
});

test('a reload mid-run offers Continue, which ends with exactly `repeats` answers per text', async ({ page }) => {
  await mockConfig({ models: ['mock-model'], rules: SENTIMENT_RULES });
  await setupProject(page, { apiKey: 'sk-test' });
  await page.locator('[data-step="teacher"]').click();
  await page.getByLabel('Label all texts').check();
  await expect(page.getByTestId('estimate')).toContainText('58 texts');
  // Probe first, so the held requests are labelling requests.
  await page.getByRole('button', { name: 'Check model' }).click();
  await expect(page.getByTestId('probe-message')).toContainText('Checked mock-model');
  // The server sits on the first two requests to arrive; the rest go through.
  await mockConfig({ models: ['mock-model'], rules: SENTIMENT_RULES, hold: 2 });
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await expect
    .poll(async () => ((await (await fetch(`${MOCK_URL}/__mock/held`)).json()) as { held: number }).held, { timeout: 30_000 })
    .toBe(2);
  // The held requests are the first two the server logged; each carries 1 answer, or 2 with n.
  const missing = (await labelCalls()).slice(0, 2).reduce((n, c) => n + ((c.body as { n?: number }).n ?? 1), 0);
  const stored = 174 - missing;
  await expect(page.getByTestId('teacher-done')).toHaveText(`${stored} / 174`, { timeout: 60_000 });
  await expect(page.getByTestId('teacher-state')).toHaveText('Running');
  const before = (await labelCalls()).length;

  await page.reload();
  const banner = page.getByTestId('interrupted-run');
  await expect(banner).toContainText('did not finish');
  await expect(banner).toContainText(`${stored} of 174 answers are stored`);
  await expect(banner).toContainText(`Continue sends only the ${missing} missing answers`);
  await page.screenshot({ path: `${SHOTS}/teacher-interrupted.png`, fullPage: true });
  await fetch(`${MOCK_URL}/__mock/release`, { method: 'POST' });
  await banner.getByRole('button', { name: 'Continue' }).click();
  await expect(page.getByTestId('teacher-state')).toHaveText('Done', { timeout: 60_000 });
  await expect(page.getByTestId('teacher-done')).toHaveText('174 / 174');
  await expect(page.getByTestId('teacher-cached')).toHaveText(String(stored));
  await expect(banner).toHaveCount(0);
  // Only the two requests that never came back were sent again.
  expect((await labelCalls()).length - before).toBe(2);

  // Every text holds exactly three stored answers (repeats 0, 1, 2), none more.
  const perText = await page.evaluate(
    () =>
      new Promise<Record<string, number[]>>((resolve, reject) => {
        const open = indexedDB.open('surrogate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const req = open.result.transaction('responses').objectStore('responses').getAll();
          req.onsuccess = () => {
            const out: Record<string, number[]> = {};
            for (const r of req.result as { textHash: string; repeat: number; model: string }[])
              if (r.model === 'mock-model') (out[r.textHash] ??= []).push(r.repeat);
            resolve(out);
          };
          req.onerror = () => reject(req.error);
        };
      }),
  );
  expect(Object.keys(perText)).toHaveLength(58);
  for (const repeats of Object.values(perText)) expect(repeats.sort()).toEqual([0, 1, 2]);
  const shown = await page.locator('[data-testid="labels-table"] tbody tr').first().locator('.ans').count();
  expect(shown).toBe(3);

  // The run ended: a reload offers nothing.
  await page.reload();
  await expect(page.getByTestId('labels-table')).toBeVisible();
  await expect(banner).toHaveCount(0);
});

test('Start waits until the stored answers are loaded; a run with nothing to send says so', async ({ page }) => {
  await mockConfig({ models: ['mock-model'], rules: SENTIMENT_RULES });
  await setupProject(page, { apiKey: 'sk-test' });
  await page.locator('[data-step="teacher"]').click();
  await page.getByLabel('Label all texts').check();
  await runToEnd(page);
  await expect(page.getByTestId('teacher-done')).toHaveText('174 / 174');

  // Reading the answer cache is slow (a loaded machine): every read of it answers 3 s late.
  await page.addInitScript(() => {
    const slowUntil = Date.now() + 3000;
    const get = IDBObjectStore.prototype.get;
    IDBObjectStore.prototype.get = function (this: IDBObjectStore, query: IDBValidKey | IDBKeyRange) {
      const req = get.call(this, query);
      if (this.name === 'responses' && Date.now() < slowUntil) {
        req.addEventListener(
          'success',
          (e) => {
            e.stopImmediatePropagation();
            setTimeout(() => req.dispatchEvent(new Event('success')), slowUntil - Date.now());
          },
          { capture: true, once: true },
        );
      }
      return req;
    };
  });
  await page.reload();
  const start = page.getByRole('button', { name: 'Start labeling' });
  await expect(page.getByTestId('teacher-blocker')).toContainText('Reading the answers already stored');
  await expect(start).toBeDisabled();
  await expect(start).toBeEnabled({ timeout: 30_000 });
  await expect(page.getByTestId('labels-table')).toContainText('r002');
  const calls = (await chatCalls()).length;
  await runToEnd(page);
  await expect(page.getByTestId('teacher-sent')).toHaveText('0');
  await expect(page.getByTestId('teacher-outcome')).toHaveText('Nothing was sent: all 174 answers were already stored.');
  await expect(page.getByTestId('labels-table')).toContainText('r002');
  expect((await chatCalls()).length).toBe(calls);
});

test('a scope with no texts is not "Done"', async ({ page }) => {
  await mockConfig({ models: ['mock-model'] });
  await freshApp(page);
  await page
    .getByTestId('file-input')
    .setInputFiles({ name: 'u.csv', mimeType: 'text/csv', buffer: Buffer.from('text\nfirst post\nsecond post\n') });
  await page.getByRole('button', { name: 'Import 2 texts' }).click();
  await page.locator('[data-step="codebook"]').click();
  await page
    .getByLabel('Import codebook')
    .setInputFiles({ name: 'party.codebook.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(PARTY_CODEBOOK)) });
  await page.getByRole('button', { name: 'Save version' }).click();
  await page.getByRole('button', { name: /^Settings/ }).click();
  await page.getByLabel('Base URL').fill(`${MOCK_URL}/v1`);
  await page.getByLabel('Model', { exact: true }).fill('mock-model');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
  await page.locator('[data-step="teacher"]').click();
  // No human labels, so no validation or test set; and no pool texts asked for.
  await page.getByLabel('Training-pool texts').fill('0');
  await page.getByLabel('Training-pool texts').press('Tab');
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await expect(page.getByRole('alert')).toContainText('Nothing to label');
  await expect(page.getByTestId('teacher-state')).not.toHaveText('Done');
});
