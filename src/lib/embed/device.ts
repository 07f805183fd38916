// Which device and precision an encoder runs with, and what this browser can
// do. Pure apart from the WebGPU probe, and free of transformers.js, so the
// Train step can show the choices before any model is loaded.
import type { Dtype } from './keys';

/** `cpu` is onnxruntime-node (tests, bench); the browser has `webgpu` and `wasm`. */
export type Device = 'webgpu' | 'wasm' | 'cpu';

export interface WebGPUSupport {
  /** An adapter could be had. */
  available: boolean;
  /** The adapter has `shader-f16`: fp16 weights run natively (without it ONNX Runtime refuses fp16 on WebGPU). */
  shaderF16: boolean;
}

/** WebGPU when the browser offers an adapter, else wasm. */
export function pickDevice(hasWebGPU: boolean): Device {
  return hasWebGPU ? 'webgpu' : 'wasm';
}

/**
 * The precision used when the researcher leaves it on auto: q8 is small and
 * fast on CPU (wasm, cpu); WebGPU runs fp32, without quantisation loss and
 * without fp16's risk of overflow in some models' layer norms. fp16 (half the
 * download, faster on most GPUs) is offered where the adapter has shader-f16.
 */
export function defaultDtype(device: Device): Dtype {
  return device === 'webgpu' ? 'fp32' : 'q8';
}

/** Each precision on this device: whether it can run, and a word on what it costs. */
export function dtypeChoices(device: Device, gpu: WebGPUSupport): { dtype: Dtype; ok: boolean; note: string }[] {
  const gpuNow = device === 'webgpu' && gpu.available;
  return [
    { dtype: 'fp32', ok: true, note: 'exact; the largest download' },
    gpuNow
      ? gpu.shaderF16
        ? { dtype: 'fp16', ok: true, note: 'half the download, faster on this GPU' }
        : { dtype: 'fp16', ok: false, note: 'this GPU lacks shader-f16, so fp16 would fall back to fp32' }
      : { dtype: 'fp16', ok: true, note: 'half the download, but slow on CPU (emulated)' },
    {
      dtype: 'q8',
      ok: true,
      note: gpuNow ? 'a quarter of the download; slower than fp32 on most GPUs' : 'a quarter of the download, fast on CPU',
    },
    { dtype: 'q4', ok: true, note: 'smallest layers, where the model has a q4 file; embeddings stay full size' },
  ];
}

/**
 * The dtype to try when `dtype` failed to load or run on `device`, or null
 * when there is nothing left to try on this device.
 */
export function fallbackDtype(device: Device, dtype: Dtype): Dtype | null {
  const d = defaultDtype(device);
  if (dtype !== d) return d;
  return dtype === 'fp32' ? null : 'fp32';
}

/** What this browser's WebGPU offers (nothing in Node or without a GPU). */
export async function probeWebGPU(): Promise<WebGPUSupport> {
  const gpu = typeof navigator !== 'undefined' ? navigator.gpu : undefined;
  if (!gpu) return { available: false, shaderF16: false };
  try {
    const adapter = await gpu.requestAdapter();
    return { available: adapter !== null, shaderF16: adapter?.features.has('shader-f16') ?? false };
  } catch (err) {
    // Some browsers throw instead of returning null when the GPU is blocklisted.
    console.warn('WebGPU adapter request failed:', err);
    return { available: false, shaderF16: false };
  }
}
