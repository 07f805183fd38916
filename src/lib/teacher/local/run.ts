// A teacher run with a model in this tab: the same job, cache keys, stored
// answers, progress and controller as the API teacher's queue, but each text
// is scored once (deterministic, so no repeats, no temperature, no retries)
// and nothing is sent anywhere. Texts go to the scorer a few at a time, each
// batch stored as it comes back, so a closed tab loses at most one batch and
// a reload scores only what is missing. Pure: the scorer, the store and the
// clock are injected.

import { normaliseEndpoint } from '../cache-key';
import type { TeacherController, TeacherProgress, TeacherSummary } from '../queue';
import { RunControls, startProgress } from '../run-controls';
import { pace } from '../../ui/eta';
import { jobKey, labelNames, promptOf, type TeacherItem, type TeacherJob } from '../tasks';
import { userMessage } from '../prompt';
import { DEFAULT_CAPABILITIES, type Capabilities, type TeacherResponse } from '../types';
import { answerFor, type LabelScores } from './score';

/** What an in-browser model "accepts": one deterministic answer per text, with probabilities. */
export const LOCAL_PROFILE: Capabilities = {
  ...DEFAULT_CAPABILITIES,
  n: false,
  temperature: false,
  structured: false,
  logprobs: true,
  probed: true,
};

/** The privacy log's endpoint for a text scored here. */
export const SENT_NOWHERE = 'sent nowhere (scored in this tab)';

export interface LocalRunDeps {
  /** Scores the user messages of a batch of texts (the worker); rejects with a message in plain words. */
  score: (users: string[]) => Promise<LabelScores[]>;
  getCached: (keys: string[]) => Promise<Map<string, TeacherResponse>>;
  /** One call per batch, so a batch lands whole or not at all. */
  put: (rs: TeacherResponse[]) => Promise<void>;
  onProgress: (p: TeacherProgress) => void;
  onLog?: (entry: { at: number; endpoint: string; model: string; rowId: string; textHash: string }) => void;
  /** Texts per scorer call (default 4): small, so pause and cancel act quickly. */
  batchSize?: number;
  now?: () => number;
}

/** The one cache key of a text: repeat 0 at the endpoint's default temperature (none is sent). */
export function localKey(job: TeacherJob, textHash: string): string {
  return jobKey(job, textHash, 0, null);
}

/** The stored answer for one scored text: the likeliest label, with every label's probability. */
export function localResponse(job: TeacherJob, item: TeacherItem, scores: LabelScores, at: number): TeacherResponse {
  const labels = labelNames(job);
  let best = 0;
  scores.probs.forEach((p, i) => (p > scores.probs[best] ? (best = i) : 0));
  return {
    key: localKey(job, item.textHash),
    endpoint: normaliseEndpoint(job.settings.baseURL),
    model: job.settings.model,
    codebookHash: job.codebookHash,
    template: promptOf(job).template,
    textHash: item.textHash,
    repeat: 0,
    temperature: null,
    raw: answerFor(labels[best]),
    label: labels[best],
    valid: true,
    usage: { prompt: scores.tokens, completion: 0 },
    probs: Object.fromEntries(labels.map((l, i) => [l, scores.probs[i]])),
    at,
    ...(job.projectId ? { projectId: job.projectId } : {}),
  } as TeacherResponse;
}

/** Starts the run; `done` resolves when every text is scored, or on cancel or an error. */
export function runLocalTeacher(job: TeacherJob, deps: LocalRunDeps): TeacherController {
  const now = deps.now ?? Date.now;
  const size = Math.max(1, deps.batchSize ?? 4);
  const user = promptOf(job).user ?? userMessage;
  // One scorer, one batch at a time: the API teacher's rate fields say so.
  const p = startProgress(job.items.length, true, 1);
  let finished = false;
  let fatal: string | undefined;
  let scored = 0;
  let started = now();
  const emit = () => {
    p.state = ctl.state(fatal, finished) ?? 'running';
    Object.assign(p, pace(scored, started, now(), p.total - p.done));
    deps.onProgress({ ...p });
  };
  const ctl = new RunControls(job.settings.budget, {
    over: (b) => b.maxTokens !== undefined && p.tokensIn >= b.maxTokens,
    emit,
    ended: () => finished,
  });

  const done = (async (): Promise<TeacherSummary> => {
    try {
      const found = await deps.getCached(job.items.map((it) => localKey(job, it.textHash)));
      const todo: TeacherItem[] = [];
      for (const it of job.items) {
        if (found.has(localKey(job, it.textHash))) {
          p.cached += 1;
          p.done += 1;
        } else todo.push(it);
      }
      started = now();
      emit();
      for (let i = 0; i < todo.length; i += size) {
        if (!(await ctl.gate())) break;
        const batch = todo.slice(i, i + size);
        const at = now();
        for (const it of batch)
          deps.onLog?.({ at, endpoint: SENT_NOWHERE, model: job.settings.model, rowId: it.rowId, textHash: it.textHash });
        let scores: LabelScores[];
        try {
          scores = await deps.score(batch.map((it) => user(it.text)));
        } catch (e) {
          fatal = `The local model could not score a text: ${e instanceof Error ? e.message : String(e)}`;
          break;
        }
        const rs = batch.map((it, k) => localResponse(job, it, scores[k], now()));
        try {
          await deps.put(rs);
        } catch (e) {
          fatal = `Could not save a teacher answer: ${e instanceof Error ? e.message : String(e)}`;
          break;
        }
        scored += batch.length;
        p.done += batch.length;
        p.sent += batch.length;
        p.tokensIn += scores.reduce((a, s) => a + s.tokens, 0);
        emit();
      }
    } catch (e) {
      fatal = `Could not read the answer cache: ${e instanceof Error ? e.message : String(e)}`;
    }
    finished = true;
    emit();
    return { ...p, failures: [], capabilities: LOCAL_PROFILE, ...(fatal ? { error: fatal } : {}) };
  })();

  return {
    ...ctl.verbs(),
    done,
  };
}
