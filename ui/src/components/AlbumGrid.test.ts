import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AlbumPage } from '../bindings/AlbumPage';
import { BackendError } from '../lib/backend';
import { FakeBackend } from '../lib/fakeBackend';
import { FolderScanner } from '../lib/scanner.svelte';
import AlbumGrid, { BLOCK_ROWS, PAGE_SIZE, SEARCH_DEBOUNCE_MS, columnsFor, moveIndex } from './AlbumGrid.svelte';

const locale = 'en-US';

/**
 * A stand-in for IntersectionObserver that the test drives: `near()` says where the end of the
 * grid is; like the real one, observing reports the current state (later, not at once).
 */
class FakeObserver {
  static last: FakeObserver | null = null;
  /** Pages the grid may still load before its end is out of reach. */
  static pagesInReach = 0;
  isNear = false;
  observed = 0;
  constructor(private readonly callback: IntersectionObserverCallback) {
    FakeObserver.last = this;
  }
  observe() {
    this.observed += 1;
    if (this.observed > 1 && FakeObserver.pagesInReach-- <= 0) this.isNear = false;
    setTimeout(() => this.report(), 0);
  }
  unobserve() {}
  disconnect() {}
  takeRecords() {
    return [];
  }
  near(isNear: boolean) {
    this.isNear = isNear;
    this.report();
  }
  private report() {
    this.callback(
      [{ isIntersecting: this.isNear } as IntersectionObserverEntry],
      this as unknown as IntersectionObserver,
    );
  }
}

async function setup(options: ConstructorParameters<typeof FakeBackend>[0] = {}) {
  const fake = new FakeBackend({ albums: 150, ...options });
  const listAlbums = vi.spyOn(fake, 'listAlbums');
  const onopen = vi.fn();
  const scanner = new FolderScanner(fake);
  const result = render(AlbumGrid, { backend: fake, locale, scanner, onopen });
  await waitFor(() => expect(screen.queryByText('Loading albums…')).toBeNull());
  return { ...result, fake, listAlbums, onopen };
}

function cards() {
  return document.querySelectorAll('[data-album-id]');
}

function count() {
  return screen.getByTestId('album-count').textContent?.trim();
}

function search(value: string) {
  return fireEvent.input(screen.getByRole('searchbox', { name: 'Search albums, artists and tracks' }), {
    target: { value },
  });
}

describe('AlbumGrid', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
    FakeObserver.last = null;
  });

  it('shows the first page with covers, titles, artists, years, track counts and lyrics coverage', async () => {
    const { fake, listAlbums } = await setup();
    expect(listAlbums).toHaveBeenCalledWith('', 0, PAGE_SIZE, null);
    expect(count()).toBe('150 albums');
    expect(cards()).toHaveLength(PAGE_SIZE);
    const first = (await fake.listAlbums('', 0, 1)).albums[0];
    const card = cards()[0] as HTMLElement;
    expect(within(card).getByRole('button', { name: `${first.title} by ${first.album_artist}` })).toBeTruthy();
    expect(card.textContent).toContain(first.album_artist);
    expect(card.textContent).toContain(`${first.track_count} tracks`);
    if (first.year !== null) expect(card.textContent).toContain(String(first.year));
    expect(card.textContent).toContain(`Lyrics for ${first.lyrics_available} of ${first.track_count} tracks`);
  });

  it('lazy-loads thumbnails with alt text and a fixed size, and a placeholder without artwork', async () => {
    const { fake } = await setup();
    const artworkUrl = vi.spyOn(fake, 'artworkUrl');
    const albums = (await fake.listAlbums('', 0, PAGE_SIZE)).albums;
    const images = [...document.querySelectorAll('img')];
    expect(images.length).toBe(albums.filter((a) => a.artwork).length);
    for (const img of images) {
      expect(img.getAttribute('loading')).toBe('lazy');
      expect(img.getAttribute('width')).toBe('256');
      expect(img.getAttribute('height')).toBe('256');
      expect(img.getAttribute('alt')).toMatch(/ by /);
    }
    const bare = albums.find((a) => a.artwork === null)!;
    const placeholder = within(document.querySelector(`[data-album-id="${bare.id}"]`) as HTMLElement).getByRole('img', {
      name: `${bare.title} by ${bare.album_artist}`,
    });
    expect(placeholder.tagName).toBe('DIV');
    expect(placeholder.textContent?.trim()).toMatch(/^\p{Lu}{1,2}$/u);
    // The thumbnail when there is one, else the full image.
    artworkUrl.mockClear();
    const noThumb = albums.find((a) => a.artwork && !a.artwork.has_thumbnail);
    const thumb = albums.find((a) => a.artwork?.has_thumbnail);
    const { container } = render(AlbumGrid, { backend: fake, locale, onopen: () => {} });
    await waitFor(() => expect(container.querySelectorAll('img').length).toBeGreaterThan(0));
    if (noThumb) expect(artworkUrl).toHaveBeenCalledWith(noThumb.artwork!.id, 'full');
    expect(artworkUrl).toHaveBeenCalledWith(thumb!.artwork!.id, 'thumb');
  });

  it('loads more with the button until every album is shown', async () => {
    const { listAlbums } = await setup();
    expect(screen.getByText('Showing 60 of 150 albums')).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(cards()).toHaveLength(120));
    expect(listAlbums).toHaveBeenLastCalledWith('', 60, PAGE_SIZE, null);
    await fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(cards()).toHaveLength(150));
    expect(screen.queryByRole('button', { name: 'Load more' })).toBeNull();
    expect(new Set([...cards()].map((c) => c.getAttribute('data-album-id'))).size).toBe(150);
  });

  it('loads the next page by itself when the end of the grid comes near, and only as needed', async () => {
    vi.stubGlobal('IntersectionObserver', FakeObserver);
    FakeObserver.pagesInReach = 0;
    const { listAlbums } = await setup({ albums: 400 });
    expect(FakeObserver.last).not.toBeNull();
    FakeObserver.last!.near(true);
    await waitFor(() => expect(cards()).toHaveLength(120));
    // The new cards pushed the end away: no more pages until it comes near again.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(listAlbums).toHaveBeenCalledTimes(2);
    // A tall window: the end stays in reach for two more pages.
    FakeObserver.pagesInReach = 2;
    FakeObserver.last!.near(true);
    await waitFor(() => expect(cards()).toHaveLength(300));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(listAlbums).toHaveBeenCalledTimes(5);
  });

  it('searches after a pause in typing, from the first page', async () => {
    const { listAlbums } = await setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(cards()).toHaveLength(120));
    listAlbums.mockClear();
    await search('n');
    await search('ni');
    await search('nina');
    expect(listAlbums).not.toHaveBeenCalled();
    await waitFor(() => expect(listAlbums).toHaveBeenCalledTimes(1), { timeout: SEARCH_DEBOUNCE_MS * 5 });
    expect(listAlbums).toHaveBeenCalledWith('nina', 0, PAGE_SIZE, null);
    await waitFor(() => expect(count()).toMatch(/^\d+ albums? matching “nina”$/));
    const total = Number(count()!.split(' ')[0]);
    expect(total).toBeGreaterThan(0);
    expect(cards().length).toBe(Math.min(total, PAGE_SIZE));
  });

  it('searches at once on Enter, and says when nothing matches', async () => {
    const { listAlbums } = await setup();
    await search('zzz nothing');
    await fireEvent.submit(screen.getByRole('search'));
    expect(listAlbums).toHaveBeenLastCalledWith('zzz nothing', 0, PAGE_SIZE, null);
    await screen.findByText('No album, artist or track matches “zzz nothing”.');
    expect(count()).toBe('0 albums matching “zzz nothing”');
    expect(cards()).toHaveLength(0);
  });

  it('keeps only the answer to the latest search', async () => {
    const { fake, listAlbums } = await setup();
    let releaseSlow: (page: AlbumPage) => void = () => {};
    const slow = new Promise<AlbumPage>((resolve) => (releaseSlow = resolve));
    listAlbums.mockImplementationOnce(() => slow);
    await search('slow');
    await fireEvent.submit(screen.getByRole('search'));
    await search('nina');
    await fireEvent.submit(screen.getByRole('search'));
    await waitFor(() => expect(count()).toMatch(/matching “nina”/));
    releaseSlow(await fake.listAlbums('', 0, PAGE_SIZE));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(count()).toMatch(/matching “nina”/);
  });

  it('opens an album from its button', async () => {
    const { onopen, fake } = await setup();
    const first = (await fake.listAlbums('', 0, 1)).albums[0];
    await fireEvent.click(within(cards()[0] as HTMLElement).getByRole('button'));
    expect(onopen).toHaveBeenCalledWith(first);
  });

  it('offers to choose a music folder when the library is empty', async () => {
    await setup({ albums: 0 });
    expect(screen.getByText('No music imported yet')).toBeTruthy();
    expect(screen.getByRole('button', { name: 'Choose your music folder' })).toBeTruthy();
    expect(count()).toBe('0 albums');
  });

  it('shows a load error with retry, and a failed "load more" with try again', async () => {
    const fake = new FakeBackend({ albums: 150 });
    const listAlbums = vi.spyOn(fake, 'listAlbums').mockRejectedValueOnce(new BackendError('database', 'locked'));
    render(AlbumGrid, { backend: fake, locale, onopen: () => {} });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the albums');
    await fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(cards()).toHaveLength(60));
    listAlbums.mockRejectedValueOnce(new BackendError('database', 'busy'));
    await fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await screen.findByText(/Could not load more albums: busy/);
    await fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    await waitFor(() => expect(cards()).toHaveLength(120));
  });

  it('reloads what it shows, quietly, when the refresh token changes', async () => {
    const { listAlbums, rerender } = await setup();
    await fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(cards()).toHaveLength(120));
    await rerender({ refreshToken: 1 });
    await waitFor(() => expect(listAlbums).toHaveBeenLastCalledWith('', 0, 120, null));
    expect(cards()).toHaveLength(120);
    expect(screen.queryByText('Loading albums…')).toBeNull();
  });

  it('filters by what albums miss, with the search, and pages within the filter', async () => {
    const { fake, listAlbums } = await setup();
    const expected = (await fake.listAlbums('', 0, 1000, 'artwork')).total;
    listAlbums.mockClear();
    await fireEvent.click(screen.getByRole('radio', { name: 'No cover' }));
    expect(listAlbums).toHaveBeenLastCalledWith('', 0, PAGE_SIZE, 'artwork');
    await waitFor(() => expect(count()).toBe(`${expected} albums without a cover`));
    for (const card of cards()) expect(card.querySelector('[data-placeholder]')).not.toBeNull();
    expect((screen.getByRole('radio', { name: 'No cover' }) as HTMLInputElement).checked).toBe(true);

    await fireEvent.click(screen.getByRole('radio', { name: 'No lyrics' }));
    await waitFor(() => expect(count()).toMatch(/^\d+ albums missing lyrics$/));
    if (screen.queryByRole('button', { name: 'Load more' })) {
      await fireEvent.click(screen.getByRole('button', { name: 'Load more' }));
      expect(listAlbums).toHaveBeenLastCalledWith('', PAGE_SIZE, PAGE_SIZE, 'lyrics');
    }
    await search('nina');
    await fireEvent.submit(screen.getByRole('search'));
    expect(listAlbums).toHaveBeenLastCalledWith('nina', 0, PAGE_SIZE, 'lyrics');
    await waitFor(() => expect(count()).toMatch(/^\d+ albums? missing lyrics matching “nina”$/));

    await fireEvent.click(screen.getByRole('radio', { name: 'Both' }));
    expect(listAlbums).toHaveBeenLastCalledWith('nina', 0, PAGE_SIZE, 'both');
    await fireEvent.click(screen.getByRole('radio', { name: 'All' }));
    expect(listAlbums).toHaveBeenLastCalledWith('nina', 0, PAGE_SIZE, null);
    await waitFor(() => expect(count()).toMatch(/^\d+ albums? matching “nina”$/));
  });

  it('says so when no album misses what the filter asks for', async () => {
    const fake = new FakeBackend({ albums: 10 });
    vi.spyOn(fake, 'listAlbums').mockImplementation(async (_q, _o, _l, missing) =>
      missing ? { albums: [], total: 0 } : { albums: [], total: 10 },
    );
    render(AlbumGrid, { backend: fake, locale, onopen: () => {} });
    await fireEvent.click(await screen.findByRole('radio', { name: 'No cover' }));
    await screen.findByText('Every album has a cover.');
    expect(screen.queryByText('No music imported yet')).toBeNull();
    await search('nina');
    await fireEvent.submit(screen.getByRole('search'));
    await screen.findByText('No album without a cover matches “nina”.');
  });

  it('has one Tab stop, moved with the arrow keys, Home and End', async () => {
    // A grid 3 columns wide, as the resize observer reports it.
    class Resize {
      constructor(private readonly callback: ResizeObserverCallback) {}
      observe() {
        const width = 3 * 160 + 2 * 16;
        this.callback([{ contentRect: { width } } as ResizeObserverEntry], this as unknown as ResizeObserver);
      }
      unobserve() {}
      disconnect() {}
    }
    vi.stubGlobal('ResizeObserver', Resize);
    const { onopen } = await setup();
    const buttons = () => [...cards()].map((card) => card.querySelector('button.open') as HTMLButtonElement);
    const stops = () => buttons().filter((b) => b.tabIndex === 0);
    expect(stops()).toEqual([buttons()[0]]);
    expect(buttons()[1].tabIndex).toBe(-1);
    buttons()[0].focus();
    await fireEvent.keyDown(buttons()[0], { key: 'ArrowRight' });
    expect(document.activeElement).toBe(buttons()[1]);
    expect(stops()).toEqual([buttons()[1]]);
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(buttons()[4]);
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowLeft' });
    expect(document.activeElement).toBe(buttons()[3]);
    await fireEvent.keyDown(document.activeElement!, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(buttons()[0]);
    await fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toBe(buttons()[PAGE_SIZE - 1]);
    await fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(document.activeElement).toBe(buttons()[0]);
    // Enter is the button's own: it opens the album.
    await fireEvent.click(document.activeElement!);
    expect(onopen).toHaveBeenCalledOnce();
    // Blocks of whole rows: 3 columns × BLOCK_ROWS.
    const blocks = document.querySelectorAll('[data-album-block]');
    expect(blocks[0].querySelectorAll('[data-album-id]')).toHaveLength(3 * BLOCK_ROWS);
  });
});

describe('AlbumGrid layout rules', () => {
  it('counts the columns auto-fill makes', () => {
    expect(columnsFor(100)).toBe(1);
    expect(columnsFor(160)).toBe(1);
    expect(columnsFor(336)).toBe(2);
    expect(columnsFor(1391)).toBe(7);
    expect(columnsFor(1392)).toBe(8);
  });

  it('moves by one, by a row, and to the ends, never outside', () => {
    expect(moveIndex('ArrowRight', 4, 10, 3)).toBe(5);
    expect(moveIndex('ArrowRight', 9, 10, 3)).toBe(9);
    expect(moveIndex('ArrowLeft', 0, 10, 3)).toBe(0);
    expect(moveIndex('ArrowDown', 4, 10, 3)).toBe(7);
    expect(moveIndex('ArrowDown', 8, 10, 3)).toBe(8);
    expect(moveIndex('ArrowUp', 4, 10, 3)).toBe(1);
    expect(moveIndex('ArrowUp', 1, 10, 3)).toBe(1);
    expect(moveIndex('Home', 4, 10, 3)).toBe(0);
    expect(moveIndex('End', 4, 10, 3)).toBe(9);
    expect(moveIndex('a', 4, 10, 3)).toBeNull();
  });
});
