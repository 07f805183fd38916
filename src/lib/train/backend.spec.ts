import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend, NoBackendError } from './backend';

describe('initBackend', () => {
  it('falls back past unavailable backends to cpu and reports each attempt', async () => {
    const r = await initBackend(['webgpu', 'webgl', 'cpu']);
    expect(r.backend).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(r.tried.map((t) => [t.name, t.ok])).toEqual([
      ['webgpu', false],
      ['webgl', false],
      ['cpu', true],
    ]);
    expect(r.tried[0].error).toMatch(/WebGPU is not available/);
    expect(r.tried[1].error).toMatch(/webgl/);
  });

  it('says so in words when nothing works', async () => {
    const run = initBackend(['webgpu']);
    await expect(run).rejects.toBeInstanceOf(NoBackendError);
    await expect(initBackend(['webgpu'])).rejects.toThrow(/No TensorFlow.js backend works here \(tried webgpu: WebGPU/);
  });
});
