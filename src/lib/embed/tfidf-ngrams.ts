// Text → n-grams the way scikit-learn's CountVectorizer analyzers make them
// (analyzer='word' with the default token_pattern, and analyzer='char_wb'),
// handed to a callback one at a time as a range [start, end) of a string, so
// that fitting on 100k texts neither builds an array of a text's n-grams nor
// allocates a substring per n-gram (see tfidf-table.ts).
//
// Deliberate difference from scikit-learn: `preprocessTfidf` applies Unicode
// NFKC before lower-casing (scikit-learn only lower-cases), so full-width
// letters, ligatures and the "𝐛𝐨𝐥𝐝" letters common in tweets match their
// plain forms. On text that NFKC leaves alone (all ASCII, most accented
// letters as typed) the n-grams are the same as scikit-learn's.

/** Inclusive [min, max] n-gram lengths. */
export type NgramRange = readonly [number, number];

/** Receives one n-gram: s.slice(start, end). */
export type GramVisitor = (s: string, start: number, end: number) => void;

/** Python's `\w`: letters, digits/numerals, underscore (no combining marks), so runs of 2+ = token_pattern r"(?u)\b\w\w+\b". */
const WORD_TOKEN = /[\p{L}\p{N}_]{2,}/gu;
/** Python's str.isspace() set, which is what str.split() splits on (JS `\s` differs in \x1c-\x1f, \x85 and \ufeff). */
const PY_SPACES = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/g;
const SURROGATE = /[\ud800-\udfff]/;
const NON_ASCII = /[^\x00-\x7f]/;

/** NFKC + lower case: the one text normalisation both analyzers share. */
export function preprocessTfidf(text: string): string {
  return (NON_ASCII.test(text) ? text.normalize('NFKC') : text).toLowerCase();
}

/**
 * Word n-grams of a preprocessed text: tokens of 2+ word characters, then
 * n consecutive tokens joined by one space, as scikit-learn's _word_ngrams.
 */
export function forEachWordNgram(text: string, [minN, maxN]: NgramRange, visit: GramVisitor): void {
  const tokens = text.match(WORD_TOKEN);
  if (!tokens) return;
  // In the tokens joined by single spaces, every n-gram is one contiguous range.
  const s = tokens.join(' ');
  const m = tokens.length;
  const starts = new Int32Array(m + 1); // starts[m] = s.length + 1, so token i ends at starts[i + 1] - 1
  for (let i = 0; i < m; i++) starts[i + 1] = starts[i] + tokens[i].length + 1;
  if (minN === 1) for (let i = 0; i < m; i++) visit(s, starts[i], starts[i + 1] - 1);
  const top = Math.min(maxN, m);
  for (let n = Math.max(2, minN); n <= top; n++) {
    for (let i = 0; i + n <= m; i++) visit(s, starts[i], starts[i + n] - 1);
  }
}

/**
 * Character n-grams inside word boundaries, as scikit-learn's
 * _char_wb_ngrams: each whitespace-separated word (punctuation included) is
 * padded with one space each side; a padded word no longer than n is one
 * n-gram, counted once for the smallest such n. Lengths are in code points
 * (as Python counts), so an emoji is one character, never half a surrogate pair.
 */
export function forEachCharWbNgram(text: string, [minN, maxN]: NgramRange, visit: GramVisitor): void {
  const words = text.replace(PY_SPACES, ' ');
  const a = words.charCodeAt(0) === 32 ? 1 : 0;
  const b = words.length - (words.length > a && words.charCodeAt(words.length - 1) === 32 ? 1 : 0);
  if (b <= a) return;
  // Single spaces between words, one at each end: every word already sits between its two pad spaces.
  const s = ' ' + words.slice(a, b) + ' ';
  const cp = SURROGATE.test(s) ? codePointStarts(s) : null;
  const len = cp ? cp.length - 1 : s.length;
  const at = (k: number) => (cp ? cp[k] : k);
  let start = 1; // code point index of the word's first character
  while (start < len) {
    let end = start; // index of the space after the word
    while (s.charCodeAt(at(end)) !== 32) end++;
    const from = start - 1;
    const width = end + 1 - from; // padded word length
    for (let n = minN; n <= maxN; n++) {
      if (n >= width) {
        visit(s, at(from), at(end + 1));
        break;
      }
      for (let i = from; i + n <= end + 1; i++) visit(s, at(i), at(i + n));
    }
    start = end + 1;
  }
}

/** Code-unit offset of each code point of s, plus s.length at the end. */
function codePointStarts(s: string): Int32Array {
  const out = new Int32Array(s.length + 1);
  let k = 0;
  for (let i = 0; i < s.length; i++) {
    out[k++] = i;
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i++;
    }
  }
  out[k] = s.length;
  return out.subarray(0, k + 1);
}
