import { describe, expect, it } from 'vitest';
import type { TeacherResponse } from './types';
import { asRunMarker, interruptedText, runMarkers, settledCount, type MarkerKv } from './resume';

const answer = (textHash: string, repeat: number) => ({ textHash, repeat }) as TeacherResponse;
const view = (entries: [string, number[]][]) => new Map(entries.map(([h, rs]) => [h, new Map(rs.map((r) => [r, answer(h, r)]))]));

describe('interrupted runs', () => {
  it('keeps a marker per project until the run ends', async () => {
    const rows = new Map<string, unknown>();
    const kv: MarkerKv = {
      kvGet: async (k) => rows.get(k),
      kvSet: async (k, v) => void rows.set(k, v),
      kvDelete: async (k) => void rows.delete(k),
    };
    const markers = runMarkers(kv);
    await markers.write('p1', { v: 1, key: 'k', startedAt: 5, total: 9 });
    expect(await markers.read('p1')).toEqual({ v: 1, key: 'k', startedAt: 5, total: 9 });
    expect(await markers.read('p2')).toBeNull();
    rows.set('teacher.run.v1.p3', { v: 1, key: 7 });
    expect(await markers.read('p3')).toBeNull();
    await markers.clear('p1');
    expect(await markers.read('p1')).toBeNull();
  });

  it('reads only well-formed markers', () => {
    expect(asRunMarker({ v: 1, key: 'k', startedAt: 1, total: 3 })).not.toBeNull();
    for (const bad of [null, 'x', { v: 2, key: 'k', startedAt: 1, total: 3 }, { v: 1, key: 1, startedAt: 1, total: 3 }])
      expect(asRunMarker(bad)).toBeNull();
  });

  it('counts at most `repeats` answers per text, the scope only', () => {
    const byText = view([
      ['a', [0, 1, 2, 3, 4, 5]],
      ['b', [0]],
      ['other', [0, 1, 2]],
    ]);
    expect(settledCount(['a', 'b', 'c'], byText, 3)).toBe(4);
  });

  it('says what was done and what Continue sends', () => {
    const t = interruptedText({ startedAt: Date.UTC(2025, 0, 2, 14, 2), stored: 171, total: 174, sameSetup: true });
    expect(t).toMatch(/did not finish .*: 171 of 174 answers are stored\. Continue sends only the 3 missing answers/);
    expect(interruptedText({ startedAt: 0, stored: 0, total: 1, sameSetup: false })).toMatch(/setup .* has changed since/);
  });
});
