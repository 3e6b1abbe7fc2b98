import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { AlbumCard } from '../bindings/AlbumCard';
import type { TrackListItem } from '../bindings/TrackListItem';
import { BackendError } from '../lib/backend';
import { FakeBackend } from '../lib/fakeBackend';
import AlbumDetail from './AlbumDetail.svelte';

const album: AlbumCard = {
  id: 3,
  title: 'Homogenic',
  album_artist: 'Björk',
  year: 1997,
  track_count: 4,
  lyrics_available: 2,
  artwork: { id: 77, width: 1000, height: 1000, mime: 'image/jpeg', source: 'coverartarchive', has_thumbnail: true },
};

function track(id: number, extra: Partial<TrackListItem> = {}): TrackListItem {
  return {
    id,
    title: `Song ${id}`,
    artist: 'Björk',
    track_number: id,
    disc_number: 1,
    duration_ms: 187_000,
    format: 'flac',
    has_artwork: true,
    lyrics_status: 'available',
    lyrics_source: 'lrclib',
    lyrics_synced: true,
    ...extra,
  };
}

const TRACKS: TrackListItem[] = [
  track(1),
  track(2, { artist: 'Björk feat. Someone', lyrics_synced: false, lyrics_source: 'sidecar', duration_ms: null }),
  track(3, {
    disc_number: 2,
    track_number: 1,
    lyrics_status: 'instrumental',
    lyrics_source: null,
    lyrics_synced: false,
    has_artwork: false,
  }),
  track(4, {
    disc_number: 2,
    track_number: 2,
    lyrics_status: 'unavailable',
    lyrics_source: null,
    lyrics_synced: false,
  }),
];

async function setup(tracks: TrackListItem[] = TRACKS) {
  const fake = new FakeBackend();
  vi.spyOn(fake, 'albumTracks').mockResolvedValue(tracks);
  const trackLyrics = vi.spyOn(fake, 'trackLyrics').mockImplementation(async (id) => ({
    track_id: id,
    title: `Song ${id}`,
    artist: 'Björk',
    album: 'Homogenic',
    lyrics_status: 'available',
    plain: null,
    synced: '[00:01.00]Hello',
    source: 'lrclib',
  }));
  const onback = vi.fn();
  const result = render(AlbumDetail, { backend: fake, album, locale: 'en-US', onback });
  await screen.findByRole('table');
  return { ...result, fake, onback, trackLyrics };
}

function row(id: number): HTMLElement {
  return document.querySelector(`[data-track-id="${id}"]`) as HTMLElement;
}

describe('AlbumDetail', () => {
  it('shows the full cover, title, artist and year', async () => {
    const { container } = await setup();
    const cover = screen.getByRole('img', { name: 'Homogenic by Björk' }) as HTMLImageElement;
    // The full image, not the thumbnail.
    expect(cover.getAttribute('src')).toMatch(/^data:image\/bmp;base64,.+#full$/);
    expect(cover.getAttribute('width')).toBe('1000');
    expect(cover.getAttribute('height')).toBe('1000');
    expect(screen.getByRole('heading', { name: 'Homogenic' })).toBeTruthy();
    expect(container.textContent).toContain('Björk');
    expect(container.textContent).toContain('1997');
    expect(container.textContent).toContain('2 of 4');
  });

  it('lists the tracks by disc with number, duration, artwork and a labelled lyrics badge', async () => {
    await setup();
    expect(screen.getByRole('rowheader', { name: 'Disc 1' })).toBeTruthy();
    expect(screen.getByRole('rowheader', { name: 'Disc 2' })).toBeTruthy();
    const first = within(row(1))
      .getAllByRole('cell')
      .map((cell) => cell.textContent?.replace(/\s+/g, ' ').trim());
    expect(first).toEqual(['1', 'Song 1', '3:07', '✓Has artwork', 'Lyrics: Synced from lrclib']);
    // The artist only when it differs from the album artist.
    expect(row(1).textContent).not.toContain('Björk');
    expect(row(2).textContent).toContain('Björk feat. Someone');
    expect(within(row(2)).getAllByRole('cell')[2].textContent).toBe('—');
    expect(row(2).textContent).toContain('Plain');
    expect(row(3).textContent).toContain('No artwork');
    expect(row(3).textContent).toContain('Instrumental');
    expect(within(row(3)).getAllByRole('cell')[0].textContent).toBe('1');
    expect(row(4).textContent).toContain('Not found');
  });

  it('has no disc headings for a one-disc album', async () => {
    await setup([track(1), track(2)]);
    expect(screen.queryByRole('rowheader')).toBeNull();
  });

  it('opens the lyrics of a track, then another, and closes them back to the track', async () => {
    const { trackLyrics } = await setup();
    const open = within(row(1)).getByRole('button', { name: 'Song 1' });
    await fireEvent.click(open);
    const viewer = await screen.findByTestId('lyrics-viewer');
    await within(viewer).findByText('00:01.00');
    expect(trackLyrics).toHaveBeenLastCalledWith(1);
    expect(open.getAttribute('aria-current')).toBe('true');
    await fireEvent.click(within(row(2)).getByRole('button', { name: 'Song 2' }));
    await waitFor(() => expect(trackLyrics).toHaveBeenLastCalledWith(2));
    await screen.findByRole('heading', { name: 'Song 2' });
    await fireEvent.click(screen.getByRole('button', { name: 'Close lyrics' }));
    expect(screen.queryByTestId('lyrics-viewer')).toBeNull();
    await waitFor(() => expect(document.activeElement).toBe(within(row(2)).getByRole('button', { name: 'Song 2' })));
  });

  it('goes back with the button, or Escape (after closing the lyrics)', async () => {
    const { onback } = await setup();
    await fireEvent.click(screen.getByRole('button', { name: '← All albums' }));
    expect(onback).toHaveBeenCalledTimes(1);
    await fireEvent.click(within(row(1)).getByRole('button', { name: 'Song 1' }));
    await screen.findByTestId('lyrics-viewer');
    await fireEvent.keyDown(screen.getByTestId('lyrics-viewer'), { key: 'Escape' });
    expect(screen.queryByTestId('lyrics-viewer')).toBeNull();
    expect(onback).toHaveBeenCalledTimes(1);
    await fireEvent.keyDown(screen.getByTestId('album-detail'), { key: 'Escape' });
    expect(onback).toHaveBeenCalledTimes(2);
  });

  it('shows a not_found error with retry, and a placeholder without artwork', async () => {
    const fake = new FakeBackend();
    const noArt = { ...album, id: 999_999, artwork: null };
    render(AlbumDetail, { backend: fake, album: noArt, locale: 'en-US', onback: () => {} });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the tracks');
    expect(alert.textContent).toContain('album 999999 not found');
    expect(within(alert).getByText('not_found')).toBeTruthy();
    const placeholder = screen.getByRole('img', { name: 'Homogenic by Björk' });
    expect(placeholder.tagName).toBe('DIV');
    expect(placeholder.textContent?.trim()).toBe('H');
  });

  it('reloads the tracks quietly when the refresh token changes', async () => {
    const { fake, rerender } = await setup();
    const albumTracks = vi.mocked(fake.albumTracks);
    expect(albumTracks).toHaveBeenCalledTimes(1);
    await rerender({ refreshToken: 1 });
    await waitFor(() => expect(albumTracks).toHaveBeenCalledTimes(2));
    expect(screen.queryByText('Loading tracks…')).toBeNull();
  });

  describe('Enrich this album now', () => {
    function enrichNow(): HTMLButtonElement {
      return screen.getByRole('button', { name: 'Enrich this album now' });
    }

    function outcome(): string {
      return (screen.getByTestId('enrich-now-outcome').textContent ?? '').replace(/\s+/g, ' ').trim();
    }

    it('starts a run for the album when no job runs, announcing it', async () => {
      const { fake } = await setup();
      const now = vi.spyOn(fake, 'enrichAlbumNow');
      expect(screen.getByTestId('enrich-now-outcome').getAttribute('aria-live')).toBe('polite');
      expect(outcome()).toBe('');
      await fireEvent.click(enrichNow());
      expect(now).toHaveBeenCalledWith(3);
      await waitFor(() => expect(outcome()).toBe('Started enriching this album'));
      expect(enrichNow().disabled).toBe(false);
      fake.dispose();
    });

    it('moves the album to the front of a running job, disabled while it is sent', async () => {
      const { fake } = await setup();
      let answer: (outcome: 'prioritized') => void = () => {};
      vi.spyOn(fake, 'enrichAlbumNow').mockImplementation(() => new Promise((resolve) => (answer = resolve)));
      await fireEvent.click(enrichNow());
      expect(enrichNow().disabled).toBe(true);
      // A second click while it is sent sends nothing more.
      await fireEvent.click(enrichNow());
      expect(fake.enrichAlbumNow).toHaveBeenCalledTimes(1);
      answer('prioritized');
      await waitFor(() => expect(outcome()).toBe('Moved to the front of the running job'));
      expect(enrichNow().disabled).toBe(false);
    });

    it('says why the album cannot be enriched now, as text', async () => {
      const { fake } = await setup();
      vi.spyOn(fake, 'enrichAlbumNow').mockRejectedValue(
        new BackendError('job_already_running', 'Another Gatefold process (<b>pid</b> 4242) is running a job'),
      );
      await fireEvent.click(enrichNow());
      await waitFor(() =>
        expect(outcome()).toBe(
          'Could not enrich this album now: Another Gatefold process (<b>pid</b> 4242) is running a job job_already_running',
        ),
      );
      const box = screen.getByTestId('enrich-now-outcome');
      expect(box.querySelector('b')).toBeNull();
      expect(within(box).getByText('job_already_running').tagName).toBe('CODE');
      expect(enrichNow().disabled).toBe(false);
    });

    it('says when the album is not in the library any more', async () => {
      const fake = new FakeBackend();
      const gone = { ...album, id: 999_999 };
      render(AlbumDetail, { backend: fake, album: gone, locale: 'en-US', onback: () => {} });
      await fireEvent.click(enrichNow());
      await waitFor(() => expect(outcome()).toContain('album 999999 not found'));
    });
  });
});
