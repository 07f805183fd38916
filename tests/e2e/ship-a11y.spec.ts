// Issue 15: accessibility. axe-core finds no WCAG 2 A/AA violation on any step
// of a project that has run Compare (with the runtime and settings panels open
// too); every step is reachable by keyboard, and focus is visible.
import AxeBuilder from '@axe-core/playwright';
import { test, expect, type Page } from '@playwright/test';
import { mockConfig, mockReset, setupProject, SENTIMENT_RULES, useTinyEncoder } from './helpers';

const STEPS = ['data', 'codebook', 'teacher', 'validate', 'train', 'compare', 'export'] as const;

/** axe's violations as short readable lines (rule, impact, the first nodes), so a failure says what to fix. */
async function violations(page: Page): Promise<string[]> {
  const r = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
  return r.violations.map(
    (v) =>
      `${v.id} (${v.impact}): ${v.help} — ${v.nodes
        .slice(0, 3)
        .map((n) => n.target.join(' '))
        .join(' | ')}${v.nodes.length > 3 ? ` (+${v.nodes.length - 3})` : ''}`,
  );
}

/** The element that has focus, and whether it shows a focus ring (outline or box-shadow). */
async function focused(page: Page): Promise<{ text: string; step: string | null; visible: boolean } | null> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return null;
    const s = getComputedStyle(el);
    const ring = (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || (s.boxShadow !== 'none' && s.boxShadow !== '');
    return {
      text: (el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 60),
      step: el.dataset.step ?? null,
      visible: ring,
    };
  });
}

test.beforeEach(async () => {
  await mockReset();
  await mockConfig({ models: ['mock-model'], rules: SENTIMENT_RULES, flip: 0.3, seed: 5 });
});

test('no axe violations on any step of a finished comparison; keyboard reaches every step with visible focus', async ({ page }) => {
  test.setTimeout(420_000);
  await setupProject(page, { path: '/?tfjs=wasm' });
  await page.locator('[data-step="teacher"]').click();
  await page.getByRole('button', { name: 'Start labeling' }).click();
  await expect(page.getByTestId('teacher-state')).toHaveText('Done', { timeout: 90_000 });
  await useTinyEncoder(page);
  await page.locator('[data-step="compare"]').click();
  await page.getByRole('button', { name: 'Run comparison' }).click();
  await expect(page.getByTestId('comparison-table')).toBeVisible({ timeout: 240_000 });

  const found: Record<string, string[]> = {};
  for (const step of STEPS) {
    await page.locator(`[data-step="${step}"]`).click();
    await expect(page.getByTestId('step-loading')).toHaveCount(0);
    await page.waitForTimeout(300); // let charts draw and lists settle
    found[step] = await violations(page);
  }
  await page.getByTestId('backend-badge').click();
  await page.getByRole('button', { name: /^Settings/ }).click();
  found['runtime and settings panels'] = await violations(page);
  expect(found).toEqual(Object.fromEntries(Object.keys(found).map((k) => [k, []])));

  await test.step('charts carry their data as a table', async () => {
    await page.locator('[data-step="compare"]').click();
    for (const id of ['chart-bars', 'chart-sweep', 'chart-curve']) {
      const chart = page.getByTestId(id);
      await expect(chart.locator('table')).toHaveCount(1);
      await expect(chart.getByRole('img')).toHaveAttribute('aria-label', /\S/);
    }
    await page.getByTestId('chart-bars').getByText('The data as a table').click();
    await expect(page.getByTestId('chart-bars').locator('table tbody tr').first()).toBeVisible();
    await page.getByTestId('chart-bars').screenshot({ path: 'test-results/ship/chart-table.png' });
  });

  await test.step('keyboard: Tab reaches every step button, each with a visible focus ring', async () => {
    await page.reload();
    await page.locator('body').click({ position: { x: 1, y: 1 } });
    const seen: { text: string; step: string | null; visible: boolean }[] = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (f) seen.push(f);
    }
    for (const step of STEPS)
      expect(
        seen.some((s) => s.step === step),
        `the ${step} step reachable by Tab`,
      ).toBe(true);
    expect(seen.filter((s) => !s.visible)).toEqual([]);
    // Enter on a focused step opens it.
    await page.locator('[data-step="export"]').focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: 'Export project' })).toBeVisible();
  });
});
