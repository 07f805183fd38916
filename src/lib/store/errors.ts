// Typed errors the store throws; messages are meant to be shown as they are.

/** A browser storage failure, naming what we were trying to do. */
export class StoreError extends Error {
  override name = 'StoreError';
  /** The operation in plain words, e.g. "save the dataset". */
  readonly op: string;
  constructor(op: string, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.op = op;
  }
}

/** The site's storage quota is exhausted; the failed write was rolled back. */
export class StorageFullError extends StoreError {
  override name = 'StorageFullError';
  constructor(op: string, cause?: unknown) {
    super(
      op,
      `The browser's storage for this site is full, so Surrogate could not ${op}. ` +
        'Free space by deleting old projects or embeddings; nothing was written, your data is intact.',
      cause,
    );
  }
}

/** A record the caller relies on (usually a project) does not exist. */
export class NotFoundError extends StoreError {
  override name = 'NotFoundError';
  constructor(op: string, what: string) {
    super(op, `Could not ${op}: ${what} was not found. It may have been deleted in another tab.`);
  }
}

/** An import file that is not a usable Surrogate export. */
export class ImportError extends StoreError {
  override name = 'ImportError';
  constructor(message: string, cause?: unknown) {
    super('import the project', message, cause);
  }
}

/**
 * A stored record that is not the shape its reader needs (written by a bug,
 * or edited by hand): named with the reason, so the page says what cannot be
 * read instead of failing deep inside a view.
 */
export class DamagedRecordError extends StoreError {
  override name = 'DamagedRecordError';
  constructor(op: string, what: string, reason: string) {
    super(op, `Could not ${op}: the saved ${what} is damaged (${reason}). The rest of the project is unaffected.`);
  }
}
