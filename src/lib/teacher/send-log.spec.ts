import { describe, expect, it } from 'vitest';
import type { SendLogEntry, StoredSendLogEntry } from '../store/types';
import { SendLogBuffer, withAppended } from './send-log';

const entry = (rowId: string, projectId = 'p1'): SendLogEntry => ({ at: 1, projectId, endpoint: 'e', model: 'm', rowId, textHash: rowId });

describe('send log', () => {
  it('appends in one batch per flush and hands back what was stored', async () => {
    const batches: SendLogEntry[][] = [];
    let seq = 0;
    const written: StoredSendLogEntry[][] = [];
    const log = new SendLogBuffer({
      append: async (es) => (batches.push(es), es.map((e) => ({ ...e, seq: ++seq }))),
      written: (s) => void written.push(s),
      failed: () => {},
    });
    log.push(entry('a'));
    log.push(entry('b'));
    await log.flush();
    await log.flush(); // nothing left: no empty write
    expect(batches.map((b) => b.map((e) => e.rowId))).toEqual([['a', 'b']]);
    expect(written[0].map((e) => e.seq)).toEqual([1, 2]);
  });

  it('a failed append is reported, not thrown', async () => {
    const failures: unknown[] = [];
    const log = new SendLogBuffer({
      append: async () => {
        throw new Error('disk full');
      },
      written: () => {},
      failed: (e) => void failures.push(e),
    });
    log.push(entry('a'));
    await log.flush();
    expect(failures).toHaveLength(1);
  });

  it('the shown page gains the new entries newest first, other projects left out, cut at the limit', () => {
    const shown = [{ ...entry('old'), seq: 1 }];
    const stored = [
      { ...entry('a'), seq: 2 },
      { ...entry('x', 'p2'), seq: 3 },
      { ...entry('b'), seq: 4 },
    ];
    const next = withAppended(shown, 10, stored, 'p1', 2);
    expect(next.log.map((e) => e.rowId)).toEqual(['b', 'a']);
    expect(next.count).toBe(12);
  });
});
