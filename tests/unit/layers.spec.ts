// The layering rules of docs/ARCHITECTURE.md, checked on the source: components
// display and dispatch, so they never import the store directly.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(svelte|ts)$/.test(f) && !f.endsWith('.spec.ts') ? [p] : [];
  });
}

describe('layers', () => {
  it('no component imports from src/lib/store', () => {
    const offenders = files('src/components').filter((f) => /from\s+['"][./]*(lib\/)?store(\/[^'"]*)?['"]/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });
});
