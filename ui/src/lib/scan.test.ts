import { describe, expect, it } from 'vitest';
import type { ScanEvent } from '../bindings/ScanEvent';
import type { ScanReport } from '../bindings/ScanReport';
import {
  FAILURES_KEPT,
  NOTES_KEPT,
  applyScanEvent,
  emptyScanProgress,
  failuresNotListed,
  notesNotListed,
  scanPercent,
} from './scan';

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

  it('lists every failed file, in order, apart from skipped paths', () => {
    const events: ScanEvent[] = [{ type: 'started', root: '/music', files: 10, to_read: 10 }];
    for (let i = 0; i < 8; i += 1) events.push({ type: 'file_failed', path: `/music/${i}.mp3`, reason: 'bad frame' });
    // A skipped path after them does not push a failed file out of the list.
    events.push({ type: 'skipped', path: '/music/.Trash', reason: 'hidden folder' });
    const p = play(events);
    expect(p.failed).toBe(8);
    expect(p.skipped).toBe(1);
    expect(p.failures.map((f) => f.path)).toEqual(Array.from({ length: 8 }, (_, i) => `/music/${i}.mp3`));
    expect(p.notes).toEqual([{ kind: 'skipped', path: '/music/.Trash', reason: 'hidden folder' }]);
    expect(failuresNotListed(p)).toBe(0);
    expect(notesNotListed(p)).toBe(0);
  });

  it('keeps paths with accents exactly, composed and decomposed alike', () => {
    const composed = '/music/Björk/Homogénic/01 Jóga.flac'.normalize('NFC');
    const decomposed = composed.normalize('NFD');
    const astral = '/music/Sigur Rós/( )/𝄞 Untitled #1 — ñ.ogg';
    const p = play([
      { type: 'started', root: '/music', files: 3, to_read: 3 },
      { type: 'file_failed', path: composed, reason: 'not an audio file that can be read' },
      // The same name in NFD is another file on Linux: listed too, not merged or normalised.
      { type: 'file_failed', path: decomposed, reason: 'not an audio file that can be read' },
      { type: 'file_failed', path: astral, reason: 'unsupported codec' },
    ]);
    expect(p.failures.map((f) => f.path)).toEqual([composed, decomposed, astral]);
    expect(p.failures[1].path).not.toBe(composed);
    expect(p.failures[1].path.normalize('NFC')).toBe(composed);
  });

  it('cuts a long list and says how many more there are', () => {
    const events: ScanEvent[] = [{ type: 'started', root: '/música', files: 500, to_read: 500 }];
    const extra = 37;
    for (let i = 0; i < FAILURES_KEPT + extra; i += 1) {
      events.push({ type: 'file_failed', path: `/música/Café ${i}.mp3`, reason: 'bad frame' });
    }
    for (let i = 0; i < NOTES_KEPT + 2; i += 1) {
      events.push({ type: 'skipped', path: `/música/link ${i}`, reason: 'a link loop' });
    }
    let p = play(events);
    expect(p.failures).toHaveLength(FAILURES_KEPT);
    expect(p.failures[0].path).toBe('/música/Café 0.mp3');
    expect(p.failures.at(-1)?.path).toBe(`/música/Café ${FAILURES_KEPT - 1}.mp3`);
    expect(failuresNotListed(p)).toBe(extra);
    expect(notesNotListed(p)).toBe(2);
    // The report's count is the truth (events can be dropped when the window falls behind).
    p = applyScanEvent(p, {
      type: 'finished',
      report: { ...report, root: '/música', failed: FAILURES_KEPT + extra + 3, skipped: NOTES_KEPT + 2 },
    });
    expect(failuresNotListed(p)).toBe(extra + 3);
  });

  it('counts the leftovers of a killed write-back it removed, apart from failures', () => {
    const reason = 'a temporary file an interrupted write-back left (its process 4242 is gone), removed';
    const p = play([
      { type: 'started', root: '/music', files: 1, to_read: 1 },
      { type: 'removed', path: '/music/A/.gatefold-4242-0.tmp', reason },
    ]);
    expect(p.cleaned).toBe(1);
    expect(p.failed + p.skipped).toBe(0);
    expect(p.notes).toEqual([{ kind: 'removed', path: '/music/A/.gatefold-4242-0.tmp', reason }]);
    expect(p.failures).toEqual([]);
  });

  it('does not change the progress it was given', () => {
    const before = emptyScanProgress('/music');
    applyScanEvent(before, { type: 'progress', processed: 1, total: 2 });
    expect(before).toEqual(emptyScanProgress('/music'));
  });
});
