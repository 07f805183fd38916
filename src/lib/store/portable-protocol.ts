// Messages for portable.worker.ts, declared once: a project file is written
// and read in a worker, so the vectors it carries (GBs for a big corpus)
// never pass through the page's memory; Batch output files are read there
// too. Blobs, Files and file handles cross by reference, not by copy.
import type { BatchImportReport } from '../teacher/batch-files';
import type { Project } from './types';

export type PortableRequest =
  /** Writes the project: to `file` (File System Access handle) when given, else into a Blob of small parts. */
  | { type: 'export'; id: number; projectId: string; includeEmbeddings: boolean; includeModels: boolean; file?: FileSystemFileHandle }
  | { type: 'import'; id: number; file: Blob }
  /** Reads Batch output files into project `projectId`'s answers, against the active codebook version's labels and hash. */
  | { type: 'batch-import'; id: number; files: File[]; projectId: string; labels: string[]; codebookHash: string };

export type PortableReply =
  | { type: 'progress'; id: number; bytes: number; stage: string }
  /** `blob` is null when the file was written to a handle. */
  | { type: 'exported'; id: number; bytes: number; blob: Blob | null }
  /** `notes`: what was kept as it was (answers already stored, vectors of another width), in words. */
  | { type: 'imported'; id: number; project: Project; notes: string[] }
  | { type: 'batch-imported'; id: number; report: BatchImportReport }
  | { type: 'error'; id: number; message: string };
