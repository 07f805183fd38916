// Issue 3: without WebGPU the app falls back in the documented order
// (webgpu → webgl → wasm → cpu) and says which backend runs.
import { test, expect } from '@playwright/test';
import { CHROMIUM, CHROMIUM_ARGS } from '../../playwright.config';

test.use({
  launchOptions: {
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS.filter((a) => a !== '--enable-unsafe-webgpu').concat('--disable-unsafe-webgpu'),
  },
});

test.describe('without WebGPU', () => {
  test('falls back from webgpu to the next backend and says so', async ({ page }) => {
    await page.goto('/');
    const badge = page.getByTestId('backend-badge');
    // tfjs loads with the first step that needs it, or from the runtime panel.
    await expect(badge).toContainText('tfjs: not loaded yet');
    await badge.click();
    await page.getByRole('button', { name: 'Load and check backends now' }).click();
    await expect(badge).not.toHaveAttribute('data-tfjs', '', { timeout: 90_000 });
    const tfjs = await badge.getAttribute('data-tfjs');
    const tried = (await badge.getAttribute('data-tried'))!.split(',');
    expect(tried[0]).toBe('webgpu:failed');
    expect(['webgl', 'wasm', 'cpu']).toContain(tfjs);
    // Every backend before the one in use failed; the one in use passed its check.
    expect(tried.at(-1)).toBe(`${tfjs}:ok`);
    expect(tried.slice(0, -1).every((t) => t.endsWith(':failed'))).toBe(true);
    await expect(badge).toContainText('transformers.js: wasm');
  });

  test('a forced preference (?tfjs=wasm) runs the wasm backend from the app’s own files', async ({ page }) => {
    const foreign: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith('http://localhost')) foreign.push(r.url());
    });
    await page.goto('/?tfjs=wasm');
    await expect(page.getByTestId('backend-badge')).toHaveAttribute('data-tfjs', 'wasm', { timeout: 90_000 });
    expect(foreign).toEqual([]);
  });
});
