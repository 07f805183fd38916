// Which compute backends run: tfjs (head training) and transformers.js
// (embeddings). Shown in the header badge and recorded with every result.

export type TfjsBackend = 'webgpu' | 'webgl' | 'wasm' | 'cpu';
export const TFJS_ORDER: TfjsBackend[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** `?tfjs=wasm` (or a comma list) forces a preference, for benchmarks and tests. */
export function tfjsPreference(search: string = location.search): TfjsBackend[] {
  const asked = new URLSearchParams(search).get('tfjs');
  if (!asked) return TFJS_ORDER;
  const list = asked.split(',').filter((b): b is TfjsBackend => (TFJS_ORDER as string[]).includes(b));
  return list.length ? list : TFJS_ORDER;
}

export async function hasWebGPU(): Promise<boolean> {
  const gpu = (navigator as Navigator & { gpu?: GPU }).gpu;
  if (!gpu) return false;
  try {
    return (await gpu.requestAdapter()) !== null;
  } catch {
    return false; // an adapter request that throws means no usable WebGPU
  }
}

/** Where a loaded sentence encoder runs: its device and ONNX Runtime's wasm threads. */
export interface EmbedRuntime {
  device: string;
  threads: number | null;
}

export class BackendState {
  tfjs = $state<string | null>(null);
  tfjsTried = $state<{ name: string; ok: boolean; error?: string }[]>([]);
  tfjsError = $state<string | null>(null);
  webgpu = $state<boolean | null>(null);
  /** Where the loaded sentence encoder runs, as its owner (EmbedderState, loaded with its step) reports it. */
  #embedRuntime = $state.raw<(() => EmbedRuntime | null) | null>(null);
  isolated = $state(typeof crossOriginIsolated !== 'undefined' && crossOriginIsolated);
  /** tfjs (the train worker, ~300 kB gzipped) starts when a step first needs it, not with the page. */
  tfjsRequested = $state(false);

  /** Registers the owner of the encoder's runtime; read each time, never copied. */
  provideEmbedRuntime(read: () => EmbedRuntime | null): void {
    this.#embedRuntime = read;
  }

  /** Device transformers.js uses, once an encoder has loaded (null before: the badge predicts it). */
  get embedDevice(): string | null {
    return this.#embedRuntime?.()?.device ?? null;
  }

  get embedThreads(): number | null {
    return this.#embedRuntime?.()?.threads ?? null;
  }

  /** Nothing detected yet, as on a fresh page (the encoder's owner stays registered). */
  reset(): void {
    this.tfjs = this.tfjsError = null;
    this.tfjsTried = [];
    this.webgpu = null;
    this.tfjsRequested = false;
  }

  get label(): string {
    const t = this.tfjs ?? (this.tfjsError ? 'unavailable' : this.tfjsRequested ? 'starting…' : 'not loaded yet');
    const e = this.embedDevice ?? (this.webgpu === null ? '…' : this.webgpu ? 'webgpu' : 'wasm');
    return `tfjs: ${t} · transformers.js: ${e}`;
  }
}
