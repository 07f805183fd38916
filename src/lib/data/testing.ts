// Spec helpers for the data stage (not part of the app).
import { expect } from 'vitest';
import { ImportError } from './errors';

/** The ImportError `fn` throws; fails the test when it throws something else or nothing. */
export function importError(fn: () => unknown): ImportError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return e as ImportError;
  }
  throw new Error('expected an ImportError');
}

/** The ImportError `p` rejects with; fails the test when it rejects with something else or resolves. */
export async function importErrorAsync(p: Promise<unknown>): Promise<ImportError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ImportError);
    return e as ImportError;
  }
  throw new Error('expected an ImportError');
}
