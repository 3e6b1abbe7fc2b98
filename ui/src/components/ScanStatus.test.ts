import { render, screen, within } from '@testing-library/svelte';
import { flushSync } from 'svelte';
import { describe, expect, it } from 'vitest';
import type { ScanEvent } from '../bindings/ScanEvent';
import type { ScanReport } from '../bindings/ScanReport';
import { FakeBackend } from '../lib/fakeBackend';
import { FAILURES_KEPT } from '../lib/scan';
import { FolderScanner } from '../lib/scanner.svelte';
import ScanStatus from './ScanStatus.svelte';

const locale = 'en-US';

function report(root: string, failed: number, skipped = 0): ScanReport {
  return {
    root,
    files: 500,
    added: 500 - failed,
    updated: 0,
    unchanged: 0,
    removed: 0,
    failed,
    skipped,
    cleaned: 0,
    elapsed_ms: 100,
  };
}

/** A scanner whose scan is played event by event. */
function setup() {
  const fake = new FakeBackend({ albums: 0 });
  const scanner = new FolderScanner(fake);
  scanner.attach();
  render(ScanStatus, { scanner, locale });
  const play = (...events: ScanEvent[]) => {
    for (const event of events) fake.emit({ kind: 'scan', event });
    flushSync();
  };
  return { play };
}

describe('ScanStatus report', () => {
  it('lists every failed file, accents and decomposed names exactly as they are', () => {
    const { play } = setup();
    const root = '/home/zoë/Música';
    const composed = `${root}/Björk/Homogénic/03 Jóga.flac`.normalize('NFC');
    const decomposed = `${root}/Sigur Rós/Ágætis byrjun/01 Intro.flac`.normalize('NFD');
    const astral = `${root}/𝄞 Scores/Tōkyō — 東京.mp3`;
    play(
      { type: 'started', root, files: 3, to_read: 3 },
      { type: 'file_failed', path: composed, reason: 'not an audio file that can be read (invalid frame)' },
      { type: 'file_failed', path: decomposed, reason: 'unsupported codec' },
      { type: 'file_failed', path: astral, reason: 'the file is empty' },
      { type: 'skipped', path: `${root}/Café/loop`, reason: 'a link loop' },
      { type: 'finished', report: report(root, 3, 1) },
    );
    const box = screen.getByTestId('scan-report');
    const failed = within(box).getByRole('region', { name: 'Files that could not be read' });
    const paths = [...failed.querySelectorAll('li code')].map((c) => c.textContent);
    // Not normalised (a copied path must name the file), not cut, none dropped.
    expect(paths).toEqual([composed, decomposed, astral]);
    expect(paths[1]).not.toBe(paths[1]?.normalize('NFC'));
    expect(failed.textContent).toContain('unsupported codec');
    expect(within(box).queryByTestId('scan-more-failed')).toBeNull();
    const notes = within(box).getByRole('region', { name: 'Skipped or cleaned up' });
    expect(notes.textContent).toContain(`${root}/Café/loop`);
    // Scrollable, so reachable from the keyboard.
    expect(failed.getAttribute('tabindex')).toBe('0');
  });

  it('cuts a long list and says how many more failed', () => {
    const { play } = setup();
    const root = '/música';
    const events: ScanEvent[] = [{ type: 'started', root, files: 500, to_read: 500 }];
    for (let i = 0; i < FAILURES_KEPT + 1234; i += 1) {
      events.push({ type: 'file_failed', path: `${root}/Café ${i}/piste ${i}.mp3`, reason: 'bad frame' });
    }
    events.push({ type: 'finished', report: report(root, FAILURES_KEPT + 1234) });
    play(...events);
    const failed = screen.getByRole('region', { name: 'Files that could not be read' });
    expect(failed.querySelectorAll('li')).toHaveLength(FAILURES_KEPT);
    expect(failed.querySelector('li code')?.textContent).toBe('/música/Café 0/piste 0.mp3');
    expect(screen.getByTestId('scan-more-failed').textContent).toBe('and 1,234 more');
    expect(screen.getByTestId('scan-report').querySelector('[data-scan-stat="failed"] dd')?.textContent).toBe('1,434');
  });
});
