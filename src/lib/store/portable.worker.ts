// Thin shell: project export and import (portable.ts, portable-import.ts)
// and Batch output import (teacher/batch-files.ts) off the page's thread.
import { exportProjectTo } from './portable';
import { importProjectFile } from './portable-import';
import { storeBatchIo } from './batch-io';
import { batchImport } from '../teacher/batch-files';
import { blobSink } from '../data/zip';
import type { PortableReply, PortableRequest } from './portable-protocol';

const post = (r: PortableReply) => postMessage(r);

self.onmessage = async (e: MessageEvent<PortableRequest>) => {
  const req = e.data;
  try {
    if (req.type === 'import') {
      const name = req.file instanceof File ? req.file.name : undefined;
      return post({ type: 'imported', id: req.id, ...(await importProjectFile(req.file, name)) });
    }
    if (req.type === 'batch-import') {
      const report = await batchImport(storeBatchIo, req.files, req.projectId, req.labels, req.codebookHash);
      return post({ type: 'batch-imported', id: req.id, report });
    }
    let last = 0;
    const onProgress = (bytes: number, stage: string) => {
      if (Date.now() - last < 100) return;
      last = Date.now();
      post({ type: 'progress', id: req.id, bytes, stage });
    };
    const opts = { includeEmbeddings: req.includeEmbeddings, includeModels: req.includeModels, onProgress };
    if (!req.file) {
      const sink = blobSink('application/zip');
      const { bytes } = await exportProjectTo(req.projectId, sink, opts);
      return post({ type: 'exported', id: req.id, bytes, blob: sink.blob() });
    }
    const out = await req.file.createWritable();
    try {
      const { bytes } = await exportProjectTo(req.projectId, { write: (b) => out.write(b as Uint8Array<ArrayBuffer>) }, opts);
      await out.close();
      post({ type: 'exported', id: req.id, bytes, blob: null });
    } catch (err) {
      await out.abort().catch(() => undefined); // the export's own error is the one to report
      throw err;
    }
  } catch (err) {
    post({ type: 'error', id: req.id, message: err instanceof Error ? err.message : String(err) });
  }
};
