// RFC 4180 CSV writing with a guard against CSV (formula) injection.
//
// Injection guard: spreadsheet programs run a cell that starts with = + - @
// (or a tab / carriage return) as a formula, so a crafted text in a corpus
// could execute on the researcher's machine when the export is opened. Text
// cells starting with one of those characters get a leading apostrophe ('),
// which spreadsheets treat as "show as text". Plain numbers ("-0.25", "12")
// and cells written from JS numbers are left alone: they cannot be formulas.
// The apostrophe is visible in a plain-text reader; that is the trade-off.

export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const PLAIN_NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const NEEDS_QUOTES = /[",\r\n]/;

/** Prefix ' to a text cell a spreadsheet would run as a formula. */
export function guardFormula(text: string): string {
  return FORMULA_START.test(text) && !PLAIN_NUMBER.test(text) ? `'${text}` : text;
}

/** Quote a field when it holds a comma, quote, CR or LF; double inner quotes. */
export function quoteField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One cell: null/undefined -> empty, numbers as written, text guarded and quoted. */
export function csvCell(v: CsvValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : '';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return quoteField(guardFormula(v));
}

/**
 * A whole CSV document: header + rows, CRLF line ends (RFC 4180), ending in
 * CRLF. `bom` prepends U+FEFF so Excel reads UTF-8 text correctly.
 */
export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[], bom = false): string {
  const lines = [header.map(csvCell).join(','), ...rows.map((r) => r.map(csvCell).join(','))];
  return `${bom ? '\uFEFF' : ''}${lines.join('\r\n')}\r\n`;
}
