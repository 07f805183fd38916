// Issue 12: hostile files. Scraped text with stray NULs, right-to-left
// scripts, emoji and zero-width joiners imports, naming the rows it cleaned;
// Excel's UTF-16 "Unicode text" imports; a file of numbers is refused with
// its columns and their kinds; labels outside the codebook are flagged with
// rows and never drafted silently; a 10 MB field leaves the page responsive
// (checked with a main-thread probe) and the Teacher step shows an estimate.
import { test, expect, type Page } from '@playwright/test';
import { FIXTURES, freshApp, MOCK_URL, mockReset } from './helpers';

const SHOTS = process.env.SHOTS_DIR ?? 'test-results/hostile';

async function upload(page: Page, name: string, bytes: Uint8Array | string, mimeType = 'text/csv'): Promise<void> {
  const buffer = typeof bytes === 'string' ? Buffer.from(bytes, 'utf8') : Buffer.from(bytes);
  await page.getByTestId('file-input').setInputFiles({ name, mimeType, buffer });
}

function utf16le(s: string): Uint8Array {
  const out = Buffer.alloc(2 + s.length * 2);
  out.writeUInt16LE(0xfeff, 0);
  for (let i = 0; i < s.length; i++) out.writeUInt16LE(s.charCodeAt(i), 2 + i * 2);
  return out;
}

/** Counts how often the page's main thread stalls: the longest gap between 50 ms heartbeats. */
async function startProbe(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __maxGap: number; __beats: number };
    w.__maxGap = 0;
    w.__beats = 0;
    let last = performance.now();
    setInterval(() => {
      const now = performance.now();
      w.__maxGap = Math.max(w.__maxGap, now - last);
      w.__beats += 1;
      last = now;
    }, 50);
  });
}
const probe = (page: Page) =>
  page.evaluate(() => {
    const w = window as unknown as { __maxGap: number; __beats: number };
    return { maxGap: w.__maxGap, beats: w.__beats };
  });

test.beforeEach(async () => {
  await mockReset();
});

test('scraped text with a NUL, RTL scripts, emoji and zero-width joiners imports; the cleaned row is named', async ({ page }) => {
  await freshApp(page);
  const csv = [
    'id,text,label',
    's1,"مرحبا بالعالم، هذا منشور عربي",pos',
    's2,"שלום עולם, זה פוסט",neg',
    's3,"family 👨‍👩‍👧‍👦 flag 🇩🇪 zero\u200bwidth joiner\u200dhere",pos',
    's4,"a scraper left a NUL\u0000 and a bell\u0007 here",neg',
    's5,"plain text",pos',
  ].join('\r\n');
  await upload(page, 'scraped.csv', csv);
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  await expect(page.getByTestId('cleaned-rows')).toContainText('2 stray control characters');
  await expect(page.getByTestId('cleaned-rows')).toContainText('rows 4)');
  await page.getByRole('button', { name: 'Import 5 texts' }).click();
  await expect(page.getByTestId('row-count')).toHaveText('5 texts');
  const table = page.getByTestId('rows-table');
  await expect(table).toContainText('مرحبا بالعالم، هذا منشور عربي');
  await expect(table).toContainText('שלום עולם');
  await expect(table).toContainText('👨‍👩‍👧‍👦');
  const s3 = await table.locator('tr', { hasText: 's3' }).locator('td').nth(1).textContent();
  expect(s3).toContain('zero\u200bwidth joiner\u200dhere');
  await expect(table).toContainText('a scraper left a NUL and a bell here');
});

test("Excel's UTF-16LE Unicode text imports, and the report says how it was read", async ({ page }) => {
  await freshApp(page);
  const tsv =
    'id\ttext\tlabel\r\nu1\tCafé crème, très bien ☕\tpositive\r\nu2\t日本語のレビューです\tnegative\r\nu3\tZażółć gęślą jaźń\tpositive\r\n';
  await upload(page, 'export.txt', utf16le(tsv), 'text/plain');
  await expect(page.getByTestId('import-error')).toHaveCount(0);
  await expect(page.getByTestId('encoding-note')).toContainText('UTF-16LE');
  await expect(page.getByLabel('Text column')).toHaveValue('text');
  await page.getByRole('button', { name: 'Import 3 texts' }).click();
  await expect(page.getByTestId('rows-table')).toContainText('Café crème, très bien ☕');
  await expect(page.getByTestId('rows-table')).toContainText('日本語のレビューです');
});

test('a file of numbers is refused with its columns and their kinds; messages name bytes, lines and repeated characters', async ({
  page,
}) => {
  await freshApp(page);
  const rows = Array.from({ length: 40 }, (_, i) => `${i},${i * 0.5},2024-01-${String((i % 28) + 1).padStart(2, '0')},`);
  await upload(page, 'numbers.csv', ['id,score,date,note', ...rows].join('\n'));
  const error = page.getByTestId('import-error');
  await expect(error).toContainText('No column holds text');
  await expect(error).toContainText('id (numbers), score (numbers), date (dates), note (empty)');
  await expect(page.getByLabel('Text column')).toHaveCount(0);

  const wide = Array.from({ length: 5000 }, (_, i) => `c${i}`);
  const wideRows = Array.from({ length: 5 }, (_, r) => wide.map((_, c) => String(r + c)).join(','));
  await upload(page, 'wide.csv', [wide.join(','), ...wideRows].join('\n'));
  await expect(error).toContainText('all 5,000 columns');
  await expect(error).toContainText('and 4,988 more (4,988 numbers)');

  await upload(page, 'aaaa.csv', 'a'.repeat(200_000));
  await expect(error).toContainText('nothing but the character "a", repeated 200,000 times');
  await expect(page.getByTestId('row-count')).toHaveCount(0);

  // A Latin-1 file: the byte and its line are named, and it can be read as Windows-1252 on request.
  const latin1 = Buffer.concat([Buffer.from('id,text\n1,fine\n2,caf'), Buffer.from([0xe9]), Buffer.from(' au lait\n')]);
  await upload(page, 'latin1.csv', latin1);
  await expect(error).toContainText('byte 21 (line 3) is 0xE9');
  await expect(error).toContainText('"é"');
  await page.getByRole('button', { name: 'Read it as Windows-1252 (Latin-1) instead' }).click();
  await expect(page.getByTestId('encoding-note')).toContainText('Windows-1252');
  await expect(page.locator('table.preview')).toContainText('café au lait');
});

test('human labels outside the codebook are flagged at import with rows, and never drafted into a codebook unseen', async ({ page }) => {
  await freshApp(page);
  // A fresh project: 0/1/2 and one stray "maybe" on data row 17.
  const rows = Array.from({ length: 300 }, (_, i) => `t${i + 1},"post number ${i + 1}",${i === 16 ? 'maybe' : i % 3}`);
  await upload(page, 'coded.csv', ['id,text,label', ...rows].join('\n'));
  const flags = page.getByTestId('label-flags');
  await expect(flags).toContainText('“maybe” — 1 row (17)');
  await page.getByRole('button', { name: 'Import 300 texts' }).click();
  await page.locator('[data-step="codebook"]').click();
  for (const name of ['0', '1', '2']) await expect(page.locator('.label-row input').nth(Number(name))).toHaveValue(name);
  await expect(page.locator('.label-row')).toHaveCount(3);
  await expect(page.getByTestId('left-out-labels')).toContainText('“maybe” — 1 row (t17)');
  await page.screenshot({ path: `${SHOTS}/codebook-left-out.png`, fullPage: true });

  // A project with a codebook: new data with a label it does not have is flagged with its rows.
  await page.getByLabel('Import codebook').setInputFiles(`${FIXTURES}/tiny-sentiment.codebook.json`);
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved as version 1');
  await page.locator('[data-step="data"]').click();
  await page.getByRole('button', { name: 'Import other data…' }).click();
  const csv = ['id,text,label', 'a,"good",positive', 'b,"bad",negative', 'c,"meh",neutral', 'd,"fine",positive', 'e,"so-so",neutral'].join(
    '\n',
  );
  await upload(page, 'more.csv', csv);
  await expect(flags).toContainText('not in the codebook (positive, negative)');
  await expect(flags).toContainText('“neutral” — 2 rows (3, 5): not a label of the codebook');
  await page.screenshot({ path: `${SHOTS}/import-flags.png`, fullPage: true });
});

test('a 10 MB field: the row is named with its size, the table clamps it, and the Teacher step estimates while the page stays responsive', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await freshApp(page);
  const big = 'a'.repeat(10 * 1024 * 1024);
  const rows = Array.from(
    { length: 30 },
    (_, i) => `r${i + 3},"review ${i} was ${i % 2 ? 'great' : 'terrible'}",${i % 2 ? 'positive' : 'negative'}`,
  );
  const csv = ['id,text,label', 'r1,"a short one",positive', `r2,"${big}",negative`, ...rows].join('\n');
  await upload(page, 'big.csv', csv);
  await expect(page.getByTestId('truncated-texts')).toContainText('row 2 had 10,485,760');
  // Keep the whole text: the worst case for the estimate.
  await page.getByLabel('Cut long texts').uncheck();
  await expect(page.getByTestId('truncated-texts')).toHaveCount(0);
  await expect(page.getByTestId('long-texts')).toContainText('row 2: 10,485,760 characters');
  await page.screenshot({ path: `${SHOTS}/mapping-10mb.png`, fullPage: true });
  await page.getByRole('button', { name: 'Import 32 texts' }).click();
  await expect(page.getByTestId('row-count')).toHaveText('32 texts');
  await page.getByLabel('Validation size').fill('8');
  await page.getByLabel('Test size').fill('8');
  await page.getByRole('button', { name: 'Re-split' }).click();
  await expect(page.getByTestId('split-counts')).toContainText('Validation: 8');
  // The table shows a few lines of it, not 815,268 px of "a".
  expect(await page.evaluate(() => document.documentElement.scrollHeight)).toBeLessThan(20_000);
  await expect(page.getByRole('button', { name: 'show all (10,485,760 characters)' })).toBeVisible();
  await page.screenshot({ path: `${SHOTS}/data-10mb.png`, fullPage: true });

  await page.locator('[data-step="codebook"]').click();
  await page.getByLabel('Import codebook').setInputFiles(`${FIXTURES}/tiny-sentiment.codebook.json`);
  await page.getByRole('button', { name: 'Save version' }).click();
  await expect(page.getByRole('status')).toContainText('Saved as version 1');
  await page.getByRole('button', { name: /^Settings/ }).click();
  await page.getByLabel('Base URL').fill(`${MOCK_URL}/v1`);
  await page.getByLabel('Model', { exact: true }).fill('mock-model');
  await page.getByRole('button', { name: 'Save', exact: true }).click();

  await startProbe(page);
  await page.locator('[data-step="teacher"]').click();
  await page.getByLabel('Label all texts').check();
  await expect(page.getByTestId('estimate')).toContainText('32 texts', { timeout: 5_000 });
  await expect(page.getByTestId('estimate-approximate')).toBeVisible();
  const p1 = await probe(page);
  expect(p1.beats).toBeGreaterThan(0);
  expect(p1.maxGap).toBeLessThan(2_000);
  await page.screenshot({ path: `${SHOTS}/teacher-10mb.png`, fullPage: true });

  // The app reopens on the Teacher step: it must not freeze there either.
  await page.reload();
  await startProbe(page);
  await expect(page.getByTestId('estimate')).toContainText('32 texts', { timeout: 5_000 });
  const p2 = await probe(page);
  expect(p2.beats).toBeGreaterThan(0);
  expect(p2.maxGap).toBeLessThan(2_000);
});
