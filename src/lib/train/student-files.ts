// A student as files: tfjs's model.json + weights.bin (loadable by
// tf.loadLayersModel anywhere) plus surrogate.json, which says which features
// the head expects (encoder id, embedding key) and what its outputs mean
// (label order). Offered as one zip or as separate files; both re-import.
// Picked files are input from outside: readStudent reads and checks them in
// the train worker (handle.ts), every size bounded before anything is
// inflated, and hands the page only a checked head and its facts.
import { strFromU8, strToU8, zipSync } from 'fflate';
import { cutText, hostileKey, MAX_NAME } from '../data/untrusted';
import { shownName, ZipReader, type ZipLimits } from '../data/zip';
import type { EncoderSettings } from '../project/settings';
import type { HeadConfig, HeadKind, SerializedHead } from './types';

export const SURROGATE_FORMAT = 'surrogate-student/1';

/** surrogate.json: everything but the weights. */
export interface SurrogateMeta {
  format: typeof SURROGATE_FORMAT;
  name: string;
  trainSource: 'llm' | 'human';
  trainSize: number;
  /** transformers.js model id, or 'tfidf'. */
  encoder: string;
  embeddingKey: string;
  encoderSettings: EncoderSettings | null;
  /** Output order of the head's probabilities. */
  labels: string[];
  positive: string | null;
  headKind: HeadKind;
  best: HeadConfig;
  backend: string;
  createdAt: string;
}

export interface StudentFiles {
  'model.json': string;
  'weights.bin': ArrayBuffer;
  'surrogate.json': string;
}

export class ModelFilesError extends Error {
  override name = 'ModelFilesError';
}

/** The three files as one zip. */
export function zipStudent(f: StudentFiles): Uint8Array {
  return zipSync({
    'model.json': strToU8(f['model.json']),
    'weights.bin': new Uint8Array(f['weights.bin']),
    'surrogate.json': strToU8(f['surrogate.json']),
  });
}

const NAMES = ['model.json', 'weights.bin', 'surrogate.json'];
/** A linear or small MLP head: its weights are a few MiB; past 256 MiB a file is not one this app wrote. */
const MAX_FILE = 256 * 2 ** 20;
const STUDENT_ZIP: ZipLimits = { maxEntry: MAX_FILE, maxRatio: 256, ratioFrom: 2 ** 20, maxTotalRatio: 64, totalSlack: 16 * 2 ** 20 };

/**
 * Reads a picked zip, or the three picked files, into StudentFiles. Names are
 * matched exactly (a zip's entries must be the three, at its top); sizes are
 * bounded before anything is inflated.
 */
export async function readStudentFiles(
  picked: { name: string; size?: number; arrayBuffer(): Promise<ArrayBuffer> }[],
): Promise<StudentFiles> {
  const bytes = new Map<string, Uint8Array>();
  for (const f of picked) {
    const name = shownName(f.name);
    if ((f.size ?? 0) > MAX_FILE)
      throw new ModelFilesError(`${name} is larger than a student's files ever are (${MAX_FILE / 2 ** 20} MiB).`);
    const data = new Uint8Array(await f.arrayBuffer());
    if (!f.name.toLowerCase().endsWith('.zip')) {
      bytes.set(f.name, data);
      continue;
    }
    try {
      const zip = await ZipReader.open(new Blob([data as BlobPart]), STUDENT_ZIP);
      for (const e of zip.entries) if (NAMES.includes(e.name)) bytes.set(e.name, await zip.read(e));
    } catch (e) {
      throw new ModelFilesError(`${name} is not a readable zip file (${cutText(e instanceof Error ? e.message : String(e), 200)}).`);
    }
  }
  const missing = NAMES.filter((n) => !bytes.has(n));
  if (missing.length)
    throw new ModelFilesError(
      `The model is incomplete: ${missing.join(', ')} not found. Pick the exported zip, or model.json, weights.bin and surrogate.json together.`,
    );
  const w = bytes.get('weights.bin')!;
  return {
    'model.json': strFromU8(bytes.get('model.json')!),
    'weights.bin': w.buffer.slice(w.byteOffset, w.byteOffset + w.byteLength) as ArrayBuffer,
    'surrogate.json': strFromU8(bytes.get('surrogate.json')!),
  };
}

const isStr = (v: unknown) => typeof v === 'string';
const optStr = (v: unknown) => v === undefined || v === null || typeof v === 'string';

/** surrogate.json, every field checked: a student's facts end up in tables, exports and the methods paragraph. */
export function parseMeta(text: string): SurrogateMeta {
  let m: Partial<Record<keyof SurrogateMeta, unknown>>;
  try {
    m = JSON.parse(text) as typeof m;
  } catch (e) {
    throw new ModelFilesError(`surrogate.json is not valid JSON: ${cutText((e as Error).message, 200)}`);
  }
  if (typeof m !== 'object' || m === null || Array.isArray(m)) throw new ModelFilesError('surrogate.json is not an object.');
  const key = hostileKey(m);
  if (key) throw new ModelFilesError(`surrogate.json uses the reserved key ${cutText(key, 80)}.`);
  if (m.format !== SURROGATE_FORMAT)
    throw new ModelFilesError(`surrogate.json has an unknown format (${cutText(String(m.format), 40)}); expected ${SURROGATE_FORMAT}.`);
  const labels = m.labels;
  if (
    !Array.isArray(labels) ||
    labels.length < 2 ||
    !labels.every(isStr) ||
    new Set(labels).size !== labels.length ||
    !isStr(m.embeddingKey) ||
    !isStr(m.encoder)
  ) {
    throw new ModelFilesError('surrogate.json lacks the label order, encoder or embedding key.');
  }
  const problems = [
    ['name', optStr(m.name)],
    ['training source', m.trainSource === undefined || m.trainSource === 'llm' || m.trainSource === 'human'],
    ['training size', m.trainSize === undefined || (Number.isInteger(m.trainSize) && (m.trainSize as number) >= 0)],
    ['positive class', m.positive === undefined || m.positive === null || (isStr(m.positive) && labels.includes(m.positive))],
    ['backend', optStr(m.backend)],
    [
      'encoder settings',
      m.encoderSettings === undefined ||
        m.encoderSettings === null ||
        (typeof m.encoderSettings === 'object' && !Array.isArray(m.encoderSettings)),
    ],
    ['configuration', m.best === undefined || m.best === null || (typeof m.best === 'object' && !Array.isArray(m.best))],
  ].filter(([, ok]) => !ok);
  if (problems.length) throw new ModelFilesError(`surrogate.json has no usable ${problems.map(([f]) => f).join(', ')}.`);
  return {
    ...(m as SurrogateMeta),
    name: cutText(((m.name as string | undefined) ?? 'Student').trim() || 'Student', MAX_NAME),
    trainSource: (m.trainSource as SurrogateMeta['trainSource'] | undefined) ?? 'llm',
    trainSize: (m.trainSize as number | undefined) ?? 0,
    backend: cutText((m.backend as string | undefined) ?? 'cpu', 40),
  };
}

/** A student's files, checked: its facts and its head (what the page builds a student from). */
export interface StudentRead {
  meta: SurrogateMeta;
  weights: SerializedHead;
}

/** The head of model.json + weights.bin, checked against surrogate.json; errors name the files. */
export async function studentFromFiles(f: StudentFiles): Promise<StudentRead> {
  const meta = parseMeta(f['surrogate.json']);
  const { importTfjsModel, HeadImportError } = await import('./serialize');
  let weights: SerializedHead;
  try {
    weights = await importTfjsModel({ 'model.json': f['model.json'], 'weights.bin': f['weights.bin'] });
  } catch (e) {
    const why = cutText(e instanceof Error ? e.message : String(e), 200);
    throw new ModelFilesError(
      e instanceof HeadImportError ? why : `model.json and weights.bin do not make a model this app reads (${why}).`,
    );
  }
  if (weights.nClasses !== meta.labels.length) {
    throw new ModelFilesError(`The model has ${weights.nClasses} outputs but surrogate.json names ${meta.labels.length} labels.`);
  }
  return { meta, weights };
}

/**
 * Picked files (a zip, or the three) read and checked: readStudentFiles, then
 * studentFromFiles. A refusal names the picked files, then the entry and why.
 */
export async function readStudent(picked: { name: string; size?: number; arrayBuffer(): Promise<ArrayBuffer> }[]): Promise<StudentRead> {
  try {
    return await studentFromFiles(await readStudentFiles(picked));
  } catch (e) {
    if (!(e instanceof ModelFilesError)) throw e;
    const shown = picked.map((f) => shownName(f.name));
    if (shown.some((name) => e.message.startsWith(`${name} `))) throw e; // it names its file already
    throw new ModelFilesError(`Could not import ${cutText(shown.join(', '), 300)}: ${e.message}`);
  }
}
