// OfflineState.explainLoadFailure: an encoder load that failed offline says
// what was never saved in this browser; online, the error passes unchanged.
import { afterEach, describe, expect, it, vi } from 'vitest';
import '../../../tests/unit/page-globals';
import type { CacheStatus } from '../offline/protocol';

const { OfflineState } = await import('./offline.svelte');

const status = (ortSaved: boolean): CacheStatus => ({
  shellVersion: 'v',
  shellReady: true,
  shellBytes: 7_600_000,
  runtimeBytes: 28_100_000,
  runtimeCached: ortSaved ? 26_900_000 : 0,
  runtimes: [
    { name: 'ONNX Runtime', usedBy: 'encoders', saved: ortSaved, savedBytes: ortSaved ? 26_900_000 : 0, downloadBytes: 26_900_000 },
    { name: 'tfjs wasm', usedBy: 'training', saved: false, savedBytes: 0, downloadBytes: 436_000 },
  ],
});

describe('explainLoadFailure', () => {
  afterEach(() => vi.unstubAllGlobals());
  const failed = new Error('Failed to fetch');

  it('online: the error as it was', async () => {
    vi.stubGlobal('navigator', { onLine: true });
    const s = new OfflineState();
    s.cache = status(false);
    expect(await s.explainLoadFailure(failed, null)).toBe(failed);
  });

  it('offline: names ONNX Runtime when its first use is still to come, keeping the cause', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    const s = new OfflineState();
    s.cache = status(false);
    const e = (await s.explainLoadFailure(failed, null)) as Error;
    expect(e.message).toBe(
      'You are offline, and ONNX Runtime (26.9 MB) is not saved in this browser yet: its first use needs a connection once; after that it works offline (Failed to fetch).',
    );
  });

  it('offline with ONNX Runtime saved: still says the first use needs a connection', async () => {
    vi.stubGlobal('navigator', { onLine: false });
    const s = new OfflineState();
    s.cache = status(true);
    const e = (await s.explainLoadFailure(failed, null)) as Error;
    expect(e.message).toMatch(
      /^You are offline, and part of what it loads is not saved in this browser yet: its first use needs a connection once/,
    );
  });
});
