import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FakeBackend } from '../lib/fakeBackend';
import { FolderScanner } from '../lib/scanner.svelte';
import LibraryView from './LibraryView.svelte';

async function setup(options: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  const fake = new FakeBackend({ albums: 150, ...options });
  const scanner = new FolderScanner(fake);
  const detach = scanner.attach();
  const result = render(LibraryView, { backend: fake, locale: 'en-US', scanner });
  await waitFor(() => expect(document.querySelectorAll('[data-album-id]').length).toBe(60));
  return { ...result, fake, scanner, detach };
}

function gridBox(): HTMLElement {
  return screen.getByRole('list', { name: 'Albums', hidden: true }).closest('.grid-box') as HTMLElement;
}

describe('LibraryView', () => {
  afterEach(() => vi.restoreAllMocks());

  it('opens an album and comes back to the same search, pages, scroll position and card', async () => {
    const { fake } = await setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(document.querySelectorAll('[data-album-id]').length).toBe(120));
    const scroller = document.scrollingElement ?? document.documentElement;
    scroller.scrollTop = 1234;
    const album = (await fake.listAlbums('', 70, 1)).albums[0];
    const card = document.querySelector(`[data-album-id="${album.id}"]`) as HTMLElement;
    await fireEvent.click(within(card).getByRole('button'));

    const detail = await screen.findByTestId('album-detail');
    expect(within(detail).getByRole('heading', { name: album.title })).toBeTruthy();
    expect(gridBox().hidden).toBe(true);
    expect(scroller.scrollTop).toBe(0);
    await within(detail).findByRole('table');

    await fireEvent.click(within(detail).getByRole('button', { name: '← All albums' }));
    expect(screen.queryByTestId('album-detail')).toBeNull();
    expect(gridBox().hidden).toBe(false);
    // The grid was not reloaded: still two pages.
    expect(document.querySelectorAll('[data-album-id]')).toHaveLength(120);
    await waitFor(() => expect(scroller.scrollTop).toBe(1234));
    expect(document.activeElement).toBe(within(card).getByRole('button'));
  });

  it('keeps the search while an album is open', async () => {
    await setup();
    const box = screen.getByRole('searchbox');
    await fireEvent.input(box, { target: { value: 'nina' } });
    await fireEvent.submit(screen.getByRole('search'));
    await waitFor(() => expect(screen.getByTestId('album-count').textContent).toMatch(/matching “nina”/));
    await fireEvent.click(within(document.querySelector('[data-album-id]') as HTMLElement).getByRole('button'));
    await screen.findByTestId('album-detail');
    await fireEvent.keyDown(screen.getByTestId('album-detail'), { key: 'Escape' });
    expect((screen.getByRole('searchbox') as HTMLInputElement).value).toBe('nina');
    expect(screen.getByTestId('album-count').textContent).toMatch(/matching “nina”/);
  });

  it('adds or rescans a folder from the header, showing progress and the report', async () => {
    const { detach } = await setup({ scan: { tickMs: 5, steps: 4 } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add or rescan folder…' }));
    await screen.findByRole('progressbar', { name: 'Scan progress' });
    expect(screen.getByTestId('scan-progress').textContent).toContain('/home/me/Music');
    const report = await screen.findByTestId('scan-report');
    expect(report.querySelector('[data-scan-stat="updated"] dd')?.textContent).toMatch(/^\d+$/);
    expect(report.querySelector('[data-scan-stat="failed"] dd')?.textContent).toBe('1');
    expect(report.textContent).toContain('03 Track.mp3');
    await fireEvent.click(within(report).getByRole('button', { name: 'Dismiss' }));
    expect(screen.queryByTestId('scan-report')).toBeNull();
    detach();
  });

  it('shows a scan refusal with its message', async () => {
    const { detach } = await setup({ scan: { folder: '/media/missing' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Add or rescan folder…' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not scan: /media/missing does not exist');
    expect(alert.textContent).toContain('invalid_scan_root');
    detach();
  });
});
