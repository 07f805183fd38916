// The store's verbs as a Batch output import needs them
// (teacher/batch-files.ts BatchImportIo), for the project-file worker.
import type { BatchImportIo } from '../teacher/batch-files';
import { kvGet } from './kv';
import { addResponses, usableResponses } from './responses';

export const storeBatchIo: BatchImportIo = { getCached: usableResponses, kvGet, addResponses };
