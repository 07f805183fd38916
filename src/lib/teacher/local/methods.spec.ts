// The methods paragraph names an in-browser teacher as what it is: a model
// run in the browser that scored labels once, not an API that generated them.
import { describe, expect, it } from 'vitest';
import { methodsParagraph, type RunDescription } from '../../eval/methods';
import { localEndpoint } from './presets';

const base: RunDescription = {
  teacherModel: 'Qwen2.5 0.5B Instruct (q4f16) run locally in the browser via transformers.js on WebGPU',
  endpointHost: localEndpoint('onnx-community/Qwen2.5-0.5B-Instruct'),
  date: new Date('2026-12-01T10:00:00Z'),
  codebookVersion: 2,
  promptTemplate: 'v1',
  repeats: 3,
  temperature: 0,
  validationN: 200,
  testN: 500,
  trainN: 1000,
  encoder: 'Xenova/all-MiniLM-L6-v2',
  dtype: 'fp32',
  head: { kind: 'linear' },
  backends: { embed: 'webgpu', train: 'webgpu' },
};

describe('methodsParagraph with an in-browser teacher', () => {
  it('says the model ran in the browser and scored each label once', () => {
    const text = methodsParagraph(base);
    expect(text).toContain(
      'we used Qwen2.5 0.5B Instruct (q4f16) run locally in the browser via transformers.js on WebGPU (onnx-community/Qwen2.5-0.5B-Instruct@main, on 2026-12-01) as a teacher',
    );
    expect(text).toContain("scored each label's answer as the continuation of that prompt");
    expect(text).toContain('Each text was scored once');
    expect(text).not.toContain('JSON schema');
    expect(text).not.toContain('labelled 3 times');
  });

  it("leaves the API teacher's wording alone", () => {
    const text = methodsParagraph({ ...base, teacherModel: 'gpt-4o-mini', endpointHost: 'api.openai.com' });
    expect(text).toContain('gpt-4o-mini (accessed through api.openai.com on 2026-12-01)');
    expect(text).toContain('JSON schema');
  });
});
