// The store's public API: domain verbs only; raw stores and tx() stay private.
export { DB_NAME, DB_VERSION, ROW_CHUNK_SIZE, VECTOR_CHUNK, resetDbForTests, type VectorFormat } from './db';
export { StoreError, StorageFullError, NotFoundError, ImportError, DamagedRecordError } from './errors';
export type {
  Project,
  ProjectPatch,
  StoredRow,
  VersionedCodebook,
  StoredResponse,
  StoredModel,
  StoredResult,
  PredictionsResult,
  ComparisonResult,
  ResultKind,
  SendLogEntry,
  StoredSendLogEntry,
} from './types';
export { createProject, listProjects, getProject, updateProject, deleteProject } from './projects';
export { putRows, getRows, countRows, type RowProgress } from './rows';
export { saveCodebookVersion, listCodebookVersions, getCodebookVersion } from './codebooks';
export {
  putResponse,
  putResponses,
  getResponses,
  listResponsesByKeyPrefix,
  listResponsesByProject,
  listResponsesByTextHash,
  deleteCachedResponses,
  countResponses,
  addResponses,
  usableResponses,
} from './responses';
export {
  putEmbeddings,
  getEmbeddings,
  countEmbeddings,
  listEmbeddingKeys,
  deleteEmbeddings,
  embeddingKeys,
  embeddingsBytes,
  embeddingSlots,
  chunkOfSlot,
  forEachEmbeddingChunk,
  vectorBytes,
  vectorKeyFor,
  projectVectorKey,
  type EmbeddingLookup,
  type VectorChunk,
} from './embeddings';
export { saveModel, getModel, listModels, deleteModel } from './models';
export {
  putPredictions,
  getPredictions,
  latestPredictions,
  listPredictions,
  eachPredictions,
  deletePredictions,
  putComparison,
  latestComparison,
  deleteResult,
  predictionsId,
  withPackedIds,
} from './results';
export { packIds, packIdList, idCount, type PackedIds } from './packed-ids';
export type { Checked } from './guards';
export type {
  ColumnMapping,
  Splits,
  LinearSearchInfo,
  StudentSummary,
  StudentFacts,
  PredictionsData,
  StoredPredictionsData,
  GridChoice,
  ComparisonRun,
  ComparedStudent,
  ComparisonData,
} from './records';
export { appendSendLog, getSendLog, countSendLog } from './sendlog';
export { kvGet, kvSet, kvDelete } from './kv';
export { cleanOnOpen, clearAllData, storageEstimate, vectorSpacePlan, type VectorSpacePlan } from './maintenance';
export { exportProject, exportProjectTo, EXPORT_FORMAT, EXPORT_VERSION, type ExportOptions, type ProjectExport } from './portable';
export { importProject } from './portable-import';
export { blobSink, type ByteSink } from '../data/zip';
