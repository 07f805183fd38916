// The Batch files of the open project's teacher: the scope's uncached
// requests exported as OpenAI Batch JSONL (bodies from the probed profile),
// and Batch output files read into the answer cache. TeacherState holds one
// (teacher.batch) and passes in its setup, its job and what follows an import.
import * as store from '../store';
import { batchExport, type BatchFileInfo, type BatchImportReport, type BatchIo } from '../teacher/batch-files';
import { importBatchFiles } from '../workers/project-file';
import { describeProfile } from '../teacher/profile-store';
import type { TeacherSetup } from '../teacher/session';
import type { TeacherJob } from '../teacher/tasks';
import type { Capabilities, TeacherResponse } from '../teacher/types';
import { download } from '../ui/download';
import { errorText } from './app.svelte';
import type { TeacherModels } from './teacher-models.svelte';

export interface BatchDeps {
  setup(): TeacherSetup | string;
  job(c: TeacherSetup, profile: Capabilities): Promise<TeacherJob>;
  models: TeacherModels;
  /** The answers project `projectId` may use of `keys` (an import skips none it already holds). */
  getCached(projectId: string, keys: string[]): Promise<Map<string, TeacherResponse>>;
  /** Answers were stored outside a run: the labels are rebuilt from the cache. */
  stored(): Promise<void>;
}

export class TeacherBatch {
  /** Plain-words outcome of the last batch export/import. */
  message = $state<{ ok: boolean; text: string } | null>(null);
  /** The files of the last Batch export (requests, size, input tokens). */
  files = $state.raw<BatchFileInfo[]>([]);
  readonly #deps: BatchDeps;
  /** The store and the download, as the Batch files need them. */
  readonly #io: BatchIo;

  constructor(deps: BatchDeps) {
    this.#deps = deps;
    this.#io = {
      getCached: (projectId, keys) => deps.getCached(projectId, keys),
      kvGet: (key) => store.kvGet<unknown>(key),
      kvSet: (key, value) => store.kvSet(key, value),
      save: (name, file) => download(name, file),
    };
  }

  /**
   * Downloads the scope's uncached requests as OpenAI Batch JSONL files, with
   * bodies built from the model profile (probed first if it is not known).
   */
  async export(): Promise<void> {
    this.message = null;
    this.files = [];
    try {
      await this.#deps.models.load();
      const c = this.#deps.setup();
      if (typeof c === 'string') throw new Error(c);
      let profile = c.caps;
      let note = '';
      try {
        const got = await this.#deps.models.ensure(c);
        profile = got.profile;
        if (got.note) note = ` ${got.note}`;
      } catch (e) {
        // The file goes to OpenAI's Batch API, not this endpoint: a failed check only means we guess.
        note = ` The model could not be checked (${errorText(e)}); the file follows its name's guess (${describeProfile(profile)}).`;
      }
      const report = await batchExport(this.#io, await this.#deps.job(c, profile), c.projectName, {
        profile,
        queueTokens: c.run.batchQueueTokens ?? null,
      });
      this.files = report.files;
      this.message = { ok: true, text: report.text + note };
    } catch (e) {
      this.message = { ok: false, text: `Batch export failed: ${errorText(e)}` };
    }
  }

  /** Reads Batch API output files into the cache; their labels then count like live ones. */
  async import(files: File[]): Promise<BatchImportReport | null> {
    this.message = null;
    try {
      const c = this.#deps.setup();
      if (typeof c === 'string') throw new Error(c);
      const report = await importBatchFiles(
        files,
        c.projectId,
        c.version.codebook.labels.map((l) => l.name),
        c.version.hash,
      );
      await this.#deps.stored();
      this.message = { ok: report.failed.length === 0 && report.stored > 0, text: report.text };
      return report;
    } catch (e) {
      this.message = { ok: false, text: `Batch import failed: ${errorText(e)}` };
      return null;
    }
  }

  reset(): void {
    this.message = null;
    this.files = [];
  }
}
