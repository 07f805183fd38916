// The layering rules of docs/ARCHITECTURE.md, checked on the source: components
// display and dispatch, so they never import the store directly; state/ holds
// only state classes; the page's modules never pull in transformers.js.
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

  it('src/lib/state holds only *.svelte.ts classes and their specs', () => {
    const other = readdirSync('src/lib/state').filter((f) => !/\.svelte\.ts$|\.spec\.ts$/.test(f));
    expect(other).toEqual([]);
  });

  it('no state class or component imports transformers.js or embed/runtime (only the workers do)', () => {
    const RUNTIME = /(from\s+|import\()['"](@huggingface\/transformers|[^'"]*embed\/runtime)['"]/;
    const offenders = [...files('src/lib/state'), ...files('src/components')].filter((f) => RUNTIME.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the rule sees both spellings of an import', () => {
    expect(
      ["import * as s from '$lib/store';", "from '../../lib/store/db'", "await import('$lib/store/zip')"].every((l) =>
        STORE_IMPORT.test(l),
      ),
    ).toBe(true);
    expect(STORE_IMPORT.test("from '$lib/state/project-data.svelte'")).toBe(false);
  });
});
