// One dataset through the built app, step by step as a user would click it
// (Data → Codebook → Settings → Teacher → Train → Compare → Export). Only
// stable hooks are used: data-testids and accessible names of the components.
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';

const MINUTE = 60_000;

/** The app's prompt rule (src/lib/codebook/prompt.ts neutraliseDelimiters): the mock sees texts this way. */
export const neutralise = (text) => text.replace(/<\s*(\/?)\s*text\s*>/gi, (_m, slash) => `<${slash}text_>`);

async function mockConfig(mockUrl, config) {
  const r = await fetch(`${mockUrl}/__mock/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!r.ok) throw new Error(`mock config failed: HTTP ${r.status}`);
}

/** Waits until `locator` has `text` in it (the page may re-render in between). */
const hasText = (locator, text, timeout = MINUTE) => locator.filter({ hasText: text }).first().waitFor({ timeout });

/** Raw IndexedDB reads in the page: the app's stored rows, or its saved comparisons. */
function readStore(page, storeName) {
  return page.evaluate(
    (name) =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open('surrogate');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const req = db.transaction(name, 'readonly').objectStore(name).getAll();
          req.onerror = () => reject(req.error);
          req.onsuccess = () => {
            db.close();
            resolve(req.result);
          };
        };
      }),
    storeName,
  );
}

/**
 * Runs one dataset: returns the Compare step's conditions, the gaps the paper
 * reports, teacher counters and per-stage times.
 */
export async function appFlow({ context, appUrl, mockUrl, dataset: d, sizes, grid, unparseable }) {
  const t0 = Date.now();
  const ms = {};
  const page = await context.newPage();
  // Each distinct page error once (a chart redraw can repeat one many times); kept for the JSON.
  const pageErrors = new Set();
  page.on('pageerror', (e) => {
    if (!pageErrors.has(e.message)) console.error(`  [page error] ${e.message}`);
    pageErrors.add(e.message);
  });
  page.on('console', (m) => {
    if (process.env.BENCH_VERBOSE || m.type() === 'error') console.error(`  [page ${m.type()}] ${m.text()}`);
  });
  const [pos, posDef] = d.cls.pos;
  const [neg, negDef] = d.cls.neg;
  await page.goto(`${appUrl}/?tfjs=wasm`);

  // 1. Data: the CSV through the file input, columns and label names mapped, then the splits.
  await page.getByTestId('file-input').setInputFiles(d.file);
  await page.getByLabel('Text column').selectOption('text');
  await page.getByLabel('Id column').selectOption('id');
  await page.getByLabel('Label column').selectOption('label');
  await page.getByLabel('Label name for 1').fill(pos);
  await page.getByLabel('Label name for 0').fill(neg);
  // The preview shows the renamed labels once the mapping worker has re-applied the names.
  const exact = (x) => new RegExp(`^\\s*${x.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*$`);
  await page
    .locator('td')
    .filter({ hasText: exact(pos) })
    .or(page.locator('td').filter({ hasText: exact(neg) }))
    .first()
    .waitFor({ timeout: MINUTE });
  await page.getByRole('button', { name: /^Import [\d,]+ texts$/ }).click();
  await page.getByTestId('row-count').waitFor({ timeout: MINUTE });
  await page.getByLabel('Validation size').fill(String(sizes.validation));
  await page.getByLabel('Test size').fill(String(sizes.test));
  await page.getByRole('button', { name: 'Re-split' }).click();
  await hasText(page.getByTestId('split-counts'), `Validation: ${sizes.validation}`);
  const splitText = (await page.getByTestId('split-counts').textContent()).replace(/\s+/g, ' ').trim();
  ms.import = Date.now() - t0;

  // The mock replays the recorded answer of each text exactly as the app stored and will send it.
  const chunks = await readStore(page, 'rows');
  const rows = chunks.sort((a, b) => a.index - b.index).flatMap((c) => c.rows);
  const strays = rows.filter((r) => r.human !== pos && r.human !== neg).length;
  if (strays > 0) throw new Error(`${d.name}: ${strays} imported rows have a human label other than ${pos} / ${neg}`);
  const replay = {};
  let unparseableRows = 0;
  for (const r of rows) {
    const rec = d.recorded.get(r.id);
    if (rec) replay[neutralise(r.text)] = rec;
    else unparseableRows++;
  }
  await mockConfig(mockUrl, { models: ['gpt-4-replay'], labels: [pos, neg], replay, fallback: unparseable });

  // 2. Codebook: the dataset's codebook.md as instructions, README definitions, positive class.
  await page.locator('[data-step="codebook"]').click();
  await page.getByLabel('Task name').fill(d.task);
  await page.getByLabel('Instructions').fill(d.instructions);
  for (const i of [1, 2]) {
    const name = await page.getByLabel(`Label ${i} name`).inputValue();
    if (name !== pos && name !== neg) throw new Error(`${d.name}: the codebook draft has label "${name}", expected ${pos} / ${neg}`);
    await page.getByLabel(`Label ${i} definition`).fill(name === pos ? posDef : negDef);
  }
  await page.getByLabel('Positive class').selectOption(pos);
  await page.getByRole('button', { name: 'Save version' }).click();
  await hasText(page.getByRole('status'), 'Saved as version 1');

  // Settings: the mock's OpenAI-compatible endpoint.
  await page.getByRole('button', { name: /^Settings/ }).click();
  await page.getByLabel('Base URL').fill(`${mockUrl}/v1`);
  await page.getByLabel('Model', { exact: true }).fill('gpt-4-replay');
  await page.getByRole('button', { name: 'Save', exact: true }).click();

  // 3. Teacher: one answer per text (the recorded one), scope as in the paper.
  const t1 = Date.now();
  await page.locator('[data-step="teacher"]').click();
  await page.getByLabel('Repeats').fill('1');
  await page.getByLabel('Repeats').press('Tab');
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await hasText(page.getByTestId('teacher-state'), 'Done', 10 * MINUTE);
  const counter = async (id) => Number((await page.getByTestId(id).textContent()).split('/')[0].replace(/[^\d]/g, ''));
  const teacherRun = {
    answers: await counter('teacher-done'),
    sent: await counter('teacher-sent'),
    failed: await counter('teacher-failed'),
    invalid: await counter('teacher-invalid'),
  };
  ms.teacher = Date.now() - t1;

  // 4. Train: the project's encoder becomes TF-IDF (no model weights here).
  await page.locator('[data-step="train"]').click();
  await page.getByLabel('Encoder kind').selectOption('tfidf');

  // 6. Compare: the whole design in one click; the result is read from IndexedDB.
  const t2 = Date.now();
  await page.locator('[data-step="compare"]').click();
  await hasText(page.getByLabel('Run the comparison'), 'Encoder: TF-IDF');
  // The Adam grid choice exists only for the "as in the paper" heads; the default linear head cross-validates C.
  if (grid && (await page.getByLabel('Hyper-parameter search').count()) > 0)
    await page.getByLabel('Hyper-parameter search').selectOption(grid);
  await page.getByRole('button', { name: 'Run comparison' }).click();
  const failed = page.getByLabel('Run the comparison').getByRole('alert');
  await page
    .getByTestId('comparison-table')
    .or(failed)
    .first()
    .waitFor({ timeout: 30 * MINUTE });
  if (await failed.count()) throw new Error(`${d.name}: the comparison failed: ${await failed.first().textContent()}`);
  const domRows = await page.getByTestId('comparison-table').locator('tbody tr').count();
  ms.compare = Date.now() - t2;
  if (process.env.BENCH_SHOTS) await page.screenshot({ path: `${process.env.BENCH_SHOTS}/${d.name}-compare.png`, fullPage: true });
  const saved = (await readStore(page, 'results')).filter((r) => r.kind === 'comparison').sort((a, b) => a.createdAt - b.createdAt);
  const result = saved.at(-1)?.data;
  if (!result) throw new Error(`${d.name}: no comparison was saved`);
  if (result.rows.length !== domRows)
    throw new Error(`${d.name}: the table shows ${domRows} rows, the saved comparison ${result.rows.length}`);

  // 7. Export: the corpus CSV's teacher column against the recorded answers.
  await page.locator('[data-step="export"]').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Corpus CSV' }).click()]);
  const corpus = Papa.parse(readFileSync(await download.path(), 'utf8'), { header: true, skipEmptyLines: true }).data;
  // Scope "as in the paper" asks about every row here (pool ≤ 1000); an unparseable recorded answer must leave majority empty.
  const agree = corpus.filter((r) => (r.majority || null) === (d.recorded.get(r.id) ?? null)).length;
  await page.close();

  const conditions = result.rows.map((r) => ({
    id: r.id,
    name: r.name,
    kind: r.kind,
    trainSource: r.trainSource,
    trainSize: r.trainSize,
    roles: r.roles.map((x) => x.kind),
    f1: r.metrics.f1 ?? NaN,
    f1Lo: r.ci.f1?.lo ?? NaN,
    f1Hi: r.ci.f1?.hi ?? NaN,
    precision: r.metrics.precision ?? NaN,
    recall: r.metrics.recall ?? NaN,
    accuracy: r.metrics.accuracy,
  }));
  const llm = conditions.find((c) => c.kind === 'teacher');
  const main = conditions.find((c) => c.roles.includes('main'));
  // The largest human-label student stands for "student on human labels", as in the core run.
  const human = conditions.filter((c) => c.trainSource === 'human').sort((a, b) => (b.trainSize ?? 0) - (a.trainSize ?? 0))[0];
  return {
    dataset: d.name,
    llmColumn: d.llmColumn,
    grid,
    splits: splitText,
    testN: result.run.testN,
    validationN: result.run.validationN,
    teacher: {
      ...teacherRun,
      unparseableRows,
      exportedRows: corpus.length,
      agreementWithRecorded: corpus.length ? agree / corpus.length : NaN,
    },
    conditions,
    students: result.students.map((s) => ({ name: s.name, trainSize: s.trainSize, backend: s.backend, best: s.best })),
    notes: result.notes,
    gapHumanMinusLlmStudent: human && main ? human.f1 - main.f1 : NaN,
    gapLlmStudentMinusLlm: main && llm ? main.f1 - llm.f1 : NaN,
    llmStudentRecall: main?.recall ?? NaN,
    pageErrors: [...pageErrors],
    ms: { ...ms, total: Date.now() - t0 },
  };
}
