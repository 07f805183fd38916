// The few page globals the state classes read on import (localStorage for
// remembered settings, location for ?tfjs=), stubbed in memory for Node specs
// that use the real state singletons instead of faking them (and navigator,
// which Node 20 lacks).
import { vi } from 'vitest';

const memory = new Map<string, string>();
vi.stubGlobal('localStorage', {
  getItem: (k: string) => memory.get(k) ?? null,
  setItem: (k: string, v: string) => void memory.set(k, String(v)),
  removeItem: (k: string) => void memory.delete(k),
  clear: () => memory.clear(),
});
vi.stubGlobal('location', { search: '' });
if (typeof navigator === 'undefined') vi.stubGlobal('navigator', {}); // Node 20 has none (no WebGPU here)
