// A trained student written as files (the reading side, which checks what a
// picked file says, is src/lib/train/student-files.ts, run in the train worker).
import { SURROGATE_FORMAT, type StudentFiles, type SurrogateMeta } from '$lib/train/student-files';
import type { TrainedStudent } from '$lib/state/student.svelte';

export { zipStudent } from '$lib/train/student-files';

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
