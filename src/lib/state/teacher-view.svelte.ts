// The Teacher step's cache view: the answers stored under the current setup
// (teacher/answer-view.ts), read from the store on a setup change and added
// to by a running run as it stores them, and the labels and failures rebuilt
// from them. TeacherState holds one (teacher.view) and reads its labels.
import { untrack } from 'svelte';
import * as store from '../store';
import type { DataRow } from '../data/types';
import { AnswerView, viewLabels } from '../teacher/answer-view';
import type { StoredFailure } from '../teacher/failures';
import { makeJob } from '../teacher/job';
import type { TeacherSetup } from '../teacher/session';
import { hashesById, setupAnswers } from '../teacher/stored-view';
import { usableBy, type TeacherLabel, type TeacherResponse } from '../teacher/types';
import { app } from './app.svelte';
import { localTeacher } from './local-teacher.svelte';

export class TeacherView {
  /** rowId → teacher label, for rows with at least one stored answer under the current setup. */
  labels = $state.raw<Map<string, TeacherLabel>>(new Map());
  /** Failures stored under the current setup (failed requests, empty or cut answers): shown after a reload too. */
  failures = $state.raw<StoredFailure[]>([]);
  /** Answers "Retry failed" would ask for again (failed requests; empty or cut answers need another cap). */
  retryable = $state(0);

  /** Texts with a valid label, and those of the validation sample: the stepper's counts. */
  counts = $derived.by(() => {
    let teacherLabeled = 0;
    for (const l of this.labels.values()) if (l.label !== null) teacherLabeled += 1;
    const validationLabeled = (app.splits?.validation ?? []).filter((id) => this.labels.get(id)?.label != null).length;
    return { teacherLabeled, validationLabeled };
  });

  #answers = new AnswerView();
  // Reactive, so the start button waits for the cache view (TeacherState.blocker()).
  #key = $state<string | null>(null);
  #rows = $state.raw<DataRow[] | null>(null);
  #reads = $state(0);
  #readSeq = 0;
  #rebuildSeq = 0;
  #rebuildTimer: ReturnType<typeof setTimeout> | null = null;

  /** The setup key the view holds the answers of (null: none). */
  get key(): string | null {
    return this.#key;
  }

  get byText(): AnswerView['byText'] {
    return this.#answers.byText;
  }

  /** Whether the view of setup `key` over `rows` is read to the end, with no read in flight. */
  loaded(key: string, rows: DataRow[]): boolean {
    return this.#reads === 0 && this.#key === key && this.#rows === rows;
  }

  responsesOf(rowId: string, repeats: number): TeacherResponse[] {
    return this.#answers.responsesOf(rowId, repeats);
  }

  /**
   * Reads the view of the setup `setup()` settles to (no setup: an empty
   * view), keeping the answers `ran(key)` names (a running run's, which the
   * read may predate). Returns the setup read, or null when a newer read
   * began meanwhile. No network.
   */
  async read(
    setup: () => Promise<TeacherSetup | string>,
    ran: (key: string) => readonly TeacherResponse[],
  ): Promise<TeacherSetup | string | null> {
    const seq = ++this.#readSeq;
    this.#reads += 1;
    try {
      const c = await setup();
      if (typeof c === 'string') {
        if (seq !== this.#readSeq) return null;
        [this.#answers, this.#key, this.#rows] = [new AnswerView(), null, null];
        await this.rebuild();
        return c;
      }
      // The setup's key range: a read costs the answers stored, not the rows.
      const job = makeJob({ rows: [], version: c.version, settings: c.settings });
      const found = await setupAnswers(job, c.caps.temperature, (prefix, after, count) =>
        store.listResponsesByKeyPrefix<TeacherResponse>(prefix, after, count),
      );
      const hashOf = await hashesById(c.rows);
      if (seq !== this.#readSeq) return null;
      // Answers the live view gained while we read are kept too.
      const keep = this.#key === c.key ? this.#answers.answers() : [];
      const usable = found.filter((r) => usableBy(c.projectId, r));
      this.#answers = new AnswerView(hashOf, [...usable, ...keep, ...ran(c.key)]);
      [this.#key, this.#rows] = [c.key, c.rows];
      await this.rebuild();
      return c;
    } finally {
      this.#reads -= 1;
    }
  }

  /** Answers a run just stored under setup `key`: shown (labels rebuilt at most every half second) when the view is of that setup. */
  add(key: string | null, rs: readonly TeacherResponse[]): void {
    if (key !== this.#key) return;
    rs.forEach((r) => this.#answers.add(r));
    this.#rebuildTimer ??= setTimeout(() => void this.rebuild(), 500);
  }

  /** Rebuilds `labels` and `failures` from the answers held; a newer rebuild supersedes this one. */
  async rebuild(): Promise<void> {
    if (this.#rebuildTimer) clearTimeout(this.#rebuildTimer);
    this.#rebuildTimer = null;
    const seq = ++this.#rebuildSeq;
    const [rows, repeats, local] = untrack(() => [app.rows, app.projectSettings.teacher.repeats, !!localTeacher.endpoint] as const);
    const built = await viewLabels(rows, this.#answers, repeats, local, () => seq !== this.#rebuildSeq);
    if (built) ({ labels: this.labels, failures: this.failures, retryable: this.retryable } = built);
  }

  /** Nothing loaded; a read or rebuild in flight lands nowhere. */
  reset(): void {
    if (this.#rebuildTimer) clearTimeout(this.#rebuildTimer);
    this.#rebuildTimer = null;
    this.#readSeq++;
    this.#rebuildSeq++;
    [this.#answers, this.#key, this.#rows] = [new AnswerView(), null, null];
    this.labels = new Map();
    this.failures = [];
    this.retryable = 0;
  }
}
