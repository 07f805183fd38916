// Shared e2e helpers: the mock LLM's address and control calls.
import { readFileSync } from 'node:fs';
import { expect, type Page } from '@playwright/test';

export const MOCK_URL = `http://127.0.0.1:${process.env.MOCK_PORT ?? 8787}`;

export async function mockConfig(config: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${MOCK_URL}/__mock/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!r.ok) throw new Error(`mock config failed: ${r.status}`);
}

export async function mockReset(): Promise<void> {
  await fetch(`${MOCK_URL}/__mock/reset`, { method: 'POST' });
}

export interface MockLogEntry {
  at: number;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: unknown;
}

export async function mockLog(): Promise<MockLogEntry[]> {
  return (await (await fetch(`${MOCK_URL}/__mock/log`)).json()) as MockLogEntry[];
}

/** Chat completion calls the mock received. */
export async function chatCalls(): Promise<MockLogEntry[]> {
  return (await mockLog()).filter((e) => e.path.endsWith('/chat/completions'));
}

/** A fresh app: empty IndexedDB and localStorage for this origin. */
export async function freshApp(page: Page, path = '/'): Promise<void> {
  await page.goto(path);
  await page.evaluate(async () => {
    localStorage.clear();
    const dbs = await indexedDB.databases();
    await Promise.all(
      dbs.map(
        (d) =>
          new Promise((res) => {
            const r = indexedDB.deleteDatabase(d.name!);
            r.onsuccess = r.onerror = r.onblocked = () => res(null);
          }),
      ),
    );
  });
  await page.goto(path);
}

export const FIXTURES = 'tests/fixtures/data';

/** The Train step's encoder set to the tiny test model from the mock server's mirror, on wasm. */
export async function useTinyEncoder(page: Page): Promise<void> {
  await page.locator('[data-step="train"]').click();
  await page.getByLabel('Encoder kind').selectOption('transformers'); // a new project starts on TF-IDF
  await page.getByLabel('Model id').fill('tiny-distilbert');
  await page.getByLabel('Model id').press('Tab');
  await page.getByLabel('Model source').selectOption('url');
  await page.getByLabel('Mirror base URL').fill(`${MOCK_URL}/models`);
  await page.getByLabel('Mirror base URL').press('Tab');
  await page.getByLabel('Device').selectOption('wasm');
}

/** Mock rules that label the fixture by its cue words. */
export const SENTIMENT_RULES = [
  ...['great', 'excellent', 'love', 'wonderful'].map((contains) => ({ contains, label: 'positive' })),
  ...['terrible', 'awful', 'hate', 'broke'].map((contains) => ({ contains, label: 'negative' })),
];

/**
 * Through the UI: import the fixture (plus `extraRows` CSV lines), split
 * 12/12, import and save the fixture codebook, and point Settings at the mock.
 */
export async function setupProject(page: Page, opts: { path?: string; extraRows?: string[]; apiKey?: string } = {}): Promise<number> {
  const extra = opts.extraRows ?? [];
  await freshApp(page, opts.path);
  const csv = readFileSync(`${FIXTURES}/tiny-sentiment.csv`, 'utf8').trimEnd() + '\n' + extra.map((r) => r + '\n').join('');
  const n = 58 + extra.length; // the fixture has quoted multi-line texts: count rows, not lines
  await page.getByTestId('file-input').setInputFiles({ name: 'reviews.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
  await page.getByRole('button', { name: `Import ${n} texts` }).click();
  await expect(page.getByTestId('row-count')).toHaveText(`${n} texts`);
  await page.getByLabel('Validation size').fill('12');
  await page.getByLabel('Test size').fill('12');
  await page.getByRole('button', { name: 'Re-split' }).click();
  await expect(page.getByTestId('split-counts')).toContainText('Validation: 12');

  await page.locator('[data-step="codebook"]').click();
  await page.getByLabel('Import codebook').setInputFiles(`${FIXTURES}/tiny-sentiment.codebook.json`);
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved as version 1');

  await useMockTeacher(page, opts.apiKey);
  return n;
}

/** Through Settings: the teacher is the mock's `mock-model` (with `apiKey` if given). */
export async function useMockTeacher(page: Page, apiKey?: string): Promise<void> {
  await page.getByRole('button', { name: /^Settings/ }).click();
  await page.getByLabel('Base URL').fill(`${MOCK_URL}/v1`);
  await page.getByLabel('Model', { exact: true }).fill('mock-model');
  if (apiKey) await page.getByLabel(/API key/).fill(apiKey);
  await page.getByRole('button', { name: 'Save', exact: true }).click();
}

/** Fills a number field the way a person does (type, then Tab away) and waits until it holds the value. */
export async function setNumber(page: Page, label: string, value: number | ''): Promise<void> {
  const input = page.getByLabel(label, { exact: true });
  await input.fill(String(value));
  await input.press('Tab');
  await expect(input).toHaveValue(String(value));
}

/** Starts the teacher run and waits until its state reads `state`. */
export async function runToEnd(page: Page, state = 'Done'): Promise<void> {
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await expect(page.getByTestId('teacher-state')).toHaveText(state, { timeout: 90_000 });
}

export interface Stored {
  text: string;
  label: string | null;
  probs: Record<string, number>;
  at: number;
  endpoint: string;
  model: string;
  repeat: number;
}

/** A teacher's stored answers under `endpoint`, each with its row's text (from IndexedDB). */
export async function storedAnswers(page: Page, endpoint: string): Promise<Stored[]> {
  return page.evaluate(
    (endpoint) =>
      new Promise<Stored[]>((resolve, reject) => {
        const open = indexedDB.open('surrogate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const t = open.result.transaction(['rows', 'responses'], 'readonly');
          const chunks = t.objectStore('rows').getAll();
          const responses = t.objectStore('responses').getAll();
          t.oncomplete = () => {
            const text = new Map<string, string>();
            for (const c of chunks.result as { rows: { text: string; hash: string }[] }[]) for (const r of c.rows) text.set(r.hash, r.text);
            const out = (responses.result as (Stored & { textHash: string })[])
              .filter((r) => r.endpoint === endpoint)
              .map((r) => ({
                text: text.get(r.textHash) ?? '',
                label: r.label,
                probs: r.probs,
                at: r.at,
                endpoint: r.endpoint,
                model: r.model,
                repeat: r.repeat,
              }));
            open.result.close();
            resolve(out);
          };
        };
      }),
    endpoint,
  );
}

/**
 * Every stored vector, grouped by embedding key then text hash (raw IndexedDB, nothing app-specific exposed):
 * chunks of vectors in `vectorChunks`, their hashes in slot order in `vectorHashes`.
 */
export async function storedEmbeddings(page: Page): Promise<Record<string, Record<string, number[]>>> {
  return page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('surrogate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const t = open.result.transaction(['vectorHashes', 'vectorChunks'], 'readonly');
          const hashes = t.objectStore('vectorHashes').getAll();
          const chunks = t.objectStore('vectorChunks').getAll();
          t.oncomplete = () => {
            type Chunk = { embKey: string; chunk: number; dim: number; format: string; data: ArrayBuffer };
            const data = new Map((chunks.result as Chunk[]).map((c) => [`${c.embKey}#${c.chunk}`, c]));
            const out: Record<string, Record<string, number[]>> = {};
            for (const h of hashes.result as { embKey: string; chunk: number; hashes: string[] }[]) {
              const c = data.get(`${h.embKey}#${h.chunk}`)!;
              if (c.format !== 'f32') throw new Error(`expected float32 vectors, got ${c.format}`);
              const all = new Float32Array(c.data);
              h.hashes.forEach((hash, i) => ((out[h.embKey] ??= {})[hash] = Array.from(all.subarray(i * c.dim, (i + 1) * c.dim))));
            }
            open.result.close();
            resolve(out);
          };
        };
      }),
  );
}

/** The longest gap between 50 ms heartbeats on the page's main thread since the probe started. */
export async function startProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __maxGap: number };
    w.__maxGap = 0;
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      w.__maxGap = Math.max(w.__maxGap, now - last);
      last = now;
    }, 50);
  });
}
/** The longest gap since the last call (or startProbe), and a fresh start. */
export const maxGap = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __maxGap: number };
    const gap = w.__maxGap;
    w.__maxGap = 0;
    return gap;
  });
