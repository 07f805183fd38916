// Shared e2e helpers: the mock LLM's address and control calls.
import type { Page } from '@playwright/test';

export const MOCK_URL = `http://127.0.0.1:${process.env.MOCK_PORT ?? 8787}`;

export async function mockConfig(config: Record<string, unknown>): Promise<void> {
  const r = await fetch(`${MOCK_URL}/__mock/config`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(config) });
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
    await Promise.all(dbs.map((d) => new Promise((res) => { const r = indexedDB.deleteDatabase(d.name!); r.onsuccess = r.onerror = r.onblocked = () => res(null); })));
  });
  await page.goto(path);
}
