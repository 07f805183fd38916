// Turning an LLM answer into one of the codebook's labels, or an honest
// "invalid". An answer outside the label set is never mapped to the nearest
// label, and a label is never read out of a sentence ("not X", "probably X",
// "X or Y"): that would hide teacher errors from the researcher. The raw
// answer is kept beside the verdict (TeacherResponse.raw).

export type InvalidReason = 'refusal' | 'empty' | 'truncated' | 'malformed-json' | 'not-json' | 'not-a-label' | 'ambiguous';

export interface ParsedAnswer {
  label: string | null;
  valid: boolean;
  reason?: InvalidReason;
}

export interface AnswerOptions {
  /**
   * True when the request asked for the JSON schema (structured output): then
   * only a schema-valid `{"label": <exactly one of the labels>}` is a label.
   * False or absent: a JSON answer is read leniently and prose must be exactly
   * one label.
   */
  structured?: boolean;
}

/** Plain-language explanations of the reasons, for the UI. */
export const INVALID_REASON_TEXT: Record<InvalidReason, string> = {
  refusal: 'The model refused to answer.',
  empty: 'The model returned an empty answer (a reasoning model may have spent the whole token cap on reasoning).',
  truncated: 'The answer was cut off at the token cap.',
  'malformed-json': 'The answer looked like JSON but was not {"label": …} with one of the labels.',
  'not-json':
    'A JSON answer was asked for (structured output) but the model answered in prose, so it is not read as a label. ' +
    'If this server ignores JSON schemas, set Structured output to "never".',
  'not-a-label': 'The answer is not one of the codebook labels (a sentence is read as a label only when it is nothing but the label).',
  ambiguous: 'The answer matches more than one label.',
};

const invalid = (reason: InvalidReason): ParsedAnswer => ({ label: null, valid: false, reason });

/** Case, spacing and punctuation folded away: "**Not relevant.**" → "not relevant". */
function fold(s: string): string {
  return s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, ' ')
    .trim();
}

/**
 * The label that `answer` is, as a whole: equal ignoring case and outer
 * spaces, else equal once case, spacing and punctuation are folded away.
 * Never a label found inside a longer answer: "not X", "probably X" and
 * "X or Y" are not X. 'ambiguous' when the folded answer equals two labels.
 */
function wholeLabel(answer: string, labels: string[]): string | 'ambiguous' | null {
  const t = answer.trim().toLowerCase();
  const exact = labels.filter((l) => l.trim().toLowerCase() === t);
  if (exact.length === 1) return exact[0];
  const f = fold(answer);
  if (f === '') return exact.length > 1 ? 'ambiguous' : null;
  const hits = labels.filter((l) => fold(l) === f);
  return hits.length === 1 ? hits[0] : hits.length > 1 || exact.length > 1 ? 'ambiguous' : null;
}

// "Label: X", "The answer is X.", "Final answer — X": a fixed lead-in, then nothing but a label.
const LEAD_IN = /^\W*(?:the\s+)?(?:final\s+)?(?:answer|label|category|class|classification)(?:\s+is)?\s*[:=\-–—]?\s*/i;

function fromLabel(found: string | 'ambiguous' | null): ParsedAnswer | null {
  if (found === 'ambiguous') return invalid('ambiguous');
  return found === null ? null : { label: found, valid: true };
}

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
  opts: AnswerOptions = {},
): ParsedAnswer {
  if (refusal && refusal.trim() !== '') return invalid('refusal');
  if (content === null || content.trim() === '') return invalid('empty');
  if (finishReason === 'length') return invalid('truncated');
  return parseAnswer(content, refusal, labels, opts);
}

/**
 * Parse an answer. With structured output requested, only a JSON object
 * whose one field `label` is exactly one of the labels is valid; prose is
 * 'not-json', whatever it says. Otherwise a JSON `{"label": …}` is read
 * (code fences allowed, case and punctuation ignored), and prose only when
 * the whole answer is one label, optionally after a lead-in such as "Label:"
 * — never by finding a label inside a sentence, so "The poster is definitely
 * not a Democrat." is not "Democrat". Anything else is invalid, with a reason.
 */
export function parseAnswer(
  content: string | null,
  refusal: string | null | undefined,
  labels: string[],
  opts: AnswerOptions = {},
): ParsedAnswer {
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
    if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return invalid('malformed-json');
    const record = obj as Record<string, unknown>;
    const value = record.label;
    if (typeof value !== 'string') return invalid('malformed-json');
    if (opts.structured) {
      // Schema-valid only: the one property, its value exactly one of the enum (the same characters, however composed).
      if (Object.keys(record).length !== 1) return invalid('malformed-json');
      const nfc = value.normalize('NFC');
      const label = labels.find((l) => l === value || l.normalize('NFC') === nfc);
      return label !== undefined ? { label, valid: true } : invalid('not-a-label');
    }
    return fromLabel(wholeLabel(value, labels)) ?? invalid('not-a-label');
  }
  if (opts.structured) return invalid('not-json');

  const whole = fromLabel(wholeLabel(text, labels));
  if (whole) return whole;
  const rest = text.replace(LEAD_IN, '');
  if (rest !== text && rest.trim() !== '') {
    const after = fromLabel(wholeLabel(rest, labels));
    if (after) return after;
  }
  return invalid('not-a-label');
}
