// Pick the fastest tfjs backend that actually works here: WebGPU first, then
// WebGL (needs OffscreenCanvas inside a worker), WASM, and plain JS (cpu).
// A backend counts only if a tiny matmul gives the right numbers, since some
// drivers initialise fine and then compute garbage.
import * as tf from '@tensorflow/tfjs';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface BackendAttempt {
  name: BackendName;
  ok: boolean;
  /** Why it was skipped, in words. */
  error?: string;
}

export interface BackendReport {
  backend: BackendName;
  tried: BackendAttempt[];
}

export class NoBackendError extends Error {
  override name = 'NoBackendError';
  constructor(readonly tried: BackendAttempt[]) {
    super(`No TensorFlow.js backend works here (tried ${tried.map((t) => `${t.name}: ${t.error}`).join('; ')}).`);
  }
}

export const DEFAULT_BACKENDS: BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

/** Registers the backends that live in separate packages (webgl and cpu come with @tensorflow/tfjs). */
async function register(name: BackendName, wasmPath: string | undefined): Promise<void> {
  if (name === 'webgpu') {
    if (typeof navigator === 'undefined' || !('gpu' in navigator)) throw new Error('WebGPU is not available in this browser');
    await import('@tensorflow/tfjs-backend-webgpu');
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The threaded build spawns pthread workers from a blob of its own JS,
    // which breaks once bundled ("e is not defined"); one thread is reliable,
    // and a small head gains little from more.
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    // The app serves tfjs-backend-wasm's .wasm files itself (no CDN); the path must end with '/'.
    if (wasmPath) wasm.setWasmPaths(wasmPath);
  }
}

/** [[1,2],[3,4]] · [[5,6],[7,8]] = [[19,22],[43,50]] */
async function sanityCheck(): Promise<void> {
  const c = tf.tidy(() => tf.matMul(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([5, 6, 7, 8], [2, 2])));
  try {
    const got = Array.from(await c.data());
    const want = [19, 22, 43, 50];
    if (got.some((v, i) => Math.abs(v - want[i]) > 1e-3))
      throw new Error(`a test matrix product gave [${got.join(', ')}], expected [${want.join(', ')}]`);
  } finally {
    c.dispose();
  }
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/**
 * Try each backend in order; the first that initialises and passes the
 * sanity check becomes tfjs's global backend. Throws NoBackendError if none does.
 * `wasmPath`: URL folder holding tfjs-backend-wasm's .wasm files.
 */
export async function initBackend(preference: BackendName[] = DEFAULT_BACKENDS, opts: { wasmPath?: string } = {}): Promise<BackendReport> {
  const tried: BackendAttempt[] = [];
  for (const name of preference) {
    try {
      await register(name, opts.wasmPath);
      if (!tf.findBackendFactory(name)) throw new Error(`the ${name} backend is not available here`);
      // setBackend resolves false (rather than throwing) when initialisation fails.
      if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to initialise`);
      await tf.ready();
      await sanityCheck();
      tried.push({ name, ok: true });
      return { backend: name, tried };
    } catch (e) {
      tried.push({ name, ok: false, error: message(e) });
      // Undo a half-initialised backend so it cannot be picked up by accident later.
      if (tf.findBackend(name)) tf.removeBackend(name);
    }
  }
  throw new NoBackendError(tried);
}
