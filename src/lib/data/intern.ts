// Rows reach the page by structured clone (from IndexedDB, from the mapping
// worker), which gives every row its own copy of its label string: a million
// rows carry a million copies of "positive" (about 24 bytes each, 23 MiB in
// all). Interning keeps one string per distinct label; the row objects are
// the same, only `human` points at the shared copy.

/** Interns the `human` labels of rows as they arrive, one batch at a time. */
export class LabelInterner {
  #seen = new Map<string, string>();

  /** Points each row's `human` at the first copy of that label seen; returns `rows`. */
  intern<R extends { human: string | null }>(rows: R[]): R[] {
    for (const r of rows) {
      const h = r.human;
      if (h === null) continue;
      const canonical = this.#seen.get(h);
      if (canonical === undefined) this.#seen.set(h, h);
      else r.human = canonical;
    }
    return rows;
  }
}
