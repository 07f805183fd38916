// Text and objects that came from a file (a project file, a student's
// surrogate.json, a Batch output) before anything shows or stores them: names
// and messages are cut before display (a 4 MB project name stalled the page),
// and keys that could reach a prototype are found before any copy by
// assignment. Pure, shared by the store's import checks and the Train step's
// student files.

/** Longest project name kept from a file; a longer one is cut (a 4 MB name stalled the page). */
export const MAX_NAME = 200;
/** `s` cut to `n` characters, marked when cut. */
export function cutText(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

const HOSTILE_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * The path of the first object key in `v` that could reach a prototype
 * (`__proto__`, `constructor`, `prototype`), or null. JSON.parse keeps them as
 * plain keys, but any later copy by assignment would not.
 */
export function hostileKey(v: unknown, path = '$'): string | null {
  const stack: [unknown, string][] = [[v, path]];
  while (stack.length > 0) {
    const [x, at] = stack.pop()!;
    if (x === null || typeof x !== 'object' || ArrayBuffer.isView(x)) continue;
    if (Array.isArray(x)) {
      for (let i = 0; i < x.length; i++) if (x[i] !== null && typeof x[i] === 'object') stack.push([x[i], `${at}[${i}]`]);
      continue;
    }
    for (const k of Object.keys(x)) {
      if (HOSTILE_KEYS.has(k)) return `${at}.${k}`;
      const y = (x as Record<string, unknown>)[k];
      if (y !== null && typeof y === 'object') stack.push([y, `${at}.${k}`]);
    }
  }
  return null;
}
