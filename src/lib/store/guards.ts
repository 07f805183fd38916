// Shape checks for what comes back from storage or a project file. Each
// returns null when the value is usable, or the reason in a few words; the
// record guards (records.ts) combine them so a reader never casts.

export type Reason = string | null;

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export const hasStr = (o: unknown, ...keys: string[]): boolean => isObject(o) && keys.every((k) => typeof o[k] === 'string');

export const isCount = (v: unknown): boolean => Number.isInteger(v) && (v as number) >= 0;

export const isStrArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');

/** The first reason among `checks`, each a field name and whether it holds. */
export function firstFailure(checks: [field: string, ok: boolean][]): Reason {
  const bad = checks.find(([, ok]) => !ok);
  return bad ? `no usable ${bad[0]}` : null;
}

/** Usable records and, in words, why any others were left out. */
export interface Checked<T> {
  items: T[];
  skipped: string[];
}
