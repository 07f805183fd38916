// One error type for everything that can go wrong while importing a dataset,
// so the UI can show `message` as-is and branch on `kind` when it needs to.

export type ImportErrorKind =
  | 'empty'
  | 'binary'
  | 'encoding'
  | 'not-tabular'
  | 'no-text-column'
  | 'unknown-column'
  | 'bad-json'
  | 'unbalanced-quotes'
  | 'field-count'
  | 'missing-id'
  | 'duplicate-id'
  | 'fetch';

export class ImportError extends Error {
  readonly kind: ImportErrorKind;
  /** 1-based data-row number (header not counted) or, for JSON Lines, the line number. */
  readonly row?: number;

  constructor(kind: ImportErrorKind, message: string, row?: number) {
    super(message);
    this.name = 'ImportError';
    this.kind = kind;
    if (row !== undefined) this.row = row;
  }
}
