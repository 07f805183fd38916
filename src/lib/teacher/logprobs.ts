// Label probabilities from one answer's token logprobs: one request gives a
// confidence per text, where consistency needs N repeats. The answer's tokens
// are walked from where the label starts (after `"label":"` in a JSON-schema
// answer, else where the parsed label stands); at each position the
// alternatives the server listed (top_logprobs) that begin another label give
// that label their probability, and the chosen path keeps multiplying until
// its own label is complete. Pure.

import type { TokenLogprob } from './types';

/** top_logprobs to ask for: every label should fit among the alternatives (OpenAI allows up to 20). */
export function topLogprobsFor(labels: readonly string[]): number {
  return Math.min(20, Math.max(5, labels.length + 1));
}

const JSON_VALUE = /"label"\s*:\s*"/;
const WORD = /[\p{L}\p{N}_]/u;

/** Labels a fragment of answer text (from the label's start) can still become or already is. */
function consistent(frag: string, labels: readonly string[]): { label: string; complete: boolean }[] {
  const f = frag.toLowerCase();
  const out: { label: string; complete: boolean }[] = [];
  for (const label of labels) {
    const l = label.toLowerCase();
    if (l.startsWith(f)) out.push({ label, complete: l === f });
    // The label and then something that ends it ("positive\"}", "positive.").
    else if (f.startsWith(l) && !WORD.test(f[l.length])) out.push({ label, complete: true });
  }
  return out;
}

/**
 * label → probability from an answer's tokens, for the labels the answer's
 * alternatives reach; not renormalised (mass on tokens that are no label is
 * left out). `label` is the parsed label of the answer (where to look in a
 * plain answer); null when there is nothing to read (no tokens, the label not
 * found in them).
 */
export function labelProbabilities(
  tokens: readonly TokenLogprob[],
  labels: readonly string[],
  label: string | null,
): Record<string, number> | null {
  if (tokens.length === 0 || labels.length === 0) return null;
  const text = tokens.map((t) => t.token).join('');
  const json = JSON_VALUE.exec(text);
  let start = json ? json.index + json[0].length : label !== null ? text.toLowerCase().indexOf(label.toLowerCase()) : -1;
  if (!json && start < 0) start = text.search(/\S/);
  if (start < 0 || start >= text.length) return null;

  // The token the label starts in, and how far into it.
  let j = 0;
  let at = 0;
  while (j < tokens.length && at + tokens[j].token.length <= start) at += tokens[j++].token.length;
  if (j >= tokens.length) return null;
  let offset = start - at;

  const probs: Record<string, number> = {};
  const give = (ls: { label: string }[], p: number) => {
    for (const { label: l } of ls) probs[l] = (probs[l] ?? 0) + p / ls.length;
  };
  let mass = 1;
  let sofar = '';
  for (; j < tokens.length; j++, offset = 0) {
    const chosen = tokens[j];
    const head = chosen.token.slice(0, offset);
    const fragOf = (tok: string): string | null => {
      if (tok.startsWith(head)) return sofar + tok.slice(offset);
      // "positive" listed beside a chosen " positive": the same choice of label.
      return head.trim() === '' ? sofar + tok.trimStart() : null;
    };
    // Alternatives that leave the chosen path here and still make a label.
    const seen = new Set<string>([chosen.token]);
    for (const alt of chosen.top) {
      if (seen.has(alt.token)) continue;
      seen.add(alt.token);
      const frag = fragOf(alt.token);
      const reach = frag === null ? [] : consistent(frag, labels);
      if (reach.length > 0) give(reach, mass * Math.exp(alt.logprob));
    }
    mass *= Math.exp(chosen.logprob);
    sofar += chosen.token.slice(offset);
    const reach = consistent(sofar, labels);
    if (reach.length === 0) break; // the answer went off the labels: its own mass is no label's
    if (reach.length === 1 && reach[0].complete) {
      give(reach, mass);
      mass = 0;
      break;
    }
    // A label complete but a longer one still possible: the next token decides;
    // if the answer ends here, the complete one it is.
    if (j === tokens.length - 1)
      give(
        reach.filter((r) => r.complete),
        mass,
      );
  }
  return Object.keys(probs).length > 0 ? probs : null;
}

/**
 * A choice's `logprobs` as OpenAI-compatible servers send it
 * (`{content: [{token, logprob, top_logprobs: [{token, logprob}]}]}`), checked
 * field by field; null when absent, empty or not that shape.
 */
export function wireTokens(raw: unknown): TokenLogprob[] | null {
  const content = (raw as { content?: unknown } | null)?.content;
  if (!Array.isArray(content) || content.length === 0) return null;
  const out: TokenLogprob[] = [];
  for (const t of content as { token?: unknown; logprob?: unknown; top_logprobs?: unknown }[]) {
    if (typeof t?.token !== 'string' || typeof t.logprob !== 'number' || !Number.isFinite(t.logprob)) return null;
    const top = Array.isArray(t.top_logprobs)
      ? (t.top_logprobs as { token?: unknown; logprob?: unknown }[]).flatMap((a) =>
          typeof a?.token === 'string' && typeof a.logprob === 'number' && Number.isFinite(a.logprob)
            ? [{ token: a.token, logprob: a.logprob }]
            : [],
        )
      : [];
    out.push({ token: t.token, logprob: t.logprob, top });
  }
  return out;
}
