// Number formatting shared by the sentences and tables.

/** 3 decimals; '-0.000' (a tiny negative rounded) becomes '0.000'; 'n/a' for NaN/Infinity. */
export function fmt3(x: number): string {
  return Number.isFinite(x) ? x.toFixed(3).replace(/^-(0\.0+)$/, '$1') : 'n/a';
}
