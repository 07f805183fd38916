// A student as files: tfjs's model.json + weights.bin (loadable by
// tf.loadLayersModel anywhere) plus surrogate.json, which says which features
// the head expects (encoder id, embedding key) and what its outputs mean
// (label order). Offered as one zip or as separate files; both re-import.
import { strFromU8, strToU8, zipSync } from 'fflate';
import { cutText, hostileKey, MAX_NAME } from '$lib/data/untrusted';
import { shownName, ZipReader, type ZipLimits } from '$lib/data/zip';
import type { TrainedStudent } from '$lib/state/student.svelte';
import type { EncoderSettings } from '$lib/project/settings';
import type { HeadConfig, HeadKind } from '$lib/train/types';

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

export function surrogateMeta(s: TrainedStudent): SurrogateMeta {
  return {
    format: SURROGATE_FORMAT,
    name: s.spec.name,
    trainSource: s.spec.trainSource,
    trainSize: s.spec.trainSize,
    encoder: s.spec.encoder,
    embeddingKey: s.embeddingKey,
    encoderSettings: s.encoderSettings,
    labels: s.labelNames,
    positive: s.positive,
    headKind: s.spec.headKind,
    best: s.best,
    backend: s.backend,
    createdAt: new Date(s.createdAt).toISOString(),
  };
}

/** The three files of a student. tfjs is loaded only when a model is exported. */
export async function studentFiles(s: TrainedStudent): Promise<StudentFiles> {
  const { exportTfjsModel } = await import('$lib/train/serialize');
  const tfjs = await exportTfjsModel(s.weights);
  return { ...tfjs, 'surrogate.json': JSON.stringify(surrogateMeta(s), null, 2) };
}

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

/** A new student (fresh id, today's date) from exported files; checks the head matches surrogate.json. */
export async function studentFromFiles(f: StudentFiles): Promise<TrainedStudent> {
  const meta = parseMeta(f['surrogate.json']);
  const { importTfjsModel } = await import('$lib/train/serialize');
  const weights = await importTfjsModel({ 'model.json': f['model.json'], 'weights.bin': f['weights.bin'] });
  if (weights.nClasses !== meta.labels.length) {
    throw new ModelFilesError(`The model has ${weights.nClasses} outputs but surrogate.json names ${meta.labels.length} labels.`);
  }
  return {
    modelId: crypto.randomUUID(),
    spec: {
      name: `${meta.name} (imported)`,
      trainSource: meta.trainSource,
      trainSize: meta.trainSize,
      encoder: meta.encoder,
      headKind: weights.config.kind,
    },
    best: meta.best ?? weights.config,
    scores: [],
    backend: meta.backend,
    weights,
    labelNames: meta.labels,
    positive: meta.positive ?? null,
    embeddingKey: meta.embeddingKey,
    encoderSettings: meta.encoderSettings ?? null,
    selection: { kind: 'holdout', fraction: 0.2 },
    trainIds: [],
    createdAt: Date.now(),
    origin: 'train', // an imported model is the user's own pick: always listed
  };
}
