import { describe, expect, it } from 'vitest';
import { formatBytes, isolationMode, isolationText, modelBytes, shouldReload } from './mode';

describe('isolation mode', () => {
  it('tells the host headers from the service worker', () => {
    expect(isolationMode(false, null)).toBe('none');
    expect(isolationMode(false, 'service-worker')).toBe('none');
    expect(isolationMode(true, null)).toBe('headers');
    expect(isolationMode(true, 'service-worker')).toBe('service-worker');
    expect(isolationText('service-worker', 4)).toBe('isolated by the service worker, 4 threads');
    expect(isolationText('none', null)).toBe('not isolated: 1 wasm thread');
  });

  it('reloads once, and only before the person started working', () => {
    expect(shouldReload({ isolated: false, triedBefore: false, interacted: false })).toBe(true);
    expect(shouldReload({ isolated: true, triedBefore: false, interacted: false })).toBe(false);
    expect(shouldReload({ isolated: false, triedBefore: true, interacted: false })).toBe(false);
    expect(shouldReload({ isolated: false, triedBefore: false, interacted: true })).toBe(false);
  });
});

describe('modelBytes', () => {
  it("sums the cached files of one model, on the hub's and a mirror's layout", () => {
    const entries = [
      { url: 'https://huggingface.co/Xenova/distilbert-base-uncased/resolve/main/config.json', size: 500 },
      { url: 'https://huggingface.co/Xenova/distilbert-base-uncased/resolve/main/onnx/model_quantized.onnx', size: 67_000_000 },
      { url: 'https://huggingface.co/Xenova/bge-small-en-v1.5/resolve/main/config.json', size: 600 },
      { url: 'http://127.0.0.1:8787/models/tiny-distilbert/config.json', size: 300 },
      { url: 'not a url', size: 1 },
    ];
    expect(modelBytes(entries, 'Xenova/distilbert-base-uncased')).toEqual({ files: 2, bytes: 67_000_500 });
    expect(modelBytes(entries, 'tiny-distilbert')).toEqual({ files: 1, bytes: 300 });
    expect(modelBytes(entries, 'distilbert-base-uncased')).toEqual({ files: 2, bytes: 67_000_500 });
  });
  it('formats sizes in decimal units', () => {
    expect([formatBytes(999), formatBytes(1500), formatBytes(27_000_000), formatBytes(134_500_000)]).toEqual([
      '999 B',
      '1.5 kB',
      '27.0 MB',
      '135 MB',
    ]);
  });
});
