// Runs the app's real teacher queue (runTeacher + sendWith(createClient))
// against an OpenAI-compatible endpoint, with an in-memory answer cache in
// place of IndexedDB. Shared by the throughput and quality benchmarks.
import { codebookHash } from '../../src/lib/codebook/codebook';
import { systemPrompt, PROMPT_TEMPLATE_VERSION } from '../../src/lib/codebook/prompt';
import type { Codebook } from '../../src/lib/codebook/types';
import { createClient, forgetCapabilities, sendWith } from '../../src/lib/teacher/client';
import { labelsFromResponses } from '../../src/lib/teacher/labels';
import { runTeacher, type TeacherItem, type TeacherSummary } from '../../src/lib/teacher/queue';
import {
  DEFAULT_TEACHER_SETTINGS,
  TeacherRequestError,
  type TeacherLabel,
  type TeacherResponse,
  type TeacherSettings,
} from '../../src/lib/teacher/types';

export interface TeacherRun {
  summary: TeacherSummary;
  wallMs: number;
  /** One per item, aggregated over its repeats. */
  labels: TeacherLabel[];
  responses: TeacherResponse[];
  /** HTTP chat requests as the client saw them: answered, or rejected (429, 5xx, timeout…). */
  calls: { ok: number; failed: number; byReason: Record<string, number> };
}

/** Labels `items` with the teacher at `baseURL` (model 'mock-teacher' unless overridden). */
export async function runTeacherJob(
  baseURL: string,
  items: TeacherItem[],
  codebook: Codebook,
  overrides: Partial<TeacherSettings> = {},
): Promise<TeacherRun> {
  forgetCapabilities();
  const settings: TeacherSettings = { ...DEFAULT_TEACHER_SETTINGS, baseURL, model: 'mock-teacher', apiKey: '', ...overrides };
  const store = new Map<string, TeacherResponse>();
  const calls = { ok: 0, failed: 0, byReason: {} as Record<string, number> };
  const send = sendWith(createClient(settings));
  const t0 = performance.now();
  const run = runTeacher(
    {
      items,
      codebook,
      codebookHash: codebookHash(codebook),
      settings,
      prompt: { system: systemPrompt(codebook), template: PROMPT_TEMPLATE_VERSION },
    },
    {
      send: async (req, signal) => {
        try {
          const res = await send(req, signal);
          calls.ok += 1;
          return res;
        } catch (err) {
          calls.failed += 1;
          const why = err instanceof TeacherRequestError ? `${err.kind}${err.status ? ` ${err.status}` : ''}` : String(err);
          calls.byReason[why] = (calls.byReason[why] ?? 0) + 1;
          throw err;
        }
      },
      getCached: async (keys) => new Map(keys.flatMap((k) => (store.has(k) ? [[k, store.get(k)!] as const] : []))),
      put: async (rs) => rs.forEach((r) => store.set(r.key, r)),
      onProgress: () => {},
    },
  );
  const summary = await run.done;
  const wallMs = performance.now() - t0;
  const responses = [...store.values()];
  return { summary, wallMs, responses, calls, labels: labelsFromResponses(items, responses, settings.repeats) };
}

/** POSTs a whole mock config (missing keys take the mock's defaults). */
export async function configureMock(mockUrl: string, config: Record<string, unknown>): Promise<void> {
  await fetch(`${mockUrl}/__mock/reset`, { method: 'POST' });
  const res = await fetch(`${mockUrl}/__mock/config`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(config),
  });
  if (!res.ok) throw new Error(`The mock LLM server refused its config (${res.status}).`);
}

/** Chat requests the mock received since its last reset, by HTTP outcome as the mock decided it. */
export async function mockChatCount(mockUrl: string): Promise<number> {
  const res = await fetch(`${mockUrl}/__mock/log?path=/v1/chat/completions&method=POST`);
  return ((await res.json()) as unknown[]).length;
}
