import { describe, expect, it } from 'vitest';
import type { WriteBackFile } from '../bindings/WriteBackFile';
import type { WriteBackSummary } from '../bindings/WriteBackSummary';
import { writeBackFixture } from './fixtures';
import {
  changedFiles,
  countRows,
  groupByFolder,
  modeLabel,
  moreFilesText,
  musicFolderText,
  nothingToEnrichText,
  nothingToWriteText,
  outcomeLabel,
  outcomeReason,
  splitPath,
  targetLabel,
} from './writeBack';

const locale = 'en-US';

const summary: WriteBackSummary = {
  mode: 'sidecar',
  dry_run: false,
  written: 12,
  unchanged: 0,
  skipped: 1,
  failed: 0,
  cleaned: 0,
};

describe('write-back words', () => {
  it('names the modes, the targets and the outcomes, unknown ones as they come', () => {
    expect(modeLabel('sidecar')).toBe('Sidecar files');
    expect(modeLabel('embed')).toBe('Embed in tags');
    expect(modeLabel('teleport')).toBe('teleport');
    expect(targetLabel('cover_file')).toBe('Cover file');
    expect(targetLabel('lyrics_file')).toBe('Lyrics file');
    expect(targetLabel('embedded_cover')).toBe('Cover in the tags');
    expect(targetLabel('embedded_lyrics')).toBe('Lyrics in the tags');
    expect(targetLabel('temporary')).toBe('Leftover temporary file');
    expect(targetLabel('constructor')).toBe('constructor');
    expect(outcomeLabel('would_write')).toBe('Would write');
    expect(outcomeLabel('written')).toBe('Written');
    expect(outcomeLabel('skipped')).toBe('Skipped');
    expect(outcomeLabel('failed')).toBe('Failed');
    expect(outcomeLabel('removed')).toBe('Removed');
    expect(outcomeLabel('vanished')).toBe('vanished');
  });

  it('keeps the engine’s reason of a file left alone, failed or removed', () => {
    expect(outcomeReason({ outcome: 'skipped', reason: 'the folder /m is read-only' })).toBe(
      'the folder /m is read-only',
    );
    expect(outcomeReason({ outcome: 'failed', reason: 'disk full' })).toBe('disk full');
    expect(outcomeReason({ outcome: 'written' })).toBeNull();
    expect(outcomeReason({ outcome: 'skipped', reason: '' })).toBeNull();
  });

  it('says how many files the list leaves out', () => {
    expect(moreFilesText(1, locale)).toBe('and 1 more file');
    expect(moreFilesText(1234, locale)).toBe('and 1,234 more files');
  });
});

describe('splitPath', () => {
  it('splits at the last separator, keeping the path as it came', () => {
    expect(splitPath('/home/me/Music/Björk/Homogenic/cover.jpg')).toEqual({
      folder: '/home/me/Music/Björk/Homogenic',
      name: 'cover.jpg',
    });
    expect(splitPath('C:\\Music\\Album\\01 Song.lrc')).toEqual({ folder: 'C:\\Music\\Album', name: '01 Song.lrc' });
    expect(splitPath('/cover.jpg')).toEqual({ folder: '/', name: 'cover.jpg' });
    expect(splitPath('cover.jpg')).toEqual({ folder: '', name: 'cover.jpg' });
    // A decomposed "é" (as macOS writes it) is not normalised: the copied path names the file.
    const nfd = '/m/Cafe\u0301/01.lrc';
    expect(splitPath(nfd).folder).toBe('/m/Cafe\u0301');
  });
});

describe('groupByFolder', () => {
  it('groups the files by folder, in name order with numbers as numbers, the cover first', () => {
    const file = (path: string, target: WriteBackFile['target'] = 'lyrics_file'): WriteBackFile => ({
      path,
      target,
      outcome: { outcome: 'would_write' },
    });
    // The engine's order: every cover, then every lyrics file.
    const groups = groupByFolder(
      [
        file('/m/B/Disc 10/cover.jpg', 'cover_file'),
        file('/m/B/Disc 2/cover.jpg', 'cover_file'),
        file('/m/A/song.flac', 'embedded_cover'),
        file('/m/B/Disc 2/10 Ten.lrc'),
        file('/m/B/Disc 2/2 Two.txt'),
        file('/m/A/song.flac', 'embedded_lyrics'),
      ],
      locale,
    );
    expect(groups.map((g) => g.folder)).toEqual(['/m/A', '/m/B/Disc 2', '/m/B/Disc 10']);
    expect(groups[1].rows.map((r) => r.name)).toEqual(['2 Two.txt', '10 Ten.lrc', 'cover.jpg']);
    expect(groups[0].rows.map((r) => r.what)).toEqual(['Cover in the tags', 'Lyrics in the tags']);
    // Keys are unique even for one audio file taking a cover and lyrics.
    expect(new Set(groups.flatMap((g) => g.rows.map((r) => r.key))).size).toBe(6);
  });

  it('carries what goes in each file, the outcome and its reason', () => {
    const groups = groupByFolder(writeBackFixture('written').files, locale);
    const blue = groups.find((g) => g.folder.endsWith('Pastel Blues'));
    expect(blue?.rows.map((r) => [r.name, r.what, r.outcomeText])).toEqual([
      ['.gatefold-4194311-0.tmp', 'Leftover temporary file', 'Removed'],
      ['2 Be My Husband.txt', 'Lyrics file', 'Written'],
      ['10 Sinnerman.lrc', 'Lyrics file', 'Written'],
      ['cover.jpg', 'Cover file', 'Skipped'],
    ]);
    expect(blue?.rows[3].reason).toMatch(/cover\.jpg already exists and is not Gatefold's/);
    const glass = groups.find((g) => g.folder.endsWith('CD2'));
    expect(glass?.rows.find((r) => r.outcome === 'failed')?.reason).toMatch(/No space left on device/);
  });

  it('lists nothing for no file', () => {
    expect(groupByFolder([], locale)).toEqual([]);
  });
});

describe('counts and sentences', () => {
  it('counts what was written (or would be), up to date, skipped and failed; leftovers only when some', () => {
    expect(countRows(summary).map((r) => [r.label, r.count])).toEqual([
      ['Written', 12],
      ['Already up to date', 0],
      ['Skipped', 1],
      ['Failed', 0],
    ]);
    expect(countRows({ ...summary, dry_run: true, cleaned: 0 })[0].label).toBe('Would write');
    expect(countRows({ ...summary, cleaned: 2 }).at(-1)).toEqual({
      key: 'cleaned',
      label: 'Leftovers removed',
      count: 2,
    });
  });

  it('says why there is nothing to write', () => {
    expect(nothingToWriteText({ ...summary, written: 0, skipped: 0 }, locale)).toMatch(
      /^Nothing to write: the providers have found no artwork or lyrics yet\./,
    );
    expect(nothingToWriteText({ ...summary, written: 0, skipped: 0, unchanged: 1200 }, locale)).toBe(
      'Nothing to write: what the providers found is already there (1,200 files up to date).',
    );
    expect(nothingToWriteText({ ...summary, mode: 'off', written: 0 }, locale)).toBe(
      'Nothing to write: write-back is off.',
    );
  });

  it('says whether the music folder was changed, and how', () => {
    expect(changedFiles({ ...summary, cleaned: 2 })).toBe(14);
    expect(changedFiles({ ...summary, dry_run: true })).toBe(0);
    expect(musicFolderText(summary)).toBe(
      'Your music folder was changed: cover and lyrics files were written beside your music.',
    );
    expect(musicFolderText({ ...summary, mode: 'embed' })).toMatch(
      /^Your music folder was changed: the cover and lyrics were written into the tags of audio files/,
    );
    expect(musicFolderText({ ...summary, written: 0, cleaned: 1 })).toMatch(/leftover temporary files/);
    expect(musicFolderText({ ...summary, written: 0, unchanged: 40 })).toBe(
      'Nothing in your music folder was changed.',
    );
    expect(musicFolderText({ ...summary, dry_run: true })).toBe('A dry run: nothing in your music folder was changed.');
  });

  it('does not let a write-back hide under "Nothing to do"', () => {
    expect(nothingToEnrichText(null)).toBe('Nothing to do');
    expect(nothingToEnrichText({ ...summary, written: 0, unchanged: 3 })).toBe('Nothing to do');
    expect(nothingToEnrichText({ ...summary, written: 14 }, locale)).toBe(
      'Nothing to enrich; write-back changed 14 files',
    );
    expect(nothingToEnrichText({ ...summary, written: 0, cleaned: 1 }, locale)).toBe(
      'Nothing to enrich; write-back changed 1 file',
    );
  });
});
