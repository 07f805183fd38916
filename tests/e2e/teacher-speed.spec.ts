// Issue 13: the teacher at the provider's speed. Failed requests survive a
// reload with their errors and "Retry failed" sends exactly those; the run
// paces itself to the server's x-ratelimit-* headers (read through CORS) and
// to the user's own requests-per-minute limit, and shows the live requests at
// once and requests per minute. (How fast, against the mock: the bench.)
import { test, expect, type Page } from '@playwright/test';
import { PROBE_SYSTEM } from '../../src/lib/teacher/profile';
import { setNumber, chatCalls, mockConfig, mockReset, setupProject, SENTIMENT_RULES, type MockLogEntry } from './helpers';

const SHOTS = process.env.SHOTS_DIR ?? 'test-results/teacher-speed';
const RULES = SENTIMENT_RULES;
const MODEL = { models: ['mock-model'], rules: RULES };

interface ChatBody {
  messages: { role: string; content: string }[];
}
const bodyOf = (e: MockLogEntry) => e.body as ChatBody;
const labelCalls = async () => (await chatCalls()).filter((e) => bodyOf(e).messages[0]?.content !== PROBE_SYSTEM);
const textOf = (e: MockLogEntry) => {
  const u = bodyOf(e).messages.find((m) => m.role === 'user')!.content;
  const start = u.lastIndexOf('<text>\n') + 7;
  return u.slice(start, u.indexOf('\n</text>', start));
};

/** The fixture through the UI; the Teacher step with one answer per text; the model checked before any fault. */
async function setup(page: Page, opts: { all?: boolean } = {}): Promise<void> {
  await setupProject(page, { apiKey: 'sk-test' });
  await page.locator('[data-step="teacher"]').click();
  if (opts.all) await page.getByLabel('Label all texts').check();
  else await setNumber(page, 'Training-pool texts', 0); // the 12 validation and 12 test texts
  await setNumber(page, 'Repeats', 1);
  await page.getByRole('button', { name: 'Check model' }).click();
  await expect(page.getByTestId('probe-message')).toContainText('Checked mock-model');
}

async function runToEnd(page: Page, button = 'Start labeling'): Promise<void> {
  await page.getByRole('button', { name: button }).click();
  await expect(page.getByTestId('teacher-state')).toHaveText(/^Done/, { timeout: 90_000 });
}

/** Most requests the mock received within any `ms`. */
function peak(calls: MockLogEntry[], ms: number): number {
  const t = calls.map((c) => c.at).sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < t.length; i++) {
    while (t[i] - t[j] >= ms) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

test.beforeEach(async () => {
  await mockReset();
});

test('failed requests survive a reload with their errors, and "Retry failed" sends exactly those', async ({ page }) => {
  await mockConfig(MODEL);
  await setup(page, { all: true });
  await setNumber(page, 'Retries', 0);
  await setNumber(page, 'Concurrency', 1);
  // The first three labelling requests get a 500; with no retries they fail for good.
  await mockConfig({ ...MODEL, faults: [{ kind: '500', times: 3 }] });
  await runToEnd(page);
  await expect(page.getByTestId('teacher-failed')).toHaveText('3');
  const failures = page.getByTestId('failures');
  await expect(failures).toContainText('3 answers of 3 texts');
  await expect(failures).toContainText('internal error (500)');
  const failedTexts = (await labelCalls()).slice(0, 3).map(textOf).sort();

  await test.step('a reload shows them failed, with the error, not "to send"', async () => {
    await page.reload();
    await expect(page.getByTestId('labels-table')).toBeVisible();
    await expect(failures).toContainText('3 answers of 3 texts');
    await expect(failures).toContainText('The server had an error (mock).');
    await expect(page.getByTestId('estimate-calls')).toContainText('0 requests to send');
    await expect(page.getByTestId('estimate-failed-requests')).toContainText('3 answers failed in an earlier run');
    await expect(page.locator('[data-step="teacher"]')).toContainText('55 texts labeled');
    await page.screenshot({ path: `${SHOTS}/failed-after-reload.png`, fullPage: true });
  });

  await test.step('Start labeling leaves them failed and sends nothing', async () => {
    const before = (await chatCalls()).length;
    await runToEnd(page);
    await expect(page.getByTestId('teacher-sent')).toHaveText('0');
    await expect(page.getByTestId('teacher-failed')).toHaveText('3');
    expect(await chatCalls()).toHaveLength(before);
  });

  await test.step('Retry failed sends exactly the three, and they become labels', async () => {
    const before = (await labelCalls()).length;
    await expect(page.getByTestId('retry-failed')).toHaveText('Retry failed (3)');
    await runToEnd(page, 'Retry failed (3)');
    const retried = (await labelCalls()).slice(before);
    expect(retried.map(textOf).sort()).toEqual(failedTexts);
    await expect(page.getByTestId('teacher-failed')).toHaveText('0');
    await expect(page.getByTestId('teacher-sent')).toHaveText('3');
    await expect(page.getByTestId('failures')).toHaveCount(0);
    await expect(page.getByTestId('retry-failed')).toHaveCount(0);
    await expect(page.locator('[data-step="teacher"]')).toContainText('58 texts labeled');
  });
});

test('paces to the server’s x-ratelimit headers, showing requests at once and requests per minute', async ({ page }) => {
  await mockConfig(MODEL);
  await setup(page);
  await setNumber(page, 'Concurrency', 4);
  // A shared limit of 120 a minute with room for 4 at once; the page may read the headers.
  await mockConfig({ ...MODEL, latencyMs: 150, exposeRateLimitHeaders: true, rateLimit: { requestsPerMinute: 120, burst: 4 } });
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await expect(page.getByTestId('teacher-pacing')).toContainText('request limit is used up (x-ratelimit-remaining-requests)', {
    timeout: 30_000,
  });
  await expect(page.getByTestId('teacher-concurrency')).toHaveText(/^[1-4] of 4$/);
  await expect(page.getByTestId('teacher-rpm')).toHaveText(/^\d+$/);
  await page.screenshot({ path: `${SHOTS}/paced.png`, fullPage: true });
  await expect(page.getByTestId('teacher-state')).toHaveText('Done', { timeout: 90_000 });
  await expect(page.getByTestId('teacher-done')).toHaveText('24 / 24');
  // Paced, not turned down: at most one 429 on the way (a request sent before the first header came back).
  const sent = Number(await page.getByTestId('teacher-sent').textContent());
  expect(sent - 24).toBeLessThanOrEqual(1);
  await expect(page.getByTestId('teacher-failed')).toHaveText('0');
});

test('paces to the user’s requests per minute when the server sends no headers', async ({ page }) => {
  await mockConfig(MODEL);
  await setup(page);
  await setNumber(page, 'Concurrency', 8);
  await setNumber(page, 'Requests per minute', 120);
  const before = (await chatCalls()).length;
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await expect(page.getByTestId('teacher-pacing')).toHaveText('Paced to your limit of 120 requests per minute.', { timeout: 30_000 });
  await expect(page.getByTestId('teacher-state')).toHaveText('Done', { timeout: 90_000 });
  const calls = (await chatCalls()).slice(before);
  expect(calls).toHaveLength(24);
  // Two a second, evenly: never a burst of eight.
  expect(peak(calls, 1000)).toBeLessThanOrEqual(3);
});
