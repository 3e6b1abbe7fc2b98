import { describe, expect, it } from 'vitest';
import type { ScanEvent } from '../bindings/ScanEvent';
import type { ScanReport } from '../bindings/ScanReport';
import { PROBLEMS_KEPT, applyScanEvent, emptyScanProgress, scanPercent } from './scan';

const report: ScanReport = {
  root: '/music',
  files: 120,
  added: 100,
  updated: 5,
  unchanged: 13,
  removed: 2,
  failed: 2,
  skipped: 0,
  cleaned: 0,
  elapsed_ms: 900,
};

function play(events: ScanEvent[]) {
  return events.reduce(applyScanEvent, emptyScanProgress('/music'));
}

describe('applyScanEvent', () => {
  it('follows a scan from start to report', () => {
    let p = play([{ type: 'started', root: '/music', files: 120, to_read: 107 }]);
    expect(p).toMatchObject({ root: '/music', files: 120, toRead: 107, processed: 0, total: 107, report: null });
    expect(scanPercent(p)).toBe(0);
    p = applyScanEvent(p, { type: 'progress', processed: 50, total: 107 });
    expect(scanPercent(p)).toBe(46);
    p = applyScanEvent(p, { type: 'progress', processed: 107, total: 107 });
    // Not 100 before the report: the last step (removals) is still running.
    expect(scanPercent(p)).toBe(99);
    p = applyScanEvent(p, { type: 'finished', report });
    expect(p.report).toEqual(report);
    expect(scanPercent(p)).toBe(100);
  });

  it('counts problems and keeps the latest few', () => {
    const events: ScanEvent[] = [{ type: 'started', root: '/music', files: 10, to_read: 10 }];
    for (let i = 0; i < PROBLEMS_KEPT + 3; i += 1) {
      events.push({ type: 'file_failed', path: `/music/${i}.mp3`, reason: 'bad frame' });
    }
    events.push({ type: 'skipped', path: '/music/.Trash', reason: 'hidden folder' });
    const p = play(events);
    expect(p.failed).toBe(PROBLEMS_KEPT + 3);
    expect(p.skipped).toBe(1);
    expect(p.problems).toHaveLength(PROBLEMS_KEPT);
    expect(p.problems.at(-1)).toEqual({ kind: 'skipped', path: '/music/.Trash', reason: 'hidden folder' });
  });

  it('counts the leftovers of a killed write-back it removed, apart from failures', () => {
    const reason = 'a temporary file an interrupted write-back left (its process 4242 is gone), removed';
    const p = play([
      { type: 'started', root: '/music', files: 1, to_read: 1 },
      { type: 'removed', path: '/music/A/.gatefold-4242-0.tmp', reason },
    ]);
    expect(p.cleaned).toBe(1);
    expect(p.failed + p.skipped).toBe(0);
    expect(p.problems).toEqual([{ kind: 'removed', path: '/music/A/.gatefold-4242-0.tmp', reason }]);
  });

  it('does not change the progress it was given', () => {
    const before = emptyScanProgress('/music');
    applyScanEvent(before, { type: 'progress', processed: 1, total: 2 });
    expect(before).toEqual(emptyScanProgress('/music'));
  });
});
