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

/** An import of the store, spelled `$lib/store…` or relative. */
const STORE_IMPORT = /(from\s+|import\()['"](\$lib\/|[./]*(lib\/)?)store(\/[^'"]*)?['"]/;

describe('layers', () => {
  it('no component imports from src/lib/store', () => {
    const offenders = files('src/components').filter((f) => STORE_IMPORT.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the rule sees both spellings of an import', () => {
    expect(
      ["import * as s from '$lib/store';", "from '../../lib/store/db'", "await import('$lib/store/zip')"].every((l) =>
        STORE_IMPORT.test(l),
      ),
    ).toBe(true);
    expect(STORE_IMPORT.test("from '$lib/state/project-data'")).toBe(false);
  });
});
