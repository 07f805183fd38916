// The codebook model: normalising, checking, hashing and versioning.
import { hashText } from '../data/hash';
import type { Codebook, CodebookVersion } from './types';

export function emptyCodebook(): Codebook {
  return { task: '', instructions: '', labels: [], positive: null, examples: [] };
}

/**
 * Trim every string (so stray whitespace never makes a new version or a new
 * prompt) and return a fresh object with keys in a fixed order.
 */
export function normalizeCodebook(cb: Codebook): Codebook {
  return {
    task: cb.task.trim(),
    instructions: cb.instructions.trim(),
    labels: cb.labels.map((l) => ({ name: l.name.trim(), definition: l.definition.trim() })),
    positive: cb.positive === null ? null : cb.positive.trim() || null,
    examples: cb.examples.map((e) => ({ text: e.text.trim(), label: e.label.trim() })),
  };
}

export function labelNames(cb: Codebook): string[] {
  return cb.labels.map((l) => l.name.trim());
}

/** Problems a researcher should fix before labeling, in words; [] when fine. */
export function validateCodebook(cb: Codebook): string[] {
  const c = normalizeCodebook(cb);
  const problems: string[] = [];
  if (c.task === '') problems.push('Describe the task: what should be annotated?');
  if (c.labels.length === 0) problems.push('Add labels: the codebook has none.');
  else if (c.labels.length === 1) problems.push('Add a second label: classification needs at least two.');
  const seen = new Map<string, string>();
  c.labels.forEach((l, i) => {
    if (l.name === '') {
      problems.push(`Label ${i + 1} has no name.`);
      return;
    }
    if (/[\r\n]/.test(l.name)) problems.push(`Label "${l.name}" has a line break in its name.`);
    const key = l.name.toLowerCase();
    const prev = seen.get(key);
    if (prev !== undefined) problems.push(`Labels "${prev}" and "${l.name}" are the same name twice.`);
    else seen.set(key, l.name);
    if (l.definition === '') problems.push(`Label "${l.name}" has no definition.`);
  });
  const names = new Set(c.labels.map((l) => l.name));
  if (c.positive !== null && !names.has(c.positive)) {
    problems.push(`The positive class "${c.positive}" is not one of the labels.`);
  }
  c.examples.forEach((e, i) => {
    if (e.text === '') problems.push(`Example ${i + 1} has no text.`);
    if (!names.has(e.label)) problems.push(`Example ${i + 1} uses the label "${e.label}", which is not one of the labels.`);
  });
  return problems;
}

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * Hash of the normalised codebook: independent of key order and surrounding
 * whitespace; label and example order count (they change the prompt).
 */
export function codebookHash(cb: Codebook): string {
  return hashText(canonicalJson(normalizeCodebook(cb)));
}

/**
 * The version to save for `cb`, or null when it equals the latest version
 * (by hash). Versions number from 1; the stored codebook is normalised.
 */
export function nextVersion(versions: readonly CodebookVersion[], cb: Codebook, now: number = Date.now()): CodebookVersion | null {
  const hash = codebookHash(cb);
  const latest = versions.reduce<CodebookVersion | null>((a, v) => (a === null || v.version > a.version ? v : a), null);
  if (latest && latest.hash === hash) return null;
  return { version: (latest?.version ?? 0) + 1, createdAt: now, codebook: normalizeCodebook(cb), hash };
}
