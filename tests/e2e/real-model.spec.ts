// Issue 25: a real pretrained encoder (all-MiniLM-L6-v2, prepared by
// `npm run models`) through the app's own loading paths. A shared dataset is
// imported with the file input, the teacher's answers are the recorded GPT-4
// labels replayed by the mock, the MiniLM preset loads q8 from a server in the
// hub's URL layout, Compare trains and scores the students, and the vectors
// the app stored equal sentence-transformers' (surrogate-check.json) — then the
// same through the folder picker, in fp32, on texts longer than the model reads.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Papa from 'papaparse';
import { test, expect, type Page } from '@playwright/test';
import { preparedModel } from '../../scripts/models/paths.mjs';
import { serveHub } from '../../scripts/models/serve-hub.mjs';
import { freshApp, mockConfig, mockReset, storedEmbeddings, useMockTeacher } from './helpers';

const MODEL = 'Xenova/all-MiniLM-L6-v2';
const DATASETS = process.env.SURROGATE_DATASETS_DIR ?? join(process.cwd(), '..', 'shared', 'datasets');
const DATASET = join(DATASETS, 'tornberg_uk_party.csv');
const SHOTS = process.env.SHOTS_DIR ?? 'test-results/real-model';

interface Reference {
  dataset: string;
  id: string;
  text: string;
  tokens: number;
  vector: number[];
}

const prepared = preparedModel(MODEL);
const missing = prepared.reason ?? (existsSync(DATASET) ? null : `the shared dataset ${DATASET} is missing`);
const reference: Reference[] = prepared.check?.reference ?? [];

// Locally a missing model skips with its reason; CI must have prepared it (.ci/run does), so there it fails.
test.skip(!process.env.CI && missing !== null, missing ?? '');
test.beforeEach(() => {
  if (missing) throw new Error(`The real-model e2e test cannot run: ${missing}.`);
});

let hub: Awaited<ReturnType<typeof serveHub>>;
test.beforeAll(async () => {
  if (!missing) hub = await serveHub();
});
test.afterAll(async () => hub?.close());

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let i = 0; i < a.length; i++) [ab, aa, bb] = [ab + a[i] * b[i], aa + a[i] * a[i], bb + b[i] * b[i]];
  return ab / Math.sqrt(aa * bb);
}

/** The vectors the app stored (384-wide, any embedding key) for the rows with these ids, by id. */
async function storedVectors(page: Page, ids: string[]): Promise<Record<string, number[]>> {
  const idOfHash = await page.evaluate(
    (ids) =>
      new Promise<Record<string, string>>((resolve, reject) => {
        const open = indexedDB.open('surrogate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const chunks = open.result.transaction('rows', 'readonly').objectStore('rows').getAll();
          chunks.onsuccess = () => {
            const out: Record<string, string> = {};
            for (const c of chunks.result as { rows: { id: string; hash: string }[] }[])
              for (const row of c.rows) if (ids.includes(row.id)) out[row.hash] = row.id;
            open.result.close();
            resolve(out);
          };
        };
      }),
    ids,
  );
  const out: Record<string, number[]> = {};
  for (const byHash of Object.values(await storedEmbeddings(page)))
    for (const [hash, vector] of Object.entries(byHash)) if (vector.length === 384 && idOfHash[hash]) out[idOfHash[hash]] = vector;
  return out;
}

async function expectReferenceVectors(page: Page, refs: Reference[], least: number): Promise<void> {
  const stored = await storedVectors(
    page,
    refs.map((r) => r.id),
  );
  for (const r of refs) {
    expect(stored[r.id], `no stored vector for ${r.id}`).toBeDefined();
    expect(cosine(stored[r.id], r.vector), `${r.id} (${r.tokens} tokens)`).toBeGreaterThanOrEqual(least);
  }
}

async function importCsv(page: Page, name: string, csv: string, n: number): Promise<void> {
  await page.getByTestId('file-input').setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await expect(page.getByLabel('Text column')).toHaveValue('text');
  await page.getByLabel('Label column').selectOption('label_name');
  await page.getByRole('button', { name: `Import ${n} texts` }).click();
  await expect(page.getByTestId('row-count')).toHaveText(`${n} texts`);
}

async function chooseMiniLM(page: Page): Promise<void> {
  await page.locator('[data-step="train"]').click();
  await page.getByLabel('Encoder kind').selectOption('transformers');
  // MiniLM is the preset a new project's sentence encoder starts on.
  await expect(page.getByLabel('Model preset')).toHaveValue('minilm');
  await expect(page.getByLabel('Model id')).toHaveValue(MODEL);
  await page.getByLabel('Device').selectOption('wasm');
}

test('MiniLM q8 from a hub-layout mirror: embed a shared dataset, Compare, vectors equal the reference', async ({ page }) => {
  test.setTimeout(600_000);
  const csv = readFileSync(DATASET, 'utf8');
  const table = Papa.parse<Record<string, string>>(csv, { header: true, skipEmptyLines: true }).data;
  const refs = reference.filter((r) => r.dataset === 'tornberg_uk_party');
  expect(refs.length).toBeGreaterThan(0);

  await mockReset();
  // The teacher: GPT-4's answers recorded with the dataset, replayed by text.
  const nameOf = Object.fromEntries(table.map((r) => [r.label, r.label_name]));
  const replay = Object.fromEntries(table.filter((r) => r.gpt4_label in nameOf).map((r) => [r.text, nameOf[r.gpt4_label]]));
  await mockConfig({ models: ['mock-model'], replay, fallback: 'Labour' });

  await test.step('import the dataset and write the codebook', async () => {
    await freshApp(page, '/?tfjs=wasm');
    await importCsv(page, 'tornberg_uk_party.csv', csv, table.length);
    await page.getByLabel('Validation size').fill('100');
    await page.getByLabel('Test size').fill('100');
    await page.getByRole('button', { name: 'Re-split' }).click();
    await expect(page.getByTestId('split-counts')).toContainText('Validation: 100');
    await page.locator('[data-step="codebook"]').click();
    await page.getByLabel('Task name').fill('Party of a UK politician');
    await page.getByLabel('Instructions').fill("Decide which party the post's author belongs to.");
    for (const i of [1, 2]) await page.getByLabel(`Label ${i} definition`).fill(`An MP of the party named by label ${i}.`);
    await page.getByRole('button', { name: 'Save version' }).click();
    await expect(page.getByRole('status')).toContainText('Saved as version 1');
    await useMockTeacher(page);
  });

  await test.step('the teacher labels every text (one answer each)', async () => {
    await page.locator('[data-step="teacher"]').click();
    await page.getByLabel('Repeats').fill('1');
    await page.getByLabel('Repeats').press('Tab');
    await page.getByRole('button', { name: 'Start labeling' }).click();
    await expect(page.getByTestId('teacher-state')).toHaveText('Done', { timeout: 180_000 });
  });

  await test.step('MiniLM q8 from the hub-layout mirror embeds every text', async () => {
    await chooseMiniLM(page);
    await page.getByLabel('Model source').selectOption('url');
    await page.getByLabel('Mirror base URL').fill(hub.url);
    await page.getByLabel('Mirror base URL').press('Tab');
    await page.getByLabel('Mirror layout').selectOption('hub');
    await page.getByLabel('Precision', { exact: true }).selectOption('q8');
    await page.getByRole('button', { name: 'Embed all texts' }).click();
    await expect(page.getByTestId('embed-summary')).toContainText(`${table.length} embedded now`, { timeout: 300_000 });
    await expect(page.getByTestId('embed-facts')).toContainText('precision: q8');
    await expect(page.getByTestId('embed-facts')).toContainText('384 dimensions');
    expect(hub.requests).toContain(`/${MODEL}/resolve/main/onnx/model_quantized.onnx`);
    await page.locator('section[aria-label="Encoder"]').screenshot({ path: `${SHOTS}/encoder-mirror.png` });
    await expectReferenceVectors(page, refs, 0.99);
  });

  await test.step('Compare trains and scores the students on those vectors', async () => {
    await page.locator('[data-step="compare"]').click();
    await page.getByRole('button', { name: 'Run comparison' }).click();
    const results = page.getByTestId('comparison-table');
    await expect(results).toBeVisible({ timeout: 300_000 });
    await expect(results).toContainText('LLM few-shot (mock-model)');
    await expect(results).toContainText(/Student on \d+ LLM labels/);
    await expect(results).toContainText('all-MiniLM-L6-v2');
    // The replayed GPT-4 answers score as GPT-4 did (0.87–0.89), so the students learnt from real labels.
    // Accuracy is the third column. How good the students are is the quality benchmark's question, not this test's.
    const teacher = results
      .locator('tbody tr', { hasText: /^LLM few-shot/ })
      .first()
      .locator('td')
      .nth(2);
    expect(parseFloat((await teacher.textContent()) ?? '')).toBeGreaterThan(0.8);
    await page.getByLabel('Results').screenshot({ path: `${SHOTS}/compare-results.png` });
  });
});

test('MiniLM fp32 from a picked folder: long texts are cut at 256 tokens as sentence-transformers cuts them', async ({ page }) => {
  test.setTimeout(300_000);
  const rows = reference.map((r) => ({ id: r.id, text: r.text, label_name: r.dataset }));
  await freshApp(page, '/?tfjs=wasm');
  await importCsv(page, 'reference.csv', Papa.unparse(rows), rows.length);
  await chooseMiniLM(page);
  await page.getByLabel('Model source').selectOption('files');
  await page.getByLabel('Model folder').setInputFiles(prepared.dir);
  await expect(page.getByText(/^Using \d+ files from/)).toBeVisible();
  await page.getByLabel('Precision', { exact: true }).selectOption('fp32');
  await page.getByRole('button', { name: 'Embed all texts' }).click();
  await expect(page.getByTestId('embed-summary')).toContainText(`${rows.length} embedded now`, { timeout: 240_000 });
  await expect(page.getByTestId('embed-facts')).toContainText('precision: fp32');
  expect(reference.some((r) => r.tokens >= 256)).toBe(true);
  await expectReferenceVectors(page, reference, 0.999);
});
