// What a project file may put in the store, checked field by field before
// anything is written. A file is input from outside, like a dataset: each
// check returns the record rebuilt from the fields it checked (never the
// file's object itself, so no stray field or prototype key travels on), or a
// reason in words. Answers are re-read with the teacher's parser, so a file
// cannot claim a label its raw answer does not say.
import { codebookHash, normalizeCodebook } from '../codebook/codebook';
import type { Codebook, CodebookVersion } from '../codebook/types';
import { hashText } from '../data/hash';
import { STEPS } from '../project/workflow';
import { parseCacheKey } from '../teacher/cache-key';
import { parseAnswer, type ParsedAnswer } from '../teacher/parse';
import type { AnswerOrigin, TeacherResponse, TokenUsage } from '../teacher/types';
import { cutText, MAX_NAME } from '../data/untrusted';
import { isCount, isObject, isStrArray } from './guards';
import { mappingProblem, modelProblem, predictionsProblem, comparisonProblem, splitsProblem } from './records';
import type { Project, StoredModel, StoredResult, StoredRow } from './types';

/** A check's verdict: the rebuilt value, or why the field is unusable. */
export type Checked<T> = { ok: T } | { why: string };

const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const bad = (why: string) => ({ why });

/** Longest raw answer or error text kept from a file: a one-label answer is a few bytes. */
export const MAX_ANSWER = 64 * 1024;
export const MAX_ERROR = 2000;

const STEP_IDS = new Set<string>(STEPS.map((s) => s.id));

/** The project record of a file, as this browser will store it under `id`. */
export function checkProject(v: unknown, id: string, rowCount: number, now: number): Checked<Project> {
  if (!isObject(v) || typeof v.id !== 'string' || typeof v.name !== 'string') return bad('its id or name is missing');
  if (v.id === '' || v.id.length > MAX_NAME) return bad('its id is not an id');
  const step = v.step ?? 'data';
  if (typeof step !== 'string' || !STEP_IDS.has(step))
    return bad(`its saved step "${cutText(String(step), 40)}" is not a step of this app`);
  if (v.mapping !== null && v.mapping !== undefined) {
    const why = mappingProblem(v.mapping);
    if (why) return bad(`its column mapping is unusable (${why})`);
  }
  if (v.splits !== null && v.splits !== undefined) {
    const why = splitsProblem(v.splits);
    if (why) return bad(`its splits are unusable (${why})`);
  }
  if (v.settings !== undefined && !isObject(v.settings)) return bad('its settings are not an object');
  const mapping = (v.mapping ?? null) as Project['mapping'];
  return {
    ok: {
      id,
      name: cutText(v.name.trim() || 'Imported project', MAX_NAME),
      createdAt: isNum(v.createdAt) ? v.createdAt : now,
      updatedAt: isNum(v.updatedAt) ? v.updatedAt : now,
      step,
      mapping: mapping && { text: mapping.text, id: mapping.id ?? null, label: mapping.label ?? null },
      splits: (v.splits ?? null) as Project['splits'],
      settings: (v.settings ?? {}) as Record<string, unknown>,
      rowCount,
    },
  };
}

/**
 * One dataset row; its hash must be its text's (hashes key the shared caches).
 * `verifyHash` false: the same bytes were verified before (an import's write pass).
 */
export function checkRow(v: unknown, verifyHash = true): Checked<StoredRow> {
  if (!isObject(v) || typeof v.id !== 'string' || typeof v.text !== 'string' || typeof v.hash !== 'string')
    return bad('its id, text or hash is missing');
  if (v.human !== null && v.human !== undefined && typeof v.human !== 'string') return bad('its human label is not text');
  if (verifyHash && v.hash !== hashText(v.text)) return bad("its hash is not its text's");
  return { ok: { id: v.id, text: v.text, human: (v.human ?? null) as string | null, hash: v.hash } };
}

const strs = (v: unknown, ...keys: string[]) => isObject(v) && keys.every((k) => typeof v[k] === 'string');

/** One codebook version; its hash must be its content's (answers are keyed by it). */
export function checkCodebookVersion(v: unknown): Checked<CodebookVersion> {
  if (!isObject(v) || !Number.isInteger(v.version) || (v.version as number) < 1) return bad('its version number is missing');
  const n = v.version as number;
  const cb = v.codebook;
  if (!isObject(cb) || !strs(cb, 'task', 'instructions')) return bad(`version ${n} has no usable task or instructions`);
  if (!Array.isArray(cb.labels) || !cb.labels.every((l) => strs(l, 'name', 'definition'))) return bad(`version ${n} has no usable labels`);
  const examples = cb.examples ?? [];
  if (!Array.isArray(examples) || !examples.every((e) => strs(e, 'text', 'label'))) return bad(`version ${n} has no usable examples`);
  if (cb.positive !== null && cb.positive !== undefined && typeof cb.positive !== 'string')
    return bad(`version ${n} has no usable positive class`);
  const codebook = normalizeCodebook({
    task: cb.task as string,
    instructions: cb.instructions as string,
    labels: cb.labels as Codebook['labels'],
    positive: (cb.positive ?? null) as string | null,
    examples: examples as Codebook['examples'],
  });
  const hash = codebookHash(codebook);
  if (v.hash !== hash) return bad(`version ${n} does not match its hash (edited by hand?)`);
  return { ok: { version: n, createdAt: isNum(v.createdAt) ? v.createdAt : 0, codebook, hash } };
}

function checkUsage(v: unknown): TokenUsage | null {
  if (!isObject(v) || !isCount(v.prompt) || !isCount(v.completion)) return null;
  if ((v.reasoning !== undefined && !isCount(v.reasoning)) || (v.cachedPrompt !== undefined && !isCount(v.cachedPrompt))) return null;
  return {
    prompt: v.prompt as number,
    completion: v.completion as number,
    ...(v.reasoning !== undefined ? { reasoning: v.reasoning as number } : {}),
    ...(v.cachedPrompt !== undefined ? { cachedPrompt: v.cachedPrompt as number } : {}),
  };
}

/**
 * The verdict stored for a raw answer: the file's own when the teacher's
 * parser gives it (with or without the schema, as the run may have asked
 * either way), else the parser's own verdict. An answer longer
 * than any label answer is malformed, as a live run reading it against the
 * schema would say.
 */
export function answerVerdict(raw: string, claimed: { label: unknown; valid: unknown }, labels: string[]): ParsedAnswer {
  if (raw.length > MAX_ANSWER)
    return { label: null, valid: false, reason: raw.trimStart().startsWith('{') ? 'malformed-json' : 'not-a-label' };
  const strict = parseAnswer(raw, null, labels, { structured: true });
  const lenient = parseAnswer(raw, null, labels);
  const same = (p: ParsedAnswer) => p.valid === claimed.valid && p.label === (claimed.label ?? null);
  if (same(lenient)) return lenient;
  if (same(strict)) return strict;
  // Neither: JSON is read against the schema, prose as a run without it reads prose.
  return raw.trimStart().startsWith('{') ? strict : lenient;
}

/**
 * One cached answer, rebuilt as this browser would have stored it, tagged
 * with its origin and the imported project: the key's parts come from the
 * key, and the label from the raw answer against the labels of the codebook
 * the key names (`labelsOf`; null when the file has no such version).
 */
export function checkResponse(
  v: unknown,
  labelsOf: (codebookHash: string) => string[] | null,
  projectId: string,
  origin: AnswerOrigin,
): Checked<TeacherResponse> | { skip: string } {
  if (!isObject(v) || typeof v.key !== 'string') return bad('it has no key');
  const parts = v.key.length <= 4096 ? parseCacheKey(v.key) : null;
  if (!parts) return bad('its key is not a teacher cache key of this version');
  const labels = labelsOf(parts.codebookHash);
  if (!labels) return { skip: 'for a codebook version the file does not hold' };
  if (v.raw !== null && typeof v.raw !== 'string') return bad('its raw answer is not text');
  if (typeof v.valid !== 'boolean' || (v.label !== null && v.label !== undefined && typeof v.label !== 'string'))
    return bad('its label or validity is missing');
  const usage = checkUsage(v.usage ?? { prompt: 0, completion: 0 });
  if (!usage) return bad('its token counts are not counts');
  if (!isNum(v.at) || v.at < 0) return bad('its arrival time is not a time');
  if (v.maxTokens !== undefined && !isCount(v.maxTokens)) return bad('its token cap is not a count');
  if (v.attempts !== undefined && !isCount(v.attempts)) return bad('its attempts are not a count');
  if (v.finishReason !== undefined && v.finishReason !== null && typeof v.finishReason !== 'string')
    return bad('its finish reason is not text');
  if (v.error !== undefined && typeof v.error !== 'string') return bad('its error is not text');
  if (v.invalidReason !== undefined && typeof v.invalidReason !== 'string') return bad('its invalid reason is not text');
  let probs: Record<string, number> | undefined;
  if (v.probs !== undefined) {
    const p = v.probs;
    if (!isObject(p) || !Object.entries(p).every(([k, x]) => labels.includes(k) && isNum(x) && x >= 0 && x <= 1))
      return bad('its label probabilities are not probabilities of its labels');
    probs = Object.fromEntries(Object.entries(p) as [string, number][]);
  }
  const raw = v.raw as string | null;
  const failedRequest = v.invalidReason === 'request-failed';
  let verdict: ParsedAnswer;
  if (failedRequest) verdict = { label: null, valid: false, reason: undefined };
  else if (raw === null || raw.trim() === '') verdict = { label: null, valid: false, reason: 'empty' };
  else if (v.finishReason === 'length') verdict = { label: null, valid: false, reason: 'truncated' };
  else if (v.invalidReason === 'refusal' && v.valid === false) verdict = { label: null, valid: false, reason: 'refusal' };
  else verdict = answerVerdict(raw, { label: v.label, valid: v.valid }, labels);
  const reason = failedRequest ? 'request-failed' : verdict.reason;
  return {
    ok: {
      key: v.key,
      ...parts,
      raw: raw === null ? null : cutText(raw, MAX_ANSWER),
      label: verdict.label,
      valid: verdict.valid,
      ...(reason ? { invalidReason: reason } : {}),
      usage,
      ...(v.maxTokens !== undefined ? { maxTokens: v.maxTokens as number } : {}),
      ...(typeof v.finishReason === 'string' || v.finishReason === null ? { finishReason: v.finishReason } : {}),
      ...(probs && verdict.valid ? { probs } : {}),
      ...(typeof v.error === 'string' ? { error: cutText(v.error, MAX_ERROR) } : {}),
      ...(v.attempts !== undefined ? { attempts: v.attempts as number } : {}),
      at: v.at,
      projectId,
      origin,
    },
  };
}

/** A student, attached to `projectId`. */
export function checkModel(v: unknown, projectId: string): Checked<StoredModel> {
  const why = modelProblem(isObject(v) ? { ...v, projectId } : v);
  if (why) return bad(why);
  return { ok: { ...(v as unknown as StoredModel), projectId } };
}

/** A result (a student's corpus labels or a comparison), attached to `projectId`. */
export function checkResult(v: unknown, projectId: string): Checked<StoredResult> {
  if (!isObject(v) || typeof v.id !== 'string') return bad('it has no id');
  if (!isNum(v.createdAt)) return bad('it has no creation time');
  const why =
    v.kind === 'predictions'
      ? predictionsProblem(v.data)
      : v.kind === 'comparison'
        ? comparisonProblem(v.data)
        : 'its kind is not one this version reads';
  if (why) return bad(why);
  return { ok: { ...(v as unknown as StoredResult), projectId } };
}

/** The description of a vectors/<i>.bin part. */
export interface VectorMeta {
  embKey: string;
  dim: number;
  format: 'f32' | 'f16';
  hashes: string[];
}

/** A vectors/<i>.json part; every hash must be one of the file's rows' (`isRowHash`). */
export function checkVectorMeta(v: unknown, isRowHash: (h: string) => boolean): Checked<VectorMeta> {
  if (!isObject(v) || typeof v.embKey !== 'string' || v.embKey === '' || v.embKey.length > 1000) return bad('its encoder key is missing');
  if (!Number.isInteger(v.dim) || (v.dim as number) < 1 || (v.dim as number) > 65536) return bad('its width is not a width');
  if (v.format !== 'f32' && v.format !== 'f16') return bad('its number format is not one this version reads');
  if (!isStrArray(v.hashes)) return bad('its text hashes are missing');
  if (!v.hashes.every(isRowHash)) return bad('it holds vectors of texts the project does not have');
  return { ok: { embKey: v.embKey, dim: v.dim as number, format: v.format, hashes: v.hashes } };
}
