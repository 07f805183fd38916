import { describe, expect, it } from 'vitest';
import { defaultDtype, l2NormalizeRows, meanPool, pickDevice } from './embed';
import { configureOrt, describeSource, detectWebGPU, dtypesIn, filesFromPicker, missingFiles, onnxFileFor } from './runtime';

describe('device and dtype choice', () => {
  it('prefers WebGPU with fp32, else wasm with q8', () => {
    expect([pickDevice(true), defaultDtype(pickDevice(true))]).toEqual(['webgpu', 'fp32']);
    expect([pickDevice(false), defaultDtype(pickDevice(false))]).toEqual(['wasm', 'q8']);
    expect(defaultDtype('cpu')).toBe('q8');
  });

  it('finds no WebGPU and no ORT wasm threads in Node', async () => {
    expect(await detectWebGPU()).toBe(false);
    expect(configureOrt('http://localhost/ort/')).toBe(0);
  });
});

describe('picked folders', () => {
  const file = (path: string) => Object.assign(new File(['x'], path.split('/').pop()!), { webkitRelativePath: path });

  it('keys files by their path inside the picked folder', () => {
    const map = filesFromPicker([file('distilbert/config.json'), file('distilbert/onnx/model_quantized.onnx')]);
    expect([...map.keys()]).toEqual(['config.json', 'onnx/model_quantized.onnx']);
  });

  it('lists what a folder lacks for a dtype', () => {
    const map = filesFromPicker(
      ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model_quantized.onnx'].map((p) => file('m/' + p)),
    );
    expect(missingFiles(map, 'q8')).toEqual([]);
    expect(missingFiles(map, 'fp32')).toEqual([onnxFileFor('fp32')]);
    expect(missingFiles(map, 'q4')).toEqual(['onnx/model_q4.onnx']);
    expect(dtypesIn(map)).toEqual(['q8']);
    expect(describeSource({ kind: 'files', files: map })).toBe('the picked folder');
  });
});

describe('meanPool / l2NormalizeRows', () => {
  it('averages only unmasked tokens and normalises rows', () => {
    // 2 texts × 3 tokens × 2 dims; the second text's last token is padding.
    const hidden = Float32Array.from([1, 0, 3, 0, 5, 0, 0, 2, 0, 4, 100, 100]);
    const pooled = meanPool(hidden, [1n, 1n, 1n, 1n, 1n, 0n], 2, 3, 2);
    expect(Array.from(pooled)).toEqual([3, 0, 0, 3]);
    const m = Float32Array.from([3, 4, 0, 0]);
    l2NormalizeRows(m, 2);
    expect(Array.from(m)).toEqual([0.6000000238418579, 0.800000011920929, 0, 0]);
  });
});
