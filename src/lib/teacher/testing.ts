// Spec helpers for the teacher stage (not part of the app).
import type { TeacherResponse } from './types';

/** A stored answer to repeat `repeat` of the text `textHash` (invalid and empty unless `extra` says otherwise). */
export function answer(textHash: string, repeat: number, extra: Partial<TeacherResponse> = {}): TeacherResponse {
  return {
    key: `${textHash}|${repeat}`,
    endpoint: 'e',
    model: 'm',
    codebookHash: 'c',
    template: 't',
    textHash,
    repeat,
    temperature: 0,
    raw: null,
    label: null,
    valid: false,
    usage: { prompt: 0, completion: 0 },
    at: 1,
    ...extra,
  };
}
