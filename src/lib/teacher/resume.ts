// A teacher run that a reload, a closed tab or a crash interrupted. A small
// marker is written when a run starts and removed when it ends in the tab; a
// marker found on opening the project means the run never ended, and the
// Teacher step offers to continue it. Answers themselves are always in the
// cache, so continuing only sends what is missing. The key-value store is
// passed in (the store's kv verbs in the app, a Map in tests).

import type { TeacherResponse } from './types';

/** kv key of a project's marker; v1 is the shape below (bump on change). */
const markerKey = (projectId: string) => `teacher.run.v1.${projectId}`;

export interface RunMarker {
  v: 1;
  /** setupKey(...) of the run: endpoint, model, codebook version, repeats, temperatures. */
  key: string;
  startedAt: number;
  /** Texts × repeats the run set out to settle. */
  total: number;
}

/** The one guard for a stored marker. */
export function asRunMarker(raw: unknown): RunMarker | null {
  if (!raw || typeof raw !== 'object') return null;
  const m = raw as Record<string, unknown>;
  if (m.v !== 1 || typeof m.key !== 'string' || typeof m.startedAt !== 'number' || typeof m.total !== 'number') return null;
  return { v: 1, key: m.key, startedAt: m.startedAt, total: m.total };
}

/** The key-value verbs the markers need (store/kv.ts has them). */
export interface MarkerKv {
  kvGet(key: string): Promise<unknown>;
  kvSet(key: string, value: unknown): Promise<void>;
  kvDelete(key: string): Promise<void>;
}

/** A project's run markers kept in `kv`: write when a run starts, read on opening, clear when it ends. */
export function runMarkers(kv: MarkerKv) {
  return {
    write: (projectId: string, m: RunMarker): Promise<void> => kv.kvSet(markerKey(projectId), m),
    read: async (projectId: string): Promise<RunMarker | null> => asRunMarker(await kv.kvGet(markerKey(projectId))),
    clear: (projectId: string): Promise<void> => kv.kvDelete(markerKey(projectId)),
  };
}

/** What the banner says about an interrupted run. */
export interface Interrupted {
  startedAt: number;
  /** Answers of the run's scope now stored under the current setup (failed attempts at this cap included). */
  stored: number;
  total: number;
  /** False when the setup changed since (another model, codebook version, repeats…): continuing labels with the current one. */
  sameSetup: boolean;
}

/**
 * How far the scope is settled: answers stored for repeats 0..repeats-1 of
 * each text, from the loaded cache view (textHash → repeat → answer).
 */
export function settledCount(
  hashes: readonly string[],
  byText: ReadonlyMap<string, ReadonlyMap<number, TeacherResponse>>,
  repeats: number,
): number {
  let n = 0;
  for (const h of hashes) {
    const slots = byText.get(h);
    if (!slots) continue;
    for (const r of slots.keys()) if (r >= 0 && r < repeats) n++;
  }
  return n;
}

/**
 * What the banner shows for the project's marker under the setup `key`: the
 * run's scope settled against the loaded view, or 'finished' when the
 * marker's run is complete under this setup (only the marker's removal was lost).
 */
export function interruptedOf(
  marker: RunMarker,
  key: string,
  job: { items: readonly { textHash: string }[]; settings: { repeats: number } },
  byText: ReadonlyMap<string, ReadonlyMap<number, TeacherResponse>>,
): Interrupted | 'finished' {
  const total = job.items.length * job.settings.repeats;
  const hashes = job.items.map((it) => it.textHash);
  const stored = settledCount(hashes, byText, job.settings.repeats);
  if (marker.key === key && stored >= total) return 'finished';
  return { startedAt: marker.startedAt, stored, total, sameSetup: marker.key === key };
}

/**
 * The banner's state from the project's marker: null when there is none or
 * its run is complete (then the lost removal is done now), 'live' when a run
 * of this tab owns the marker (asked again after the scope is drawn).
 */
export async function checkMarker(
  markers: ReturnType<typeof runMarkers>,
  setup: { projectId: string; key: string },
  job: () => Promise<Parameters<typeof interruptedOf>[2]>,
  byText: ReadonlyMap<string, ReadonlyMap<number, TeacherResponse>>,
  live: () => boolean,
): Promise<Interrupted | null | 'live'> {
  const marker = await markers.read(setup.projectId);
  if (!marker || live()) return null;
  const scope = await job();
  if (live()) return 'live';
  const now = interruptedOf(marker, setup.key, scope, byText);
  if (now !== 'finished') return now;
  await markers.clear(setup.projectId);
  return null;
}

/** The banner's sentence, e.g. "A run started at 14:02 was interrupted: 171 of 174 answers are stored." */
export function interruptedText(i: Interrupted): string {
  const when = new Date(i.startedAt).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
  const fmt = (n: number) => n.toLocaleString('en');
  const left = Math.max(0, i.total - i.stored);
  const head = `A labelling run started ${when} did not finish (the page was reloaded or closed): ${fmt(i.stored)} of ${fmt(i.total)} answers are stored.`;
  const next = `Continue sends only the ${fmt(left)} missing answer${left === 1 ? '' : 's'}; nothing stored is paid for again.`;
  return i.sameSetup
    ? `${head} ${next}`
    : `${head} The setup (model, codebook version or repeats) has changed since; Continue labels with the current one. ${next}`;
}
