// A trained head as files: tfjs layers-model artifacts (model.json +
// weights.bin, loadable by tf.loadLayersModel anywhere) or a single JSON text.
import * as tf from '@tensorflow/tfjs';
import { assertHead } from './head';
import { resolveHeadConfig, type HeadConfig, type SerializedHead } from './types';

export interface TfjsModelFiles {
  'model.json': string;
  'weights.bin': ArrayBuffer;
}

/** Stored in model.json's userDefinedMetadata so a re-import keeps the training configuration. */
interface HeadMetadata {
  surrogateHead: { format: SerializedHead['format']; config: HeadConfig; dim: number; nClasses: number };
}

export class HeadImportError extends Error {
  override name = 'HeadImportError';
}

/**
 * Build the equivalent tf.Sequential (dense relu … [dropout] … dense softmax),
 * load the weights and capture its save artifacts in memory.
 */
export async function exportTfjsModel(head: SerializedHead): Promise<TfjsModelFiles> {
  assertHead(head);
  const model = tf.sequential();
  const last = head.layers.length - 1;
  head.layers.forEach((l, i) => {
    model.add(
      tf.layers.dense({
        units: l.kernel.shape[1],
        activation: i === last ? 'softmax' : 'relu',
        ...(i === 0 ? { inputShape: [head.dim] } : {}),
      }),
    );
    // Dropout has no weights and is inert at inference; kept so the file shows the trained architecture.
    if (i < last && head.config.dropout > 0) model.add(tf.layers.dropout({ rate: head.config.dropout }));
  });
  const values = head.layers.flatMap((l) => [tf.tensor2d(l.kernel.values, l.kernel.shape as [number, number]), tf.tensor1d(l.bias.values)]);
  try {
    model.setWeights(values);
    const meta: HeadMetadata = {
      surrogateHead: { format: head.format, config: head.config, dim: head.dim, nClasses: head.nClasses },
    };
    model.setUserDefinedMetadata(meta as unknown as object);
    let artifacts: tf.io.ModelArtifacts | null = null;
    await model.save(
      tf.io.withSaveHandler(async (a) => {
        artifacts = a;
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) };
      }),
    );
    const a = artifacts as tf.io.ModelArtifacts | null;
    if (!a?.weightSpecs || !a.weightData) throw new Error('tfjs produced no weights while saving the head.');
    // Same layout as tfjs's own browser download: topology + one weights file.
    const json: tf.io.ModelJSON = {
      modelTopology: a.modelTopology as object,
      format: a.format,
      generatedBy: a.generatedBy,
      convertedBy: a.convertedBy,
      weightsManifest: [{ paths: ['./weights.bin'], weights: a.weightSpecs }],
      userDefinedMetadata: a.userDefinedMetadata,
    };
    return { 'model.json': JSON.stringify(json), 'weights.bin': tf.io.concatenateArrayBuffers(a.weightData) };
  } finally {
    tf.dispose(values);
    model.dispose();
  }
}

/**
 * Read model.json + weights.bin written by exportTfjsModel (or any
 * Sequential of dense layers: relu hidden layers, softmax output).
 */
export async function importTfjsModel(files: TfjsModelFiles): Promise<SerializedHead> {
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(files['model.json']) as tf.io.ModelJSON;
  } catch (e) {
    throw new HeadImportError(`model.json is not valid JSON: ${(e as Error).message}`);
  }
  if (!json.weightsManifest) throw new HeadImportError('model.json has no weightsManifest.');
  const specs = json.weightsManifest.flatMap((g) => g.weights);
  const model = await tf.loadLayersModel(tf.io.fromMemory(tf.io.getModelArtifactsForJSONSync(json, specs, files['weights.bin'])));
  try {
    const dense = model.layers.filter((l) => l.getClassName() === 'Dense');
    const layers: SerializedHead['layers'] = [];
    dense.forEach((layer, i) => {
      const activation = layer.getConfig().activation;
      const want = i === dense.length - 1 ? 'softmax' : 'relu';
      if (activation !== want) throw new HeadImportError(`Dense layer ${i + 1} uses ${String(activation)}; expected ${want}.`);
      const [k, b] = layer.getWeights();
      if (!k || !b) throw new HeadImportError(`Dense layer ${i + 1} has no bias.`);
      layers.push({
        kernel: { shape: [...k.shape], values: Float32Array.from(k.dataSync()) },
        bias: { shape: [...b.shape], values: Float32Array.from(b.dataSync()) },
      });
    });
    if (layers.length === 0 || layers.length > 2) throw new HeadImportError(`Expected 1 or 2 dense layers, found ${layers.length}.`);
    const dim = layers[0].kernel.shape[0];
    const nClasses = layers[layers.length - 1].kernel.shape[1];
    const meta = (json.userDefinedMetadata as Partial<HeadMetadata> | undefined)?.surrogateHead;
    const kind = layers.length === 2 ? 'mlp' : 'logreg';
    const config = resolveHeadConfig({ ...meta?.config, kind, ...(kind === 'mlp' ? { hidden: layers[0].kernel.shape[1] } : {}) });
    const head: SerializedHead = { format: 'surrogate-head/1', config, dim, nClasses, layers };
    assertHead(head);
    return head;
  } finally {
    model.dispose();
  }
}

/** A head as JSON text (Float32Arrays written as number lists; exact on re-read). */
export function headToJSON(head: SerializedHead): string {
  return JSON.stringify(head, (_k, v: unknown) => (v instanceof Float32Array ? Array.from(v) : v));
}

export function headFromJSON(text: string): SerializedHead {
  const raw = JSON.parse(text) as SerializedHead;
  const toF32 = (t: { shape: number[]; values: ArrayLike<number> }) => ({ shape: t.shape, values: Float32Array.from(t.values) });
  const head: SerializedHead = { ...raw, layers: (raw.layers ?? []).map((l) => ({ kernel: toF32(l.kernel), bias: toF32(l.bias) })) };
  assertHead(head);
  return head;
}
