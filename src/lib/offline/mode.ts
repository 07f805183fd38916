// Small pure decisions of the page side of offline use and isolation.

/** How this page got (or lacks) cross-origin isolation, as the badge says it. */
export type Isolation = 'headers' | 'service-worker' | 'none';

/**
 * `isolated`: crossOriginIsolated; `addedBy`: the X-Surrogate-Isolation header
 * the service worker puts on what it served (null when it served nothing or
 * the host's own headers were there).
 */
export function isolationMode(isolated: boolean, addedBy: string | null): Isolation {
  if (!isolated) return 'none';
  return addedBy === 'service-worker' ? 'service-worker' : 'headers';
}

export function isolationText(mode: Isolation, threads: number | null): string {
  const t = threads && threads > 1 ? `, ${threads} threads` : '';
  if (mode === 'headers') return `isolated by the host's headers${t}`;
  if (mode === 'service-worker') return `isolated by the service worker${t}`;
  return 'not isolated: 1 wasm thread';
}

/**
 * Whether to reload now that the service worker controls the page: only when
 * that would bring isolation, has not been tried in this tab, and the person
 * has not started working (a reload would interrupt them; the badge offers it).
 */
export function shouldReload(opts: { isolated: boolean; triedBefore: boolean; interacted: boolean }): boolean {
  return !opts.isolated && !opts.triedBefore && !opts.interacted;
}

/**
 * Bytes transformers.js holds in its Cache Storage for `modelId`: entries are
 * keyed by file URL (`…/<modelId>/resolve/main/onnx/model.onnx` on the hub,
 * `…/<modelId>/onnx/model.onnx` on a mirror).
 */
export function modelBytes(entries: readonly { url: string; size: number }[], modelId: string): { files: number; bytes: number } {
  const needle = `/${modelId}/`;
  const mine = entries.filter((e) => {
    try {
      return decodeURIComponent(new URL(e.url).pathname).includes(needle);
    } catch {
      return false; // a key that is not a URL belongs to someone else
    }
  });
  return { files: mine.length, bytes: mine.reduce((s, e) => s + e.size, 0) };
}

/** "12.3 MB" style sizes (decimal units, as download sizes are usually given). */
export function formatBytes(n: number): string {
  if (n < 1000) return `${n} B`;
  const units = ['kB', 'MB', 'GB'];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[i]}`;
}
