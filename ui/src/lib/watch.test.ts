import { describe, expect, it } from 'vitest';
import type { ScanReport } from '../bindings/ScanReport';
import type { WatchStatus } from '../bindings/WatchStatus';
import type { BackendMessage } from './backend';
import { FakeBackend, watchLimitReason } from './fakeBackend';
import {
  codeParts,
  importChanged,
  importText,
  pollSeconds,
  reasonParts,
  shortFolder,
  watchFailureText,
  watchHeadline,
} from './watch';
import { MusicWatch } from './watch.svelte';

const locale = 'en-GB';
const at = new Date(Date.UTC(2026, 11, 8, 12, 4));

function report(counts: Partial<ScanReport> = {}): ScanReport {
  return {
    root: '/home/me/Music/Air/Moon Safari',
    files: 10,
    added: 0,
    updated: 0,
    unchanged: 10,
    removed: 0,
    failed: 0,
    cleaned: 0,
    skipped: 0,
    elapsed_ms: 12,
    ...counts,
  };
}

function status(extra: Partial<WatchStatus> = {}): WatchStatus {
  return {
    folders: ['/home/me/Music', '/mnt/nas/Music'],
    mode: 'events',
    reason: null,
    poll_every_secs: 60,
    ...extra,
  };
}

const REASON = watchLimitReason(12408, 8192, 60);

describe('watch texts', () => {
  it('says how many folders are watched, or that they are rescanned', () => {
    expect(watchHeadline(status(), locale)).toBe('Watching 2 folders for new music');
    expect(watchHeadline(status({ folders: ['/m'] }), locale)).toBe('Watching 1 folder for new music');
    expect(watchHeadline(status({ folders: [] }), locale)).toBe('No music folder to watch');
    expect(watchHeadline(status({ mode: 'polling', reason: REASON }), locale)).toBe(
      'Not watching: rescanning 2 folders every 60 s for new music',
    );
  });

  it('reads the seconds between rescans whether they come as a number or a bigint', () => {
    expect(pollSeconds(status())).toBe(60);
    expect(pollSeconds({ poll_every_secs: 90 })).toBe(90);
  });

  it('splits a polled watch’s reason around its command', () => {
    const parts = reasonParts(REASON);
    expect(parts.before).toBe(
      'The system cannot watch all 12408 music folders (its limit, fs.inotify.max_user_watches, is 8192): new ' +
        'music is found by rescanning every 60 s instead. To watch them, raise the limit:',
    );
    expect(parts.command).toBe('sudo sysctl fs.inotify.max_user_watches=524288');
    expect(parts.after).toEqual([
      { text: '(and add that line to /etc/sysctl.d/90-gatefold.conf to keep it)', code: false },
    ]);
    expect(reasonParts('no watch here')).toEqual({ before: 'No watch here', command: null, after: [] });
    expect(codeParts('a `b` c `d')).toEqual([
      { text: 'a ', code: false },
      { text: 'b', code: true },
      { text: ' c `d', code: false },
    ]);
  });

  it('tells what an import changed, where and when', () => {
    expect(importText({ report: report({ added: 3 }), at }, locale, 'UTC')).toBe(
      'Imported 3 new tracks from …/Moon Safari, 12:04',
    );
    expect(importText({ report: report({ added: 1, updated: 1 }), at }, locale, 'UTC')).toBe(
      'Imported 1 new track and updated 1 track from …/Moon Safari, 12:04',
    );
    expect(importText({ report: report({ added: 2, updated: 3, removed: 1200 }), at }, locale, 'UTC')).toBe(
      'Imported 2 new tracks, updated 3 tracks and removed 1,200 tracks from …/Moon Safari, 12:04',
    );
    expect(importText({ report: report({ removed: 4 }), at }, locale, 'UTC')).toBe(
      'Removed 4 tracks from …/Moon Safari, 12:04',
    );
    expect(importChanged(report())).toBe(false);
    expect(importChanged(report({ removed: 1 }))).toBe(true);
    expect(shortFolder('/music/')).toBe('/music');
    expect(shortFolder('/')).toBe('/');
    expect(shortFolder('/a/b/c')).toBe('…/c');
  });

  it('words a watch failure, the enrichment of new music included', () => {
    expect(watchFailureText({ folder: '/m/x', message: '/m/x: cannot be read: Permission denied' })).toBe(
      'Could not import /m/x: /m/x: cannot be read: Permission denied',
    );
    expect(watchFailureText({ folder: '', message: 'new music cannot be enriched: database is locked' })).toBe(
      'New music cannot be enriched: database is locked',
    );
    expect(watchFailureText({ folder: '', message: '' })).toBe('New music could not be enriched');
  });
});

describe('MusicWatch', () => {
  function setup(fake = new FakeBackend()) {
    const imported: ScanReport[] = [];
    const watch = new MusicWatch(
      fake,
      (r) => imported.push(r),
      () => at,
    );
    const detach = watch.attach();
    return { fake, watch, imported, detach };
  }

  it('asks the status, then follows each restart of the watch', async () => {
    const { fake, watch, detach } = setup();
    await expect.poll(() => watch.status).not.toBeNull();
    expect(watch.status).toMatchObject({ folders: ['/home/me/Music'], mode: 'events' });
    expect(watch.polling).toBe(false);
    fake.emitEvents([{ type: 'watching', status: status({ mode: 'polling', reason: REASON }) }]);
    expect(watch.polling).toBe(true);
    expect(watch.restarts).toBe(1);
    expect(watch.status?.folders).toEqual(['/home/me/Music', '/mnt/nas/Music']);
    detach();
    fake.emitEvents([{ type: 'watching', status: status({ folders: [] }) }]);
    expect(watch.restarts).toBe(1);
  });

  it('keeps a restart heard while the status was asked', async () => {
    const fake = new FakeBackend({ delayMs: 20 });
    const { watch } = setup(fake);
    fake.emitEvents([{ type: 'watching', status: status({ mode: 'polling', reason: REASON }) }]);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(watch.polling).toBe(true);
  });

  it('tells the imports that changed the library, and only those', () => {
    const { fake, watch, imported } = setup();
    fake.emitEvents([{ type: 'folder_imported', report: report() }]);
    expect(watch.lastImport).toBeNull();
    expect(imported).toEqual([]);
    fake.emitEvents([{ type: 'folder_imported', report: report({ added: 3 }) }]);
    expect(watch.lastImport).toEqual({ report: report({ added: 3 }), at });
    expect(imported).toHaveLength(1);
  });

  it('keeps the last failures, newest first, until dismissed', () => {
    const { fake, watch } = setup();
    for (let i = 1; i <= 7; i += 1) {
      fake.emitEvents([{ type: 'watch_failed', folder: `/m/${i}`, message: 'gone' }]);
    }
    expect(watch.failures.map((f) => f.folder)).toEqual(['/m/7', '/m/6', '/m/5', '/m/4', '/m/3']);
    watch.dismissFailure(0);
    expect(watch.failures.map((f) => f.folder)).toEqual(['/m/6', '/m/5', '/m/4', '/m/3']);
  });

  it('asks the status again on a resync, and ignores scans and job events', async () => {
    const fake = new FakeBackend();
    const watch = new MusicWatch(fake);
    const messages: BackendMessage[] = [
      { kind: 'scan', event: { type: 'progress', processed: 1, total: 2 } },
      { kind: 'events', events: [{ type: 'job_resumed', job_id: 1 }] },
    ];
    for (const message of messages) watch.receive(message);
    expect(watch.status).toBeNull();
    watch.receive({ kind: 'resync' });
    await expect.poll(() => watch.status?.mode).toBe('events');
  });
});
