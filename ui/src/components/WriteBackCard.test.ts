import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { XSS_STRING, writeBackFixture } from '../lib/fixtures';
import WriteBackCard from './WriteBackCard.svelte';

const locale = 'en-US';

function plain(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

describe('WriteBackCard', () => {
  it('says the music folder was changed, with the counts and every file listed by folder', () => {
    render(WriteBackCard, { report: writeBackFixture('written'), locale });
    const card = screen.getByRole('region', { name: 'Write-back' });
    expect(within(card).getByRole('heading', { level: 3, name: 'Write-back' })).toBeTruthy();
    expect(within(card).getByText('Sidecar files')).toBeTruthy();
    expect(screen.getByTestId('write-back-folder').textContent).toBe(
      'Your music folder was changed: cover and lyrics files were written beside your music.',
    );
    expect(screen.getByTestId('write-back').textContent).toBe(
      'Wrote 43 files beside your music; 6 already up to date, 1 skipped, 1 failed; removed 1 leftover temporary file',
    );
    const counts = [...screen.getByTestId('write-back-counts').querySelectorAll('div')].map((row) =>
      plain(row.textContent),
    );
    expect(counts).toEqual(['Written 43', 'Already up to date 6', 'Skipped 1', 'Failed 1', 'Leftovers removed 1']);

    const list = within(card).getByRole('region', { name: 'Files written back' });
    const glass = list.querySelector('[data-folder="/home/me/Music/Björk/Glass Waves/CD2"]') as HTMLElement;
    expect([...glass.querySelectorAll('li.file')].map((li) => plain(li.textContent))).toEqual([
      '01 Hunter.lrc Lyrics file Failed cannot write /home/me/Music/Björk/Glass Waves/CD2/01 Hunter.lrc: No space left on device (os error 28)',
      'cover.jpg Cover file Written',
    ]);
    const removed = list.querySelector('li.file[data-outcome="removed"]') as HTMLElement;
    expect(plain(removed.textContent)).toBe(
      '.gatefold-4194311-0.tmp Leftover temporary file Removed a temporary file an interrupted write-back left (its process 4194311 is gone)',
    );
    expect(screen.getByTestId('write-back-more').textContent).toMatch(/^\s*and 40 more files/);
  });

  it('says when nothing in the music folder was changed', () => {
    const report = writeBackFixture('written');
    report.summary = { ...report.summary, written: 0, skipped: 0, failed: 0, cleaned: 0, unchanged: 120 };
    report.files = [];
    report.more_files = 0;
    render(WriteBackCard, { report, locale });
    expect(screen.getByTestId('write-back-folder').textContent).toBe('Nothing in your music folder was changed.');
    expect(screen.getByTestId('write-back-empty').textContent).toBe(
      'Nothing to write: what the providers found is already there (120 files up to date).',
    );
    expect(screen.queryByTestId('write-back-more')).toBeNull();
  });

  it('says what embedding did, and shows paths as text', () => {
    const path = `/home/me/Music/Test Pattern/${XSS_STRING}/01 ${XSS_STRING}.flac`;
    render(WriteBackCard, {
      report: {
        summary: { mode: 'embed', dry_run: false, written: 2, unchanged: 0, skipped: 0, failed: 0, cleaned: 0 },
        files: [
          { path, target: 'embedded_lyrics', outcome: { outcome: 'written' } },
          { path, target: 'embedded_cover', outcome: { outcome: 'written' } },
        ],
        more_files: 0,
      },
      locale,
    });
    expect(screen.getByText('Embed in tags')).toBeTruthy();
    expect(screen.getByTestId('write-back-folder').textContent).toMatch(/into the tags of audio files/);
    const rows = [...document.querySelectorAll('li.file')].map((li) => li.querySelector('.what')?.textContent);
    // The cover before the lyrics of the same file.
    expect(rows).toEqual(['Cover in the tags', 'Lyrics in the tags']);
    expect(screen.getByText(`/home/me/Music/Test Pattern/${XSS_STRING}`)).toBeTruthy();
    expect(document.querySelector('img')).toBeNull();
  });
});
