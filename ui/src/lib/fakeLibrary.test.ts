import { describe, expect, it } from 'vitest';
import { XSS_STRING } from './fixtures';
import { FakeLibrary, fakeArtworkUrl } from './fakeLibrary';
import { parseLrc } from './lrc';

describe('FakeLibrary', () => {
  const library = new FakeLibrary(48);

  it('pages albums sorted by album artist, year and title', () => {
    const all = library.page('', 0, 1000);
    expect(all.total).toBe(48);
    expect(all.albums).toHaveLength(48);
    const key = (a: (typeof all.albums)[number]) => [a.album_artist.toLowerCase(), a.year ?? -1, a.title.toLowerCase()];
    for (let i = 1; i < all.albums.length; i += 1) {
      const [a, b] = [key(all.albums[i - 1]), key(all.albums[i])];
      expect(a[0] < b[0] || (a[0] === b[0] && (a[1] < b[1] || (a[1] === b[1] && a[2] <= b[2])))).toBe(true);
    }
    const page = library.page('', 40, 60);
    expect(page.total).toBe(48);
    expect(page.albums.map((a) => a.id)).toEqual(all.albums.slice(40).map((a) => a.id));
    expect(library.page('', 100, 60).albums).toEqual([]);
  });

  it('has albums without artwork, without thumbnails, compilations and every lyrics state', () => {
    const albums = library.page('', 0, 100).albums;
    expect(albums.some((a) => a.artwork === null)).toBe(true);
    expect(albums.some((a) => a.artwork !== null && !a.artwork.has_thumbnail)).toBe(true);
    expect(albums.some((a) => a.album_artist === 'Various Artists')).toBe(true);
    const tracks = albums.flatMap((a) => library.albumTracks(a.id)!);
    const kinds = new Set(
      tracks.map((t) => (t.lyrics_status === 'available' ? `${t.lyrics_status}:${t.lyrics_synced}` : t.lyrics_status)),
    );
    for (const kind of ['available:true', 'available:false', 'instrumental', 'unavailable', 'failed', 'not_fetched']) {
      expect(kinds.has(kind), kind).toBe(true);
    }
    for (const album of albums) {
      const own = library.albumTracks(album.id)!;
      expect(own).toHaveLength(album.track_count);
      expect(album.lyrics_available).toBe(own.filter((t) => t.lyrics_status === 'available').length);
    }
  });

  it('searches titles, artists and track titles, case-insensitively', () => {
    const album = library.page('', 0, 1)!.albums[0];
    const track = library.albumTracks(album.id)![0];
    expect(library.page(album.title.toUpperCase(), 0, 60).albums.map((a) => a.id)).toContain(album.id);
    expect(library.page(`  ${track.title.toLowerCase()} `, 0, 60).albums.map((a) => a.id)).toContain(album.id);
    const byArtist = library.page('nina simone', 0, 60);
    expect(byArtist.total).toBeGreaterThan(0);
    expect(library.page('no such thing at all', 0, 60)).toEqual({ albums: [], total: 0 });
  });

  it('filters albums by what they miss, like the engine', () => {
    const all = library.page('', 0, 1000).albums;
    const lacksLyrics = (id: number) =>
      library.albumTracks(id)!.some((t) => t.lyrics_status !== 'available' && t.lyrics_status !== 'instrumental');
    const expected = {
      artwork: all.filter((a) => a.artwork === null),
      lyrics: all.filter((a) => lacksLyrics(a.id)),
      both: all.filter((a) => a.artwork === null && lacksLyrics(a.id)),
    };
    for (const missing of ['artwork', 'lyrics', 'both'] as const) {
      const page = library.page('', 0, 1000, missing);
      expect(
        page.albums.map((a) => a.id),
        missing,
      ).toEqual(expected[missing].map((a) => a.id));
      expect(page.total).toBe(expected[missing].length);
    }
    // Each filter keeps some albums and drops others, so the test means something.
    expect(expected.both.length).toBeGreaterThan(0);
    expect(expected.lyrics.length).toBeLessThan(all.length);
    expect(expected.artwork.length).toBeGreaterThan(expected.both.length);
    // An album whose tracks are all available or instrumental is not missing lyrics.
    const complete = all.find((a) => !lacksLyrics(a.id));
    expect(complete).toBeDefined();
    expect(library.page('', 0, 1000, 'lyrics').albums.map((a) => a.id)).not.toContain(complete!.id);
    // null is every album; paging and search work within the filter.
    expect(library.page('', 0, 1000, null).total).toBe(48);
    const second = library.page('', 2, 3, 'lyrics');
    expect(second.albums.map((a) => a.id)).toEqual(expected.lyrics.slice(2, 5).map((a) => a.id));
    const artist = expected.artwork[0].album_artist;
    const searched = library.page(artist, 0, 1000, 'artwork');
    expect(searched.albums.every((a) => a.artwork === null)).toBe(true);
    expect(searched.albums.map((a) => a.id)).toContain(expected.artwork[0].id);
  });

  it('gives lyrics matching the track list', () => {
    const albums = library.page('', 0, 100).albums;
    const tracks = albums.flatMap((a) => library.albumTracks(a.id)!);
    const synced = tracks.find((t) => t.lyrics_synced)!;
    const lyrics = library.trackLyrics(synced.id)!;
    expect(lyrics).toMatchObject({ track_id: synced.id, title: synced.title, lyrics_status: 'available' });
    const lines = parseLrc(lyrics.synced!);
    expect(lines.length).toBeGreaterThan(5);
    expect(lines.every((l) => l.timeMs !== null)).toBe(true);
    expect(lyrics.synced).toMatch(/^\[ar:/);
    expect(lyrics.plain).toBeTruthy();
    const plain = tracks.find((t) => t.lyrics_status === 'available' && !t.lyrics_synced)!;
    expect(library.trackLyrics(plain.id)).toMatchObject({ synced: null, plain: expect.any(String) });
    const instrumental = tracks.find((t) => t.lyrics_status === 'instrumental')!;
    expect(library.trackLyrics(instrumental.id)).toMatchObject({ synced: null, plain: null });
    expect(library.trackLyrics(999_999)).toBeNull();
    expect(library.trackLyrics(albums[0].id * 100 + 99)).toBeNull();
    expect(library.albumTracks(999_999)).toBeNull();
  });

  it('has a hostile album when asked', () => {
    const hostile = new FakeLibrary(10, true);
    const [album] = hostile.page('test pattern', 0, 60).albums;
    expect(album.title).toBe(XSS_STRING);
    const [track] = hostile.albumTracks(album.id)!;
    expect(track.title).toBe(XSS_STRING);
    expect(parseLrc(hostile.trackLyrics(track.id)!.synced!).map((l) => l.text)).toContain(XSS_STRING);
  });

  it('counts its summary from the tracks', () => {
    const summary = library.summary();
    expect(summary.albums).toBe(48);
    expect(summary.tracks).toBe(library.tracks);
    const lyrics = Object.values(summary.lyrics).reduce((a, b) => (a ?? 0) + (b ?? 0), 0);
    expect(lyrics).toBe(summary.tracks);
    expect(summary.artwork_missing).toBeGreaterThan(0);
  });

  it('pages and searches 10,000 albums', () => {
    const big = new FakeLibrary(10_000);
    expect(big.page('', 9_990, 60).albums).toHaveLength(10);
    const search = big.page('blue', 0, 60);
    expect(search.total).toBeGreaterThan(60);
    expect(big.page('blue', 60, 60).albums[0].id).not.toBe(search.albums[0].id);
  });

  it('draws covers as raster data: URLs, the same for the same id', () => {
    const url = fakeArtworkUrl(5001, 'thumb');
    expect(url).toMatch(/^data:image\/bmp;base64,[A-Za-z0-9+/]+=*#thumb$/);
    const bytes = Uint8Array.from(atob(url.slice('data:image/bmp;base64,'.length, url.indexOf('#'))), (c) =>
      c.charCodeAt(0),
    );
    expect(String.fromCharCode(bytes[0], bytes[1])).toBe('BM');
    expect(bytes.length).toBe(70);
    expect(fakeArtworkUrl(5001, 'full')).toBe(url.replace('#thumb', '#full'));
    expect(fakeArtworkUrl(5001, 'thumb')).toBe(url);
    expect(fakeArtworkUrl(5002, 'thumb')).not.toBe(url);
  });
});
