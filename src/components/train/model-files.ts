// A student as files: tfjs's model.json + weights.bin (loadable by
// tf.loadLayersModel anywhere) plus surrogate.json, which says which features
// the head expects (encoder id, embedding key) and what its outputs mean
// (label order). Offered as one zip or as separate files; both re-import.
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
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

/** Reads a picked zip, or the three picked files, into StudentFiles (matched by file name, folders ignored). */
export async function readStudentFiles(picked: { name: string; arrayBuffer(): Promise<ArrayBuffer> }[]): Promise<StudentFiles> {
  const bytes = new Map<string, Uint8Array>();
  for (const f of picked) {
    const data = new Uint8Array(await f.arrayBuffer());
    if (f.name.toLowerCase().endsWith('.zip')) {
      let entries: Record<string, Uint8Array>;
      try {
        entries = unzipSync(data);
      } catch (e) {
        throw new ModelFilesError(`${f.name} is not a readable zip file (${e instanceof Error ? e.message : String(e)}).`);
      }
      for (const [path, v] of Object.entries(entries)) bytes.set(path.split('/').at(-1)!, v);
    } else bytes.set(f.name, data);
  }
  const missing = ['model.json', 'weights.bin', 'surrogate.json'].filter((n) => !bytes.has(n));
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

export function parseMeta(text: string): SurrogateMeta {
  let m: Partial<SurrogateMeta>;
  try {
    m = JSON.parse(text) as Partial<SurrogateMeta>;
  } catch (e) {
    throw new ModelFilesError(`surrogate.json is not valid JSON: ${(e as Error).message}`);
  }
  if (m.format !== SURROGATE_FORMAT)
    throw new ModelFilesError(`surrogate.json has an unknown format (${String(m.format)}); expected ${SURROGATE_FORMAT}.`);
  if (!Array.isArray(m.labels) || m.labels.length < 2 || typeof m.embeddingKey !== 'string' || typeof m.encoder !== 'string') {
    throw new ModelFilesError('surrogate.json lacks the label order, encoder or embedding key.');
  }
  return m as SurrogateMeta;
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
