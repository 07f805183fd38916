// Issue 3: WebGPU works in real headless Chromium (SwiftShader), tfjs's webgpu
// backend initialises and passes its matmul check, and without WebGPU the app
// falls back in the documented order and says which backend runs.
import { test, expect } from '@playwright/test';

test.describe('with WebGPU', () => {
  test('an adapter exists and tfjs runs on webgpu', async ({ page }) => {
    await page.goto('/');
    const adapter = await page.evaluate(async () => {
      const a = await navigator.gpu?.requestAdapter();
      return a ? a.info.architecture || a.info.vendor || 'adapter' : null;
    });
    expect(adapter).not.toBeNull();
    const badge = page.getByTestId('backend-badge');
    await badge.click(); // tfjs loads with the first step that needs it, or from the runtime panel
    await page.getByRole('button', { name: 'Load and check backends now' }).click();
    // initBackend only accepts a backend whose [[1,2],[3,4]]·[[5,6],[7,8]] is right.
    await expect(badge).toHaveAttribute('data-tfjs', 'webgpu', { timeout: 90_000 });
    await expect(badge).toHaveAttribute('data-tried', 'webgpu:ok');
    await expect(badge).toContainText('tfjs: webgpu');
    await expect(badge).toContainText('transformers.js: webgpu');
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
  });
});
