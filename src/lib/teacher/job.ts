// Pure wiring between the app's settings and the teacher core: which rows a
// run labels, the TeacherJob for them, and a key naming the "setup" (endpoint,
// model, codebook, prompt, repeats, temperatures) whose cached answers count
// as the current teacher labels. No Svelte, no store: unit-tested in Node.

import { sampleStratifiedSteps } from '../data/split';
import { STEP_ROWS, runNow, runSliced, type Steps } from '../store/yield';
import { trainingPool } from '../train/training-rows';
import type { RowLookup } from '../train/row-index';
import type { DataRow, Splits } from '../data/types';
import { normaliseEndpoint } from './cache-key';
import type { Price } from './prices';
import type { PromptSpec } from './prompt';
import type { TeacherJob } from './tasks';
import { DEFAULT_TEACHER_SETTINGS, type Capabilities, type ReasoningEffort, type TeacherLaterFields, type TeacherSettings } from './types';
import { PROMPT_TEMPLATE_VERSION, systemPrompt, userPrompt } from '../codebook/prompt';
import type { CodebookVersion } from '../codebook/types';
import type { TeacherRunSettings } from '../project/settings';

/** Which texts a run labels: the paper's design, or the whole corpus. */
export type TeacherScope = 'paper' | 'all';

/** TeacherRunSettings plus the teacher's own extras, stored on the project alongside them (absent in older projects). */
export interface TeacherRunSettingsX extends TeacherRunSettings, TeacherLaterFields {
  /** The account's Batch API enqueued-token limit for this model; null = not set. */
  batchQueueTokens?: number | null;
}

const EFFORTS: ReasoningEffort[] = ['minimal', 'low', 'medium', 'high'];

export interface Endpoint {
  baseURL: string;
  model: string;
  apiKey: string;
}

/**
 * Row ids to label, in the order they are sent: the validation sample first
 * (so the teacher can be checked early), then the test set (the paper's
 * "LLM few-shot" row needs it), then `poolN` texts of the training pool —
 * stratified by human label (unlabeled rows form their own stratum), seeded,
 * which is a plain seeded random sample when nothing is labeled. `all` labels
 * every row. Without splits every row is pool.
 */
export function scopeIds(
  rows: readonly DataRow[],
  splits: Splits | null,
  o: { scope: TeacherScope; poolN: number; seed: number },
  /** The rows by id and the training pool, when the caller holds them (the page's app state): not rebuilt over every row. */
  held?: { byId: RowLookup<DataRow>; pool: readonly DataRow[] },
): string[] {
  return runNow(scopeIdsSteps(rows, splits, o, held));
}

/** scopeIds as a Steps loop (store/yield.ts): the page draws the pool sample of a million rows in slices. */
export function* scopeIdsSteps(
  rows: readonly DataRow[],
  splits: Splits | null,
  o: { scope: TeacherScope; poolN: number; seed: number },
  held?: { byId: RowLookup<DataRow>; pool: readonly DataRow[] },
): Steps<string[]> {
  if (o.scope === 'all') {
    const out = splits ? [...splits.validation, ...splits.test] : [];
    const seen = new Set(out);
    for (let i = 0; i < rows.length; i++) {
      if (!seen.has(rows[i].id)) out.push(rows[i].id);
      if (i % STEP_ROWS === 0) yield;
    }
    return out;
  }
  const byId = held?.byId ?? new Map(rows.map((r) => [r.id, r]));
  const validation = (splits?.validation ?? []).filter((id) => byId.has(id));
  const test = (splits?.test ?? []).filter((id) => byId.has(id));
  const poolRows = held?.pool ?? trainingPool(rows, splits, byId);
  const pool: string[] = [];
  const strata: string[] = [];
  for (let i = 0; i < poolRows.length; i++) {
    pool.push(poolRows[i].id);
    strata.push(poolRows[i].human ?? '');
    if (i % STEP_ROWS === 0) yield;
  }
  const n = Math.max(0, Math.floor(o.poolN));
  const sample = n >= pool.length ? pool : yield* sampleStratifiedSteps(pool, strata, n, o.seed);
  return [...validation, ...test, ...sample];
}

const positive = (x: number | null | undefined) => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : null);

/** The core's TeacherSettings from the endpoint settings and the project's run settings. */
export function toTeacherSettings(ep: Endpoint, run: TeacherRunSettingsX): TeacherSettings {
  const budget: TeacherSettings['budget'] = {};
  if (run.budgetTokens !== null && run.budgetTokens > 0) budget.maxTokens = run.budgetTokens;
  if (run.budgetCost !== null && run.budgetCost > 0) budget.maxCost = run.budgetCost;
  return {
    baseURL: ep.baseURL.trim(),
    model: ep.model.trim(),
    apiKey: ep.apiKey,
    temperature: run.temperature,
    repeatTemperature: run.repeatTemperature,
    maxTokens: Math.max(1, Math.floor(run.maxTokens)),
    reasoningMaxTokens: Math.max(1, Math.floor(run.reasoningMaxTokens ?? DEFAULT_TEACHER_SETTINGS.reasoningMaxTokens)),
    reasoningEffort: EFFORTS.includes(run.reasoningEffort as ReasoningEffort)
      ? run.reasoningEffort!
      : DEFAULT_TEACHER_SETTINGS.reasoningEffort,
    repeats: Math.max(1, Math.floor(run.repeats)),
    concurrency: Math.max(1, Math.floor(run.concurrency)),
    timeoutMs: Math.max(1, run.timeoutMs),
    maxRetries: Math.max(0, Math.floor(run.maxRetries)),
    structured: run.structured,
    batchRepeats: run.batchRepeats,
    rpm: positive(run.rpm),
    tpm: positive(run.tpm),
    logprobs: run.logprobs === 'off' ? 'off' : 'auto',
    budget,
  };
}

/** The codebook stage's prompt: its system message and the fixed user message. */
export function promptFor(version: CodebookVersion): PromptSpec {
  return { system: systemPrompt(version.codebook), template: PROMPT_TEMPLATE_VERSION, user: userPrompt };
}

export interface JobInput {
  rows: readonly DataRow[];
  version: CodebookVersion;
  settings: TeacherSettings;
  capabilities?: Capabilities;
  /** null = unknown price. */
  price?: Price | null;
  projectId?: string;
}

/**
 * A TeacherJob over `rows`. Rows with the same text become one item (the
 * first row's id), so an identical text is never asked twice in one run.
 */
export function makeJob(i: JobInput): TeacherJob {
  const seen = new Set<string>();
  const items = [];
  for (const r of i.rows) {
    if (seen.has(r.hash)) continue;
    seen.add(r.hash);
    items.push({ rowId: r.id, text: r.text, textHash: r.hash });
  }
  return {
    items,
    codebook: i.version.codebook,
    codebookHash: i.version.hash,
    settings: i.settings,
    prompt: promptFor(i.version),
    ...(i.capabilities ? { capabilities: i.capabilities } : {}),
    ...(i.price !== undefined ? { price: i.price } : {}),
    ...(i.projectId ? { projectId: i.projectId } : {}),
  };
}

/**
 * Names everything that decides which cached answers are "the" teacher
 * labels: two equal keys read exactly the same cache entries.
 */
export function setupKey(projectId: string, version: CodebookVersion, s: TeacherSettings, temperatureAllowed: boolean): string {
  return JSON.stringify([
    projectId,
    normaliseEndpoint(s.baseURL),
    s.model,
    version.hash,
    PROMPT_TEMPLATE_VERSION,
    s.repeats,
    s.temperature,
    s.repeatTemperature,
    temperatureAllowed,
  ]);
}

/**
 * scopeIds drawn in slices and kept while the rows, splits and scope
 * settings stay: the pool sample walks the whole pool (a million ids), and
 * the estimate asks again on every settings change.
 */
export class ScopeIds {
  #last: { rows: readonly DataRow[]; key: string; ids: string[] } | null = null;

  async of(
    rows: readonly DataRow[],
    splits: Splits | null,
    o: { scope: TeacherScope; poolN: number; seed: number },
    held: { byId: RowLookup<DataRow>; pool: readonly DataRow[] },
  ): Promise<string[]> {
    // The pool is every row not held out, so the held-out ids name the splits (a reread project record is a new object).
    const key = JSON.stringify([o, splits?.validation ?? null, splits?.test ?? null]);
    if (this.#last?.rows === rows && this.#last.key === key) return this.#last.ids;
    const ids = await runSliced(scopeIdsSteps(rows, splits, o, held));
    this.#last = { rows, key, ids };
    return ids;
  }
}

/** A run's budget from the project's settings (a cap of 0 or none is no cap). */
export function budgetOf(maxTokens: number | null, maxCost: number | null): TeacherSettings['budget'] {
  const b: TeacherSettings['budget'] = {};
  if (maxTokens !== null && maxTokens > 0) b.maxTokens = maxTokens;
  if (maxCost !== null && maxCost > 0) b.maxCost = maxCost;
  return b;
}
