// Turning an LLM answer into one of the codebook's labels, or an honest
// "invalid". An answer outside the label set is never mapped to the nearest
// label: that would hide teacher errors from the researcher.

export type InvalidReason = 'refusal' | 'empty' | 'truncated' | 'malformed-json' | 'not-a-label' | 'ambiguous';

export interface ParsedAnswer {
  label: string | null;
  valid: boolean;
  reason?: InvalidReason;
}

/** Plain-language explanations of the reasons, for the UI. */
export const INVALID_REASON_TEXT: Record<InvalidReason, string> = {
  refusal: 'The model refused to answer.',
  empty: 'The model returned an empty answer (a reasoning model may have spent the whole token cap on reasoning).',
  truncated: 'The answer was cut off at the token cap.',
  'malformed-json': 'The answer looked like JSON but could not be read.',
  'not-a-label': 'The answer is not one of the codebook labels.',
  ambiguous: 'The answer names more than one label.',
};

const invalid = (reason: InvalidReason): ParsedAnswer => ({ label: null, valid: false, reason });

/** The canonical label whose name equals `s` ignoring case and outer whitespace. */
function exactLabel(s: string, labels: string[]): string | null {
  const t = s.trim().toLowerCase();
  return labels.find((l) => l.trim().toLowerCase() === t) ?? null;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Labels occurring as whole words; a label found only inside a longer found label is dropped. */
function labelsInSentence(text: string, labels: string[]): string[] {
  const spans = labels.map((label) => {
    const re = new RegExp(`(?<![\\p{L}\\p{N}_])${escapeRegExp(label.trim())}(?![\\p{L}\\p{N}_])`, 'giu');
    return { label, hits: [...text.matchAll(re)].map((m) => [m.index, m.index + m[0].length] as const) };
  });
  const found = spans.filter((s) => s.hits.length > 0);
  return found
    .filter(
      (s) =>
        !s.hits.every(([a, b]) =>
          found.some((o) => o !== s && o.label.length > s.label.length && o.hits.some(([c, d]) => c <= a && b <= d)),
        ),
    )
    .map((s) => s.label);
}

// Quotes, brackets, markdown emphasis and end punctuation around a bare answer.
const WRAPPING = /^[\s"'`“”‘’«»*_([{<]+|[\s"'`“”‘’«»*_)\]}>.,;:!?]+$/g;

/**
 * Parse one choice, honouring finish_reason: an answer cut at the token cap
 * ('length') is never taken as an answer, even when its first words name a
 * label — the rest might have said otherwise — and an empty one is 'empty'.
 */
export function parseChoice(
  content: string | null,
  refusal: string | null | undefined,
  finishReason: string | null | undefined,
  labels: string[],
): ParsedAnswer {
  if (refusal && refusal.trim() !== '') return invalid('refusal');
  if (content === null || content.trim() === '') return invalid('empty');
  if (finishReason === 'length') return invalid('truncated');
  return parseAnswer(content, refusal, labels);
}

/**
 * Parse an answer: JSON `{"label": ...}` first (code fences allowed), else a
 * plain answer that is exactly one label (case-insensitive, trimmed, quotes and
 * punctuation ignored), else a sentence naming exactly one label as a whole
 * word ("The answer is: X."). Refusals and anything else are invalid.
 */
export function parseAnswer(content: string | null, refusal: string | null | undefined, labels: string[]): ParsedAnswer {
  if (refusal && refusal.trim() !== '') return invalid('refusal');
  if (content === null || content.trim() === '') return invalid('empty');

  let text = content.trim();
  const fenced = /^```[a-zA-Z]*\s*([\s\S]*?)\s*```$/.exec(text);
  if (fenced) text = fenced[1].trim();

  if (text.startsWith('{')) {
    let obj: unknown;
    try {
      obj = JSON.parse(text);
    } catch {
      return invalid('malformed-json');
    }
    const value = obj && typeof obj === 'object' ? (obj as Record<string, unknown>).label : undefined;
    if (typeof value !== 'string') return invalid('malformed-json');
    const label = exactLabel(value, labels);
    return label ? { label, valid: true } : invalid('not-a-label');
  }

  const bare = exactLabel(text.replace(WRAPPING, ''), labels);
  if (bare) return { label: bare, valid: true };

  const named = labelsInSentence(text, labels);
  if (named.length === 1) return { label: named[0], valid: true };
  return invalid(named.length === 0 ? 'not-a-label' : 'ambiguous');
}
