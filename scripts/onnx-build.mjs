// What the tiny-model generators (make-tiny-model.mjs, make-tiny-causal-lm.mjs)
// share: the seeded PRNG, little-endian tensor bytes, ONNX value infos and
// nodes, the verified encoding of a model, and the folder's JSON files.
// Plain JavaScript, so the scripts run without the TypeScript sources.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const { onnx } = require('onnx-proto');
export const DT = onnx.TensorProto.DataType;
export const ATTR = onnx.AttributeProto.AttributeType;

/** mulberry32 (the same generator as src/lib/data/rng.ts), so every run writes the same bytes. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller) from `rand`. */
export function gaussian(rand) {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

/** ONNX raw_data is little-endian. */
export function float32Bytes(arr) {
  const view = new DataView(new ArrayBuffer(arr.length * 4));
  arr.forEach((v, i) => view.setFloat32(i * 4, v, true));
  return new Uint8Array(view.buffer);
}

export function int64Bytes(arr) {
  const view = new DataView(new ArrayBuffer(arr.length * 8));
  arr.forEach((v, i) => view.setBigInt64(i * 8, BigInt(v), true));
  return new Uint8Array(view.buffer);
}

/** A float32 initializer stored as raw bytes. */
export const f32 = (name, dims, values) => ({ name, dataType: DT.FLOAT, dims, rawData: float32Bytes(values) });

/** A graph input or output: `dims` are numbers or symbolic names ('batch_size'). */
export function tensorInfo(name, elemType, dims) {
  const dim = dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d }));
  return { name, type: { tensorType: { elemType, shape: { dim } } } };
}

export const intAttr = (name, i) => ({ name, type: ATTR.INT, i });

/** A ModelProto (IR 8) of `graph` for `opset`, checked and encoded. */
export function encodeModel(graph, { producer, opset }) {
  const model = {
    irVersion: 8,
    opsetImport: [{ domain: '', version: opset }],
    producerName: `surrogate/${producer}`,
    producerVersion: '1',
    graph,
  };
  const err = onnx.ModelProto.verify(model);
  if (err) throw new Error(`invalid ONNX model: ${err}`);
  return onnx.ModelProto.encode(onnx.ModelProto.fromObject(model)).finish();
}

/** Writes `value` as pretty JSON (with a final newline) to `file` in `dir`. */
export function writeJson(dir, file, value) {
  writeFileSync(join(dir, file), JSON.stringify(value, null, 2) + '\n');
}
