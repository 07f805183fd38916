// Issue 31: hostile project files. A project labelled through the UI is
// exported; the file is then damaged in the test (cut short, duplicate and
// traversal names, a reserved step, a zip bomb, bit flips, a 4 MB name) and
// each variant imported through the Export step. Each either imports
// correctly or is refused with a message naming the file and the reason; the
// project list stays as it was; the page never stalls (main-thread probe);
// answers imported with a copy are shown as imported and never counted for
// the original; after a reload the app opens and its answers are all there.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { strFromU8, strToU8, unzipSync, zipSync, type Zippable } from 'fflate';
import { blobSink, ZipWriter } from '../../src/lib/data/zip';
import { freshApp, maxGap, MOCK_URL, mockConfig, mockReset, runToEnd, SENTIMENT_RULES, setupProject, startProbe } from './helpers';

const SHOTS = process.env.SHOTS_DIR ?? 'test-results/hostile-project';

/** A zip of `entries` in order, duplicates allowed, written by the app's own zip writer. */
async function rawZip(entries: [string, Uint8Array][]): Promise<Uint8Array> {
  const sink = blobSink('application/zip');
  const w = new ZipWriter(sink);
  for (const [name, bytes] of entries) await w.add(name, bytes);
  await w.finish();
  return new Uint8Array(await sink.blob().arrayBuffer());
}

async function pointAtMock(page: Page): Promise<void> {
  await page.getByRole('button', { name: /^Settings/ }).click();
  await page.getByLabel('Base URL').fill(`${MOCK_URL}/v1`);
  await page.getByLabel('Model', { exact: true }).fill('mock-model');
  await page.getByRole('button', { name: 'Save', exact: true }).click();
}

const json = (b: Uint8Array) => JSON.parse(strFromU8(b)) as Record<string, unknown>;
const put = (v: unknown) => strToU8(JSON.stringify(v));

async function importFile(page: Page, name: string, bytes: Uint8Array): Promise<string> {
  const panel = page.getByRole('region', { name: 'Project file' });
  const status = panel.locator('p[role="status"]:not([data-testid="project-file-progress"])');
  const before = (await status.count()) > 0 ? await status.textContent() : null;
  // From a path, as a person picks a file: a buffer would be decoded by script on the page (seconds for MBs), which the probe would count.
  const path = `${SHOTS}/files/${name}`;
  mkdirSync(`${SHOTS}/files`, { recursive: true });
  writeFileSync(path, bytes);
  await page.getByLabel('Import project').setInputFiles(path);
  await expect(status).toHaveCount(1, { timeout: 30_000 });
  if (before !== null) await expect(status).not.toHaveText(before, { timeout: 30_000 });
  await expect(panel.getByTestId('project-file-progress')).toHaveCount(0, { timeout: 30_000 });
  return (await status.textContent()) ?? '';
}

test.beforeEach(async () => {
  await mockReset();
});

test('hostile project files are refused in words or imported whole; nothing of ours changes, and the tab stays responsive', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await mockConfig({ models: ['mock-model'], rules: SENTIMENT_RULES, seed: 3 });
  await setupProject(page, { apiKey: 'sk-test' });
  await page.locator('[data-step="teacher"]').click();
  await page.getByLabel('Label all texts').check();
  await runToEnd(page);
  await expect(page.getByTestId('teacher-done')).toHaveText('174 / 174');

  await page.locator('[data-step="export"]').click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export project' }).click()]);
  const file = unzipSync(new Uint8Array(readFileSync((await download.path())!)));
  const manifest = json(file['surrogate.json']);
  const project = manifest.project as Record<string, unknown>;
  // Another browser: nothing stored but the endpoint settings.
  await freshApp(page);
  await pointAtMock(page);
  await page.locator('[data-step="export"]').click();
  const projects = page.getByLabel('Project', { exact: true }).locator('option');
  const listed = await projects.count();

  const { ['end.json']: _end, ...cut } = file;
  const zeros = new Uint8Array(64 * 2 ** 20);
  const flipped = zipSync(file as Zippable, { level: 0 });
  flipped[flipped.length >> 1] ^= 0x5a;
  const refused: [string, Uint8Array, RegExp][] = [
    ['cut.zip', zipSync(cut as Zippable), /cut\.zip: .*damaged.*cut short \(it lacks end\.json\)/],
    [
      'twice.zip',
      await rawZip([...Object.entries(file), ['rows/0.json', file['rows/0.json']]]),
      /twice\.zip: .*two entries named rows\/0\.json/,
    ],
    [
      'climb.zip',
      zipSync({ ...file, 'models/../../../../tmp/evil.json': put({ id: 'x' }) } as Zippable),
      /climb\.zip: .*entry named models\/\.\.\/\.\.\/\.\.\/\.\.\/tmp\/evil\.json, which is not part of a project file/,
    ],
    [
      'proto.zip',
      zipSync({ ...file, 'surrogate.json': put({ ...manifest, project: { ...project, step: '__proto__' } }) } as Zippable),
      /proto\.zip: .*saved step "__proto__" is not a step/,
    ],
    ['bomb.zip', zipSync({ ...file, 'rows/0.json': zeros } as Zippable), /bomb\.zip: .*rows\/0\.json would inflate \d+-fold/],
    ['flipped.zip', flipped, /flipped\.zip: .*damaged/],
  ];

  await startProbe(page);
  const gaps: [string, number][] = [];
  for (const [name, bytes, message] of refused) {
    await test.step(name, async () => {
      await maxGap(page);
      const text = await importFile(page, name, bytes);
      gaps.push([name, await maxGap(page)]);
      expect(text).toMatch(message);
      expect(text).not.toMatch(/Cannot read|is not a function|undefined/);
      await expect(projects).toHaveCount(listed);
    });
  }
  await page.screenshot({ path: `${SHOTS}/refused.png`, fullPage: true });
  await maxGap(page); // a screenshot holds the page: not the import's

  await test.step('a 4 MB name imports, cut; its answers count for it, shown as imported', async () => {
    let long = '';
    while (long.length < 4e6) long += Math.random().toString(36).slice(2);
    const named = zipSync({ ...file, 'surrogate.json': put({ ...manifest, project: { ...project, name: long } }) } as Zippable);
    const { ['end.json']: _e, ...namedCut } = unzipSync(named);
    await maxGap(page);
    await importFile(page, 'named-cut.zip', zipSync(namedCut as Zippable));
    gaps.push(['named-cut.zip', await maxGap(page)]);
    await maxGap(page);
    const text = await importFile(page, 'named.zip', named);
    gaps.push(['named.zip', await maxGap(page)]);
    expect(text).toMatch(/^Imported “.*”\. Its 174 LLM answers are marked as imported: they count for this project only\.$/);
    expect(text.length).toBeLessThan(1000);
    await expect(projects).toHaveCount(listed + 1);
    await expect(page.getByTestId('imported-answers')).toContainText(
      '174 of the 174 stored LLM answers were imported with a project file (named.zip)',
    );
    await page.locator('[data-step="teacher"]').click();
    await expect(page.getByTestId('estimate-cached')).toContainText('174 already stored');
    await expect(page.getByTestId('estimate-imported')).toContainText('174 of them imported with the project file');
    await expect(page.getByTestId('estimate-calls')).toContainText('0 requests to send');
  });

  await test.step("the same file again: the first copy's imported answers are never counted for the second", async () => {
    await page.locator('[data-step="export"]').click();
    await maxGap(page);
    const text = await importFile(page, 'again.zip', zipSync(file as Zippable));
    gaps.push(['again.zip', await maxGap(page)]);
    expect(text).toMatch(/^Imported “.*174 of its answers were already stored in this browser and were kept as they were/);
    await page.locator('[data-step="teacher"]').click();
    await expect(page.getByTestId('estimate-cached')).toContainText('0 already stored');
    await expect(page.getByTestId('estimate-calls')).not.toContainText('0 requests to send');
  });
  // The page's main thread while each file was read, checked and written (in the worker) and the project opened.
  console.log(gaps.map(([n, g]) => `${n} ${Math.round(g)} ms`).join(', '));
  for (const [name, gap] of gaps) expect(gap, name).toBeLessThan(200);
  await page.screenshot({ path: `${SHOTS}/imported.png`, fullPage: true });

  await test.step('after a reload the app opens, and the first copy still has its imported answers', async () => {
    await page.reload();
    const select = page.getByLabel('Project', { exact: true });
    await expect(select.locator('option')).toHaveCount(listed + 2);
    // The first copy: the one with the (cut) 4 MB name.
    const options = await select
      .locator('option')
      .evaluateAll((os) => os.map((o) => [(o as HTMLOptionElement).value, o.textContent ?? '']));
    const first = options.find(([, text]) => text.length > 150);
    expect(first, JSON.stringify(options.map(([v, t]) => [v, t.length]))).toBeDefined();
    await select.selectOption(first![0]);
    await page.locator('[data-step="teacher"]').click();
    await expect(page.getByTestId('estimate-imported')).toContainText('174 of them imported with the project file');
  });
});
