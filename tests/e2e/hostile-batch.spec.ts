// Issue 31: hostile Batch outputs and student model files, imported through
// the UI. The Batch files are built from the request file this app exported
// (then answered and damaged: an empty file, the request file itself, bad
// lines, repeated custom_ids, a 50,000-line 60 MB output whose answers
// contradict the live ones); the student files from a head this app's own
// writer saved (then cut, bit-flipped, or with entries named out of the zip).
// Each is imported correctly or refused in words naming the file, the line
// or entry and the reason; paid live answers are never replaced; the page's
// main thread never stalls (< 200 ms between heartbeats); after a reload
// the app opens with every answer there.
import { test, expect, type Page } from '@playwright/test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { strToU8, zipSync } from 'fflate';
import { exportTfjsModel } from '../../src/lib/train/serialize';
import { resolveHeadConfig, type SerializedHead } from '../../src/lib/train/types';
import { maxGap, mockConfig, mockReset, runToEnd, SENTIMENT_RULES, setupProject, startProbe } from './helpers';

const SHOTS = process.env.SHOTS_DIR ?? 'test-results/hostile-batch';

/** Picks `bytes` as file `name` from a path, as a person does (a buffer would be decoded by script on the page). */
function onDisk(name: string, bytes: Uint8Array | string): string {
  const path = `${SHOTS}/files/${name}`;
  mkdirSync(`${SHOTS}/files`, { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

/** Imports through `input` and returns the message `said` shows once it changed. */
async function importVia(page: Page, input: string, said: string, name: string, bytes: Uint8Array | string): Promise<string> {
  const message = page.getByTestId(said);
  const before = (await message.count()) > 0 ? await message.textContent() : null;
  await page.getByLabel(input).setInputFiles(onDisk(name, bytes));
  await expect(message).toHaveCount(1, { timeout: 60_000 });
  if (before !== null) await expect(message).not.toHaveText(before, { timeout: 60_000 });
  return (await message.textContent()) ?? '';
}

type RequestLine = { custom_id: string; body: { n?: number; messages: { content: string }[] } };

test.beforeEach(async () => {
  await mockReset();
});

test('hostile Batch outputs and student files: imported correctly or refused in words; paid answers kept; the tab stays responsive', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await mockConfig({ models: ['mock-model'], rules: SENTIMENT_RULES, seed: 3 });
  await setupProject(page, { apiKey: 'sk-test' });
  await page.locator('[data-step="teacher"]').click();
  await page.getByLabel('Label all texts').check();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export pending as OpenAI Batch JSONL' }).click(),
  ]);
  const requestFile = readFileSync((await download.path())!, 'utf8');
  const input = requestFile
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as RequestLine);
  const answers = input.reduce((n, l) => n + (l.body.n ?? 1), 0);
  expect(answers).toBe(174);
  // Live labelling of the validation sample and the test set first: these answers are paid for.
  await page.getByLabel(/As in the paper/).check();
  await page.getByLabel('Training-pool texts').fill('0');
  await page.getByLabel('Training-pool texts').press('Tab');
  await expect(page.getByTestId('estimate')).toContainText('24 texts');
  await runToEnd(page);
  const live = Number((await page.getByTestId('teacher-done').textContent())!.split(' / ')[0]);
  expect(live).toBeGreaterThan(0);
  await page.getByLabel('Label all texts').check();

  const labelFor = (text: string) => SENTIMENT_RULES.find((r) => text.toLowerCase().includes(r.contains))?.label ?? 'positive';
  const flip = (l: string) => (l === 'positive' ? 'negative' : 'positive');
  /** The Batch API's line for request `l`, every choice labelled by `label`; `pad` characters of an id OpenAI would add. */
  const answer = (l: RequestLine, label: (text: string) => string, pad = 0) => {
    const u = l.body.messages[1].content;
    const text = u.slice(u.indexOf('<text>\n') + 7, u.lastIndexOf('\n</text>'));
    const choices = Array.from({ length: l.body.n ?? 1 }, (_, k) => ({
      index: k,
      finish_reason: 'stop',
      message: { role: 'assistant', content: JSON.stringify({ label: label(text) }), refusal: null },
    }));
    return JSON.stringify({
      id: `batch_req_${'0'.repeat(pad)}`,
      custom_id: l.custom_id,
      response: { status_code: 200, body: { created: 1_700_000_000, choices, usage: { prompt_tokens: 100, completion_tokens: 5 } } },
      error: null,
    });
  };
  // Every request answered against the cue words' opposite (so the live answers conflict), then repeated to 50,000 lines (~60 MB).
  const big: string[] = input.map((l) => answer(l, (t) => flip(labelFor(t)), 1100));
  while (big.length < 50_000) big.push(answer(input[big.length % input.length], labelFor, 1100));
  const bigFile = big.join('\n') + '\n';
  expect(bigFile.length).toBeGreaterThan(55e6);

  const cases: [string, string, RegExp[]][] = [
    ['empty.jsonl', '\n\n', [/^Stored 0 answers from 1 file\./, /empty\.jsonl is empty: it holds no answers/]],
    ['project-batch.jsonl', requestFile, [/project-batch\.jsonl is a request file \(the one uploaded to OpenAI\), not the batch's output/]],
    [
      'bad-lines.jsonl',
      [
        'null',
        '{not json',
        '{"custom_id": 5}',
        JSON.stringify({ custom_id: input[0].custom_id, response: { status_code: 200, body: { choices: 7 } } }),
        answer({ ...input[1], custom_id: 't0123456789abcdef' }, labelFor), // forged: no export of ours has it
      ].join('\n'),
      [
        /^Stored 0 answers from 1 file\./,
        /5 lines or answers could not be used/,
        /bad-lines\.jsonl: Line 1: it is not a Batch output line/,
        /bad-lines\.jsonl: Line 2: it is not valid JSON\./,
        /bad-lines\.jsonl: Line 3: it has no custom_id\./,
        /bad-lines\.jsonl: Line 4: its answer has no choices\./,
        /bad-lines\.jsonl: Line 5: unknown custom_id "t0123456789abcdef" \(was this file made from another export\?\)\./,
      ],
    ],
    [
      'big-output.jsonl',
      bigFile,
      [
        new RegExp(`^Stored ${174 - live} answers from 1 file\\.`),
        new RegExp(
          `${live} answers were already stored and kept as they were \\(\\d+ of them differ from the file's answer; the stored answer was kept\\)`,
        ),
        /49,884 custom_ids appear twice: the first line of each was used \(big-output\.jsonl: Line 117: custom_id "t\w+" was already answered on line 1 of big-output\.jsonl\)\./,
      ],
    ],
  ];

  await startProbe(page);
  const gaps: [string, number][] = [];
  for (const [name, bytes, said] of cases) {
    await test.step(name, async () => {
      await maxGap(page);
      const text = await importVia(page, 'Import batch output', 'batch-message', name, bytes);
      gaps.push([name, await maxGap(page)]);
      for (const re of said) expect(text).toMatch(re);
      expect(text).not.toMatch(/Cannot read|is not a function|is not iterable|undefined/);
      expect(text.length).toBeLessThan(3000);
    });
  }
  await expect(page.getByTestId('batch-message')).toHaveClass(/\bok\b/); // the big file imported: nothing failed, repeats said
  await expect(page.locator('[data-step="teacher"]')).toContainText('58 texts labeled');
  await expect(page.getByTestId('estimate-cached')).toContainText('174 already stored');
  await page.screenshot({ path: `${SHOTS}/batch.png`, fullPage: true });
  await maxGap(page);

  // Student model files: a head written by the app's own writer, then damaged.
  await tf.setBackend('cpu');
  const head: SerializedHead = {
    format: 'surrogate-head/1',
    config: resolveHeadConfig({ kind: 'logreg' }),
    dim: 4,
    nClasses: 2,
    layers: [
      {
        kernel: { shape: [4, 2], values: new Float32Array([1, -1, 0.5, -0.5, 0, 0, 2, -2]) },
        bias: { shape: [2], values: new Float32Array([0.1, -0.1]) },
      },
    ],
  };
  const tfjs = await exportTfjsModel(head);
  const meta = {
    format: 'surrogate-student/1',
    name: 'Their student',
    trainSource: 'llm',
    trainSize: 40,
    encoder: 'tfidf',
    embeddingKey: 'tfidf-v2|0123456789abcdef',
    encoderSettings: null,
    labels: ['negative', 'positive'],
    positive: 'positive',
    headKind: 'logreg',
    best: head.config,
    backend: 'cpu',
    createdAt: new Date(0).toISOString(),
  };
  const entries = {
    'model.json': strToU8(tfjs['model.json']),
    'weights.bin': new Uint8Array(tfjs['weights.bin']),
    'surrogate.json': strToU8(JSON.stringify(meta)),
  };
  const flipped = zipSync(entries, { level: 0 });
  flipped[flipped.length >> 1] ^= 0x5a;
  const { ['surrogate.json']: surrogate, ...rest } = entries;
  const students: [string, Uint8Array, RegExp][] = [
    [
      'climb.zip',
      zipSync({ ...rest, '../../surrogate.json': surrogate }),
      /^Could not import climb\.zip: The model is incomplete: surrogate\.json not found/,
    ],
    [
      'cut.zip',
      zipSync({ ...entries, 'weights.bin': entries['weights.bin'].slice(0, 10) }),
      /^Could not import cut\.zip: model\.json and weights\.bin do not make a model this app reads/,
    ],
    ['flipped.zip', flipped, /^flipped\.zip is not a readable zip file \(.+\)/],
    [
      'proto.zip',
      zipSync({ ...entries, 'surrogate.json': strToU8(JSON.stringify(meta).replace('{', '{"__proto__":{"x":1},')) }),
      /^Could not import proto\.zip: surrogate\.json uses the reserved key/,
    ],
    ['student.zip', zipSync(entries), /^Imported “Their student \(imported\)”\. It expects features from TF-IDF/],
  ];
  await page.locator('[data-step="train"]').click();
  const list = page.getByRole('region', { name: 'Trained students' });
  for (const [name, bytes, said] of students) {
    await test.step(name, async () => {
      await maxGap(page);
      await page.getByLabel('Import model').setInputFiles(onDisk(name, bytes));
      await expect(list.getByRole('status')).toHaveText(said, { timeout: 60_000 });
      gaps.push([name, await maxGap(page)]);
    });
  }
  await expect(page.getByTestId('student-row')).toHaveCount(1);
  await page.screenshot({ path: `${SHOTS}/students.png`, fullPage: true });

  console.log(gaps.map(([n, g]) => `${n} ${Math.round(g)} ms`).join(', '));
  for (const [name, gap] of gaps) expect(gap, name).toBeLessThan(200);

  await test.step('after a reload the app opens, every answer and the imported student there', async () => {
    await page.reload();
    await page.locator('[data-step="teacher"]').click();
    await page.getByLabel('Label all texts').check();
    await expect(page.getByTestId('estimate-cached')).toContainText('174 already stored');
    await expect(page.getByTestId('estimate-calls')).toContainText('0 requests to send');
    await page.locator('[data-step="train"]').click();
    await expect(page.getByTestId('student-row')).toHaveCount(1);
  });
});
