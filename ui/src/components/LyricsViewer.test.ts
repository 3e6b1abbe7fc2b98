import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { TrackLyrics } from '../bindings/TrackLyrics';
import { BackendError } from '../lib/backend';
import { FakeBackend } from '../lib/fakeBackend';
import { XSS_STRING } from '../lib/fixtures';
import LyricsViewer from './LyricsViewer.svelte';

function lyrics(extra: Partial<TrackLyrics> = {}): TrackLyrics {
  return {
    track_id: 5,
    title: 'Joga',
    artist: 'Björk',
    album: 'Homogenic',
    lyrics_status: 'available',
    plain: null,
    synced: null,
    source: 'lrclib',
    ...extra,
  };
}

async function show(answer: TrackLyrics | BackendError) {
  const fake = new FakeBackend();
  const trackLyrics = vi.spyOn(fake, 'trackLyrics');
  if (answer instanceof BackendError) trackLyrics.mockRejectedValue(answer);
  else trackLyrics.mockResolvedValue(answer);
  const onclose = vi.fn();
  const result = render(LyricsViewer, { backend: fake, track: { id: 5, title: 'Joga' }, onclose });
  await waitFor(() => expect(screen.queryByText('Loading lyrics…')).toBeNull());
  return { ...result, onclose, trackLyrics };
}

describe('LyricsViewer', () => {
  it('shows synced lyrics line by line with their timestamps, in time order', async () => {
    const { container } = await show(
      lyrics({
        synced: '[ar:Björk]\n[offset:0]\n[00:10.00][01:23.45]State of emergency\n[00:20.00]How beautiful\n[00:30.00]',
      }),
    );
    const list = screen.getByRole('list', { name: 'Synced lyrics' });
    const rows = within(list).getAllByRole('listitem');
    expect(rows.map((row) => row.querySelector('.ts')?.textContent)).toEqual([
      '00:10.00',
      '00:20.00',
      '00:30.00',
      '01:23.45',
    ]);
    expect(rows.map((row) => row.querySelector('.text')?.textContent)).toEqual([
      'State of emergency',
      'How beautiful',
      '♪',
      'State of emergency',
    ]);
    expect(rows[3].querySelector('time')?.getAttribute('datetime')).toBe('PT1M23.45S');
    expect(container.textContent).not.toContain('[ar:');
    expect(screen.getByText('Synced')).toBeTruthy();
    expect(container.textContent).toContain('from lrclib');
    expect(screen.getByRole('heading', { name: 'Joga' })).toBeTruthy();
    expect(container.textContent).toContain('Björk — Homogenic');
  });

  it('shows plain lyrics as pre-wrapped text', async () => {
    const { container } = await show(lyrics({ plain: 'Line one\nLine two\n\nLine three', source: 'sidecar' }));
    const pre = container.querySelector('pre');
    expect(pre?.textContent).toBe('Line one\nLine two\n\nLine three');
    expect(screen.getByText('Plain')).toBeTruthy();
    expect(screen.queryByRole('list', { name: 'Synced lyrics' })).toBeNull();
  });

  it('falls back to plain text when the synced lyrics have no timestamps', async () => {
    const { container } = await show(lyrics({ synced: 'no stamps here', plain: null }));
    expect(container.querySelector('pre')?.textContent).toBe('no stamps here');
  });

  it('says when a track is instrumental or has no lyrics, and why', async () => {
    const { unmount } = await show(lyrics({ lyrics_status: 'instrumental', source: 'lrclib' }));
    expect(screen.getByText('Instrumental')).toBeTruthy();
    unmount();
    const second = await show(lyrics({ lyrics_status: 'unavailable', source: null }));
    expect(screen.getByText('No lyrics')).toBeTruthy();
    expect(second.container.textContent).toContain('None were found');
    second.unmount();
    const third = await show(lyrics({ lyrics_status: 'failed', source: null }));
    expect(third.container.textContent).toContain('The last lookup failed');
    third.unmount();
    const fourth = await show(lyrics({ lyrics_status: 'not_fetched', source: null }));
    expect(fourth.container.textContent).toContain('Not looked up yet');
  });

  it('shows markup in lyrics and titles as text', async () => {
    const { container } = await show(
      lyrics({ title: XSS_STRING, synced: `[00:01.00]${XSS_STRING}`, plain: XSS_STRING }),
    );
    expect(screen.getByRole('heading', { name: XSS_STRING })).toBeTruthy();
    expect(within(screen.getByRole('list', { name: 'Synced lyrics' })).getByText(XSS_STRING)).toBeTruthy();
    expect(container.querySelector('img')).toBeNull();
  });

  it('shows a load error with retry, and closes', async () => {
    const { trackLyrics, onclose } = await show(new BackendError('not_found', 'track 5 not found'));
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Could not load the lyrics');
    expect(alert.textContent).toContain('track 5 not found');
    trackLyrics.mockResolvedValue(lyrics({ plain: 'Back again' }));
    await fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByText('Back again');
    await fireEvent.click(screen.getByRole('button', { name: 'Close lyrics' }));
    expect(onclose).toHaveBeenCalledOnce();
  });

  it('moves the focus to its heading when it opens', async () => {
    await show(lyrics({ plain: 'x' }));
    expect(document.activeElement).toBe(screen.getByRole('heading', { name: 'Joga' }));
  });
});
