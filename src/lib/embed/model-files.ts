// Model files and sources as the page sees them: which files a precision
// needs, a picked folder as a file map, a source in words. Kept apart from
// runtime.ts, which configures transformers.js: importing that on the page
// would pull the whole library (~140 kB gzipped) into the main bundle.
import { DTYPES, type Dtype } from './keys';

/**
 * Where a model's files come from.
 * - `hub`: huggingface.co (`<host>/<modelId>/resolve/main/<file>`).
 * - `url`: a self-hosted mirror. Default layout `plain` is a static folder copy,
 *   `<baseUrl>/<modelId>/<file>`; layout `hub` is `<baseUrl>/<modelId>/resolve/main/<file>`.
 * - `files`: a folder the researcher picked in the browser, keyed by path inside
 *   the model folder (`config.json`, `onnx/model_quantized.onnx`, …). Nothing is uploaded.
 * - `local`: a directory on disk (Node: tests, bench) or a same-origin path
 *   (browser), laid out as `<path>/<modelId>/<file>`.
 */
export type ModelSource =
  | { kind: 'hub' }
  | { kind: 'url'; baseUrl: string; layout?: 'plain' | 'hub' }
  | { kind: 'files'; files: Map<string, Blob> }
  | { kind: 'local'; path: string };

/** The ONNX file transformers.js requests for a dtype (its own naming scheme). */
export function onnxFileFor(dtype: Dtype): string {
  return { fp32: 'onnx/model.onnx', fp16: 'onnx/model_fp16.onnx', q8: 'onnx/model_quantized.onnx', q4: 'onnx/model_q4.onnx' }[dtype];
}

/** The precisions a picked folder has ONNX files for. */
export function dtypesIn(files: Map<string, Blob>): Dtype[] {
  return DTYPES.filter((d) => files.has(onnxFileFor(d)));
}

/** Files a picked folder must hold to load with `dtype`; returns the missing ones (empty = fine). */
export function missingFiles(files: Map<string, Blob>, dtype: Dtype): string[] {
  const needed = ['config.json', 'tokenizer.json', 'tokenizer_config.json', onnxFileFor(dtype)];
  return needed.filter((f) => !files.has(f));
}

/**
 * Turns the files of an `<input type="file" webkitdirectory>` pick into a
 * `files` source map. Paths are relative to the picked folder, so the folder's
 * own name (the first segment of `webkitRelativePath`) is dropped.
 */
export function filesFromPicker(picked: Iterable<File>): Map<string, Blob> {
  const map = new Map<string, Blob>();
  for (const file of picked) {
    const rel = file.webkitRelativePath || file.name;
    const parts = rel.split('/');
    map.set(parts.length > 1 ? parts.slice(1).join('/') : rel, file);
  }
  return map;
}

/** A short human description of a source for messages ("huggingface.co", a URL, "the picked folder"). */
export function describeSource(source: ModelSource): string {
  switch (source.kind) {
    case 'hub':
      return 'huggingface.co';
    case 'url':
      return source.baseUrl;
    case 'files':
      return 'the picked folder';
    case 'local':
      return source.path;
  }
}
