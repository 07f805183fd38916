// Main-thread façade for the project-file worker: one worker per export or
// import (of a project file or Batch outputs), closed when it is done, so
// the page never holds the file's parts.
import { WorkerClient } from './worker-client';
import type { PortableReply, PortableRequest } from '../store/portable-protocol';
import type { Project } from '../store';
import type { BatchImportReport } from '../teacher/batch-files';

function start(): WorkerClient<PortableRequest, PortableReply> {
  return new WorkerClient<PortableRequest, PortableReply>(
    new Worker(new URL('../store/portable.worker.ts', import.meta.url), { type: 'module', name: 'project-file' }),
  );
}

/**
 * Exports project `projectId` in a worker: to `file` when given (nothing is
 * returned but its size), else as a Blob. `onProgress` gets bytes written so far.
 */
export async function exportProjectFile(
  projectId: string,
  opts: { includeEmbeddings: boolean; includeModels: boolean; file?: FileSystemFileHandle },
  onProgress?: (bytes: number, stage: string) => void,
): Promise<{ bytes: number; blob: Blob | null }> {
  const c = start();
  try {
    const r = await c.request<Extract<PortableReply, { type: 'exported' }>>({ type: 'export', projectId, ...opts }, ['exported'], {
      onMessage: (m) => void (m.type === 'progress' && onProgress?.(m.bytes, m.stage)),
    }).done;
    return { bytes: r.bytes, blob: r.blob };
  } finally {
    c.terminate();
  }
}

/**
 * Imports a project file in a worker (checked entry by entry from the File,
 * then written); resolves with the project record and what was kept as it was.
 */
export async function importProjectFileReport(file: Blob): Promise<{ project: Project; notes: string[] }> {
  const c = start();
  try {
    const r = await c.request<Extract<PortableReply, { type: 'imported' }>>({ type: 'import', file }, ['imported']).done;
    return { project: r.project, notes: r.notes };
  } finally {
    c.terminate();
  }
}

/** importProjectFileReport, the project record only. */
export async function importProjectFile(file: Blob): Promise<Project> {
  return (await importProjectFileReport(file)).project;
}

/**
 * Reads Batch output files into project `projectId`'s answers in a worker:
 * every line checked first, then all answers written in one transaction.
 */
export async function importBatchFiles(
  files: File[],
  projectId: string,
  labels: string[],
  codebookHash: string,
): Promise<BatchImportReport> {
  const c = start();
  try {
    const msg = { type: 'batch-import' as const, files, projectId, labels, codebookHash };
    return (await c.request<Extract<PortableReply, { type: 'batch-imported' }>>(msg, ['batch-imported']).done).report;
  } finally {
    c.terminate();
  }
}
