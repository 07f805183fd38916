// How much of an untrusted text a table shows: a few lines, or on "show all"
// up to a cap that a browser lays out without stalling (a 10 MB text made the
// page 815,268 px tall). Pure, so it is unit-tested.

/** Characters and lines shown before "show all". */
export const CLAMP_CHARS = 300;
export const CLAMP_LINES = 3;
/** "Show all" shows at most this much; the whole text is in the export. */
export const SHOW_ALL_CHARS = 100_000;

export interface Clamped {
  /** The text to render. */
  shown: string;
  /** True when `shown` is not the whole text. */
  clipped: boolean;
}

/** The start of `text`: at most `chars` characters and `lines` lines, never half a surrogate pair. */
export function clampText(text: string, chars = CLAMP_CHARS, lines = CLAMP_LINES): Clamped {
  let end = Math.min(text.length, chars);
  let nl = -1;
  for (let k = 0; k < lines; k++) {
    nl = text.indexOf('\n', nl + 1);
    if (nl === -1 || nl >= end) break;
    if (k === lines - 1) end = nl;
  }
  if (end < text.length && end > 0 && /[\uD800-\uDBFF]/.test(text[end - 1])) end -= 1;
  return end >= text.length ? { shown: text, clipped: false } : { shown: text.slice(0, end), clipped: true };
}

/** What "show all" renders: everything up to SHOW_ALL_CHARS. */
export function expandText(text: string, max = SHOW_ALL_CHARS): Clamped {
  return clampText(text, max, Infinity);
}
