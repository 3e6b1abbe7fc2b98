import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import { BackendError } from '../lib/backend';
import { FakeBackend } from '../lib/fakeBackend';
import { EMPTY_FIXTURE, LIBRARY_FIXTURE } from '../lib/fixtures';
import { FolderScanner } from '../lib/scanner.svelte';
import { LibrarySummaryStore } from '../lib/summary.svelte';
import LibraryCard from './LibraryCard.svelte';

const locale = 'en-US';

function statValue(container: HTMLElement, key: string): string | null | undefined {
  return container.querySelector(`[data-stat="${key}"] dd`)?.textContent;
}

describe('LibraryCard', () => {
  it('shows a loading state while the summary is pending', () => {
    const { container } = render(LibraryCard, {
      backend: new FakeBackend({ neverSettle: true }),
      locale,
    });
    expect(screen.getByRole('status').textContent).toContain('Loading library');
    expect(container.querySelector('section')?.getAttribute('aria-busy')).toBe('true');
    expect(container.querySelector('dl')).toBeNull();
  });

  it('renders the counts with thousands separators', async () => {
    const { container } = render(LibraryCard, { backend: new FakeBackend(), locale });
    await screen.findByText('1,234');
    expect(statValue(container, 'tracks')).toBe('1,234');
    expect(statValue(container, 'albums')).toBe('98');
    expect(statValue(container, 'artists')).toBe('45');
    expect(statValue(container, 'artwork-missing')).toBe('300');
    expect(screen.getByText('Tracks missing artwork')).toBeTruthy();
    expect(screen.queryByRole('status')).toBeNull();
    expect(container.querySelector('section')?.getAttribute('aria-busy')).toBe('false');
  });

  it('formats large counts for the given locale', async () => {
    const summary: LibrarySummary = { ...LIBRARY_FIXTURE, tracks: 1234567 };
    const { container } = render(LibraryCard, {
      backend: new FakeBackend({ summary }),
      locale: 'de-DE',
    });
    await screen.findByText('1.234.567');
    expect(statValue(container, 'tracks')).toBe('1.234.567');
  });

  it('renders the lyrics breakdown with human labels in a fixed order', async () => {
    render(LibraryCard, { backend: new FakeBackend(), locale });
    const table = await screen.findByRole('table', { name: 'Lyrics' });
    const rows = within(table)
      .getAllByRole('row')
      .slice(1) // header
      .map((row) => [row.querySelector('th')?.textContent, row.querySelector('td')?.textContent]);
    expect(rows).toEqual([
      ['Not fetched', '700'],
      ['Fetching', '4'],
      ['Available', '410'],
      ['Instrumental', '60'],
      ['Unavailable', '52'],
      ['Failed', '8'],
    ]);
    const bar = table.querySelector<HTMLProgressElement>('tr[data-status="available"] progress');
    expect(bar?.value).toBe(410);
    expect(bar?.max).toBe(1234);
  });

  it('shows 0 for missing statuses and keeps statuses it does not know yet', async () => {
    const summary = {
      ...LIBRARY_FIXTURE,
      lyrics: { available: 1200, synced: 34 },
    } as LibrarySummary;
    render(LibraryCard, { backend: new FakeBackend({ summary }), locale });
    const table = await screen.findByRole('table', { name: 'Lyrics' });
    const row = (status: string) => table.querySelector(`tr[data-status="${status}"]`);
    expect(row('available')?.querySelector('td')?.textContent).toBe('1,200');
    expect(row('failed')?.querySelector('td')?.textContent).toBe('0');
    expect(row('synced')?.querySelector('th')?.textContent).toBe('synced');
    expect(row('synced')?.querySelector('td')?.textContent).toBe('34');
  });

  it('shows the empty state when no tracks are imported', async () => {
    const { container } = render(LibraryCard, {
      backend: new FakeBackend({ summary: EMPTY_FIXTURE }),
      locale,
    });
    await screen.findByText('No music imported yet');
    expect(container.textContent).toContain('gatefold scan FOLDER');
    expect(container.querySelector('dl')).toBeNull();
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('offers no folder picker without a scanner, and one with it', async () => {
    const fake = new FakeBackend({ summary: EMPTY_FIXTURE, albums: 0, scan: { tickMs: 5, steps: 2, albums: 3 } });
    const first = render(LibraryCard, { backend: fake, locale });
    await screen.findByText('No music imported yet');
    expect(screen.queryByRole('button', { name: 'Choose your music folder' })).toBeNull();
    first.unmount();

    let refreshToken = 0;
    const scanner = new FolderScanner(fake, () => {
      refreshToken += 1;
      void view.rerender({ refreshToken });
    });
    const detach = scanner.attach();
    const view = render(LibraryCard, { backend: fake, locale, scanner, refreshToken });
    await fireEvent.click(await screen.findByRole('button', { name: 'Choose your music folder' }));
    const report = await screen.findByTestId('scan-report');
    expect(report.querySelector('[data-scan-stat="failed"] dd')?.textContent).toBe('1');
    await waitFor(() => expect(statValue(view.container, 'albums')).toBe('3'));
    detach();
  });

  it('shows the app’s summary without loading one of its own', async () => {
    const fake = new FakeBackend();
    const store = new LibrarySummaryStore(fake);
    const { container } = render(LibraryCard, { backend: fake, locale, summary: store, heading: 'Your library' });
    expect(screen.getByRole('status').textContent).toContain('Loading library');
    expect(fake.summaryCalls).toBe(0);
    await store.load();
    await screen.findByText('1,234');
    expect(statValue(container, 'albums')).toBe('98');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Your library');
    expect(fake.summaryCalls).toBe(1);
  });

  it('shows the error message and code, as text', async () => {
    const backend = new FakeBackend({
      error: new BackendError('database', 'Database is <b>locked</b>'),
    });
    const { container } = render(LibraryCard, { backend, locale });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the library');
    expect(alert.textContent).toContain('Database is <b>locked</b>');
    expect(alert.querySelector('b')).toBeNull();
    expect(within(alert).getByText('database').tagName).toBe('CODE');
    expect(container.querySelector('dl')).toBeNull();
  });

  it('retries after an error', async () => {
    const backend = new FakeBackend({ error: { code: 'io', message: 'Disk unplugged' } });
    render(LibraryCard, { backend, locale });
    await screen.findByText('Disk unplugged');
    expect(backend.summaryCalls).toBe(1);
    await fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(backend.summaryCalls).toBe(2);
    await screen.findByRole('alert');
  });

  it('converts a raw rejection into an error with a code', async () => {
    const backend = {
      librarySummary: () => Promise.reject({ code: 'not_found', message: 'No library yet' }),
    };
    render(LibraryCard, { backend, locale });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('No library yet');
    expect(within(alert).getByText('not_found')).toBeTruthy();
  });
});
