// Test harness for queue.spec.ts: an in-memory store, a fake clock whose
// sleep advances time instantly, and a scriptable fake `send`.

import {
  DEFAULT_TEACHER_SETTINGS,
  type CompletionRequest,
  type CompletionResult,
  type TeacherResponse,
  type TeacherSettings,
} from './types';
import type { SendLogEntry, TeacherDeps, TeacherJob, TeacherProgress } from './queue';

export const LABELS = ['positive', 'negative'];

export function makeJob(count: number, settings: Partial<TeacherSettings> = {}): TeacherJob {
  return {
    items: Array.from({ length: count }, (_, i) => ({
      rowId: `row${i}`,
      text: i % 3 === 0 ? `text ${i} is good` : `text ${i} is bad`,
      textHash: `h${i}`,
    })),
    codebook: { task: 'Sentiment', labels: LABELS.map((name) => ({ name, definition: name })) },
    codebookHash: 'cb1',
    prompt: { system: 'You label sentiment.', template: 'tpl1' },
    settings: { ...DEFAULT_TEACHER_SETTINGS, baseURL: 'http://mock.test/v1', model: 'mock', ...settings },
  };
}

export function textOf(req: CompletionRequest): string {
  const m = /<text>\n([\s\S]*)\n<\/text>/.exec(req.messages[1].content);
  return m ? m[1] : '';
}

/** The honest answer of the fake teacher. */
export function answer(req: CompletionRequest): CompletionResult {
  const label = textOf(req).includes('good') ? 'positive' : 'negative';
  const n = req.n ?? 1;
  const content = req.structured ? JSON.stringify({ label }) : label;
  return { choices: Array.from({ length: n }, () => ({ content, refusal: null })), usage: { prompt: 100, completion: 5 * n } };
}

export type Behaviour = (req: CompletionRequest, signal: AbortSignal, call: number) => Promise<CompletionResult>;

/** A promise that only settles (rejects) when the signal aborts. */
export function hang(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    const fail = () => reject(new DOMException('aborted', 'AbortError'));
    if (signal.aborted) fail();
    else signal.addEventListener('abort', fail);
  });
}

export function harness(behaviour: Behaviour = async (req) => answer(req)) {
  const h = {
    clock: 1_000_000,
    store: new Map<string, TeacherResponse>(),
    sent: [] as CompletionRequest[],
    signals: [] as AbortSignal[],
    sleeps: [] as number[],
    progress: [] as TeacherProgress[],
    log: [] as SendLogEntry[],
    inflight: 0,
    maxInflight: 0,
    behaviour,
    onPut: (_r: TeacherResponse) => {},
  };
  const deps: TeacherDeps = {
    send: async (req, signal) => {
      h.sent.push(req);
      h.signals.push(signal);
      h.inflight += 1;
      h.maxInflight = Math.max(h.maxInflight, h.inflight);
      try {
        await new Promise((r) => setImmediate(r)); // let other workers start
        return await h.behaviour(req, signal, h.sent.length);
      } finally {
        h.inflight -= 1;
      }
    },
    getCached: async (keys) => new Map(keys.filter((k) => h.store.has(k)).map((k) => [k, h.store.get(k)!])),
    put: async (rs) => {
      for (const r of rs) {
        h.store.set(r.key, r);
        h.onPut(r);
      }
    },
    onProgress: (p) => h.progress.push(p),
    onLog: (e) => h.log.push(e),
    now: () => h.clock,
    sleep: async (ms) => {
      h.sleeps.push(ms);
      h.clock += ms;
    },
    rand: () => 0.5,
    // Never fires: timeouts are tested with their own timer.
    setTimer: () => 0,
    clearTimer: () => {},
  };
  return { h, deps, last: () => h.progress.at(-1)! };
}
