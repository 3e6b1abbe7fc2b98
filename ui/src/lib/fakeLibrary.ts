// The fake backend's music library: albums, tracks and lyrics generated from their ids, so
// 10,000 albums cost little memory and the same id always gives the same album. Sorted, paged
// and searched like the engine's `albums_page` (crates/engine/src/db/browse.rs).

import type { AlbumCard } from '../bindings/AlbumCard';
import type { AlbumPage } from '../bindings/AlbumPage';
import type { LibrarySummary } from '../bindings/LibrarySummary';
import type { LyricsStatus } from '../bindings/LyricsStatus';
import type { TrackListItem } from '../bindings/TrackListItem';
import type { TrackLyrics } from '../bindings/TrackLyrics';
import type { WriteTarget } from '../bindings/WriteTarget';
import type { ArtworkSize, MissingFilter } from './backend';
import {
  ARTISTS,
  FAKE_LIBRARY_ALBUMS,
  NOUNS,
  WORDS,
  XSS_STRING,
  fakeAlbumArtist,
  fakeAlbumIsCompilation,
  fakeAlbumTitle,
  unit,
} from './fixtures';
import { formatLrcTime } from './lrc';

export { FAKE_LIBRARY_ALBUMS };

/** Where the fake "finds" music. */
export const FAKE_MUSIC_FOLDER = '/home/me/Music';

/** Track ids are `album id * TRACK_ID_BASE + position` (position 1..99). */
const TRACK_ID_BASE = 100;

const HOSTILE_ARTIST = 'Test Pattern';
const ARTWORK_SOURCES = ['embedded', 'folder', 'coverartarchive', 'itunes', 'deezer'];
const ARTWORK_SIZES = [1200, 1000, 600, 500];
const FORMATS = ['flac', 'mp3', 'm4a', 'ogg', 'opus'];

const LYRIC_LINES = [
  'Streetlights hum a song I used to know',
  'Every window holds a different glow',
  'We were running where the rivers bend',
  'Counting echoes till the very end',
  'Paper boats along the harbour wall',
  'Nobody answered when I called',
  'Hold the silence like a lantern light',
  'Carry me across the summer night',
  'All the static fading into blue',
  'Every road I take leads back to you',
  'Glass and thunder, velvet and the rain',
  'Say it softly, say it once again',
  'Morning finds us on the northern line',
  'Letters written in a borrowed time',
  'Golden fields beneath a silver sky',
  'Learning how to let the hours go by',
];

const CHORUS = 'Oh, the tide comes in, the tide goes out';

interface AlbumSpec {
  card: AlbumCard;
  discs: 1 | 2;
  compilation: boolean;
  format: string;
  /** The album with markup in its tags and its first track's lyrics (the `xss` scenario). */
  hostile: boolean;
}

interface TrackSpec {
  item: TrackListItem;
  album: AlbumSpec;
  position: number;
}

function albumSpec(id: number, hostile: boolean): AlbumSpec {
  const compilation = fakeAlbumIsCompilation(id);
  const trackCount = 5 + ((id * 7) % 10);
  const size = ARTWORK_SIZES[id % ARTWORK_SIZES.length];
  const card: AlbumCard = {
    id,
    title: fakeAlbumTitle(id),
    album_artist: fakeAlbumArtist(id),
    year: id % 13 === 0 ? null : 1965 + ((id * 7) % 58),
    track_count: trackCount,
    lyrics_available: 0,
    artwork:
      id % 6 === 2
        ? null
        : {
            id: 5000 + id,
            width: size,
            height: size,
            mime: id % 4 === 0 ? 'image/png' : 'image/jpeg',
            source: ARTWORK_SOURCES[id % ARTWORK_SOURCES.length],
            has_thumbnail: id % 9 !== 4,
          },
  };
  const spec: AlbumSpec = {
    card,
    discs: trackCount >= 12 && id % 3 === 0 ? 2 : 1,
    compilation,
    format: FORMATS[id % FORMATS.length],
    hostile: hostile && id === 1,
  };
  if (spec.hostile) {
    // Markup in tags must show as text everywhere (titles, alt text, lyrics).
    card.title = XSS_STRING;
    card.album_artist = HOSTILE_ARTIST;
    spec.compilation = false;
  }
  card.lyrics_available = positions(spec).filter((n) => lyricsKind(spec, n).status === 'available').length;
  return spec;
}

function positions(album: AlbumSpec): number[] {
  return Array.from({ length: album.card.track_count }, (_, i) => i + 1);
}

interface LyricsKind {
  status: LyricsStatus;
  synced: boolean;
  source: string | null;
}

function lyricsKind(album: AlbumSpec, position: number): LyricsKind {
  const id = album.card.id;
  if (album.hostile && position === 1) {
    return { status: 'available', synced: true, source: 'lrclib' };
  }
  // A fifth of the albums were enriched already: every track has lyrics or is instrumental
  // (so the "No lyrics" filter leaves them out).
  const complete = id % 5 === 1;
  const roll = complete ? unit(id, position, 2) * 0.58 : unit(id, position, 2);
  const source = ['lrclib', 'lrclib', 'sidecar', 'embedded'][Math.floor(unit(id, position, 3) * 4)];
  if (roll < 0.35) return { status: 'available', synced: true, source };
  if (roll < 0.5) return { status: 'available', synced: false, source };
  if (roll < 0.58) return { status: 'instrumental', synced: false, source: 'lrclib' };
  if (roll < 0.68) return { status: 'unavailable', synced: false, source: null };
  if (roll < 0.72) return { status: 'failed', synced: false, source: null };
  return { status: 'not_fetched', synced: false, source: null };
}

/** A track's title and artist: all the search needs, so it is cheap for 100,000 tracks. */
function trackNames(album: AlbumSpec, position: number): { title: string; artist: string } {
  const { card } = album;
  const id = card.id;
  const guest = ARTISTS[(id + position * 5) % ARTISTS.length];
  let artist = card.album_artist;
  if (album.compilation) artist = ARTISTS[(id + position * 3) % ARTISTS.length];
  else if ((id + position) % 9 === 0 && guest !== artist) artist = `${artist} feat. ${guest}`;
  const title =
    album.hostile && position === 1
      ? XSS_STRING
      : `${WORDS[(id * 3 + position * 7) % WORDS.length]} ${NOUNS[(id + position * 4) % NOUNS.length]}`;
  return { title, artist };
}

function trackSpec(album: AlbumSpec, position: number): TrackSpec {
  const { card } = album;
  const id = card.id;
  const perDisc = Math.ceil(card.track_count / album.discs);
  const disc = Math.floor((position - 1) / perDisc) + 1;
  const { title, artist } = trackNames(album, position);
  const lyrics = lyricsKind(album, position);
  return {
    album,
    position,
    item: {
      id: id * TRACK_ID_BASE + position,
      title,
      artist,
      track_number: (id * position) % 41 === 40 ? null : position - (disc - 1) * perDisc,
      disc_number: album.discs === 2 ? disc : id % 2 === 0 ? 1 : null,
      duration_ms: (id * position) % 53 === 7 ? null : 95_000 + Math.floor(unit(id, position, 1) * 300_000),
      format: album.format,
      has_artwork: card.artwork !== null,
      lyrics_status: lyrics.status,
      lyrics_source: lyrics.status === 'available' || lyrics.status === 'instrumental' ? lyrics.source : null,
      lyrics_synced: lyrics.synced,
    },
  };
}

/** The lines of a track's lyrics, with their times (ms), in time order; the chorus comes twice. */
function lyricLines(track: TrackSpec): { timeMs: number; text: string }[] {
  const id = track.item.id;
  const hostile = track.album.hostile && track.position === 1;
  const count = 8 + Math.floor(unit(id, 5) * 8);
  const lines: { timeMs: number; text: string }[] = [];
  let time = 8_000 + Math.floor(unit(id, 6) * 7_000);
  for (let k = 0; k < count; k += 1) {
    let text = LYRIC_LINES[(id + k * 3) % LYRIC_LINES.length];
    if (k === 3 || k === count - 2) text = CHORUS;
    // An empty timed line: an instrumental break.
    if (k === 5) text = '';
    if (hostile && k === 1) text = XSS_STRING;
    lines.push({ timeMs: time, text });
    time += 2_500 + Math.floor(unit(id, k, 7) * 3_500);
  }
  return lines;
}

/**
 * LRC as LRCLIB and sidecar files have it: ID tags, then timed lines; the chorus is written once
 * with both of its timestamps (as many files do), so the parser has to sort.
 */
function syncedLyrics(track: TrackSpec, album: string, lines: { timeMs: number; text: string }[]): string {
  const stamp = (ms: number) => `[${formatLrcTime(ms)}]`;
  const chorusTimes = lines.filter((l) => l.text === CHORUS).map((l) => stamp(l.timeMs));
  const body: string[] = [];
  let chorusWritten = false;
  for (const line of lines) {
    if (line.text === CHORUS) {
      if (!chorusWritten) body.push(`${chorusTimes.join('')}${CHORUS}`);
      chorusWritten = true;
    } else {
      body.push(`${stamp(line.timeMs)}${line.text}`);
    }
  }
  const length = track.item.duration_ms ?? 0;
  return [
    `[ar:${track.item.artist}]`,
    `[ti:${track.item.title}]`,
    `[al:${album}]`,
    `[length:${formatLrcTime(length).slice(0, 5)}]`,
    ...body,
  ].join('\n');
}

function plainLyrics(lines: { text: string }[]): string {
  // Stanzas of four lines; the instrumental break is not in the plain text.
  const texts = lines.map((l) => l.text).filter((t) => t !== '');
  const stanzas: string[] = [];
  for (let i = 0; i < texts.length; i += 4) stanzas.push(texts.slice(i, i + 4).join('\n'));
  return stanzas.join('\n\n');
}

/**
 * The engine's order: album artist, year (unknown first), title, id. A sort key per album and
 * plain comparisons (not `localeCompare`, which is slow for 10,000 albums).
 */
function sortKey(card: AlbumCard): string {
  const year = String(card.year ?? 0).padStart(4, '0');
  return `${card.album_artist.toLowerCase()}\u0000${year}\u0000${card.title.toLowerCase()}\u0000${String(card.id).padStart(8, '0')}`;
}

/** Artwork sources that mean "already on disk": the engine never writes them back. */
const LOCAL_ARTWORK = new Set(['embedded', 'folder']);

/** A file a write-back of the fake music folder would write, and why it is left alone, if it is. */
export interface WriteBackCandidate {
  path: string;
  target: WriteTarget;
  /** Worded as the engine words it (`crates/engine/src/writeback`); `null`: it is written. */
  skip: string | null;
}

/** `/home/me/Music/<album artist>/<title>`, and `CD<n>` inside it for a two-disc album. */
function albumFolder(card: AlbumCard, disc: number | null): string {
  const folder = `${FAKE_MUSIC_FOLDER}/${card.album_artist}/${card.title}`;
  return disc === null ? folder : `${folder}/CD${disc}`;
}

/** Where a track's file is: `<album folder>/<NN> <title>.<format>`. */
function trackPath(track: TrackSpec): string {
  const { album, item } = track;
  const number = String(item.track_number ?? track.position).padStart(2, '0');
  return `${albumFolder(album.card, album.discs === 2 ? item.disc_number : null)}/${number} ${item.title}.${album.format}`;
}

/** The user's own files that keep album `id`'s folder from getting a cover (sidecar), by id. */
function folderCoverSkip(id: number, folder: string, target: string, source: string | null): string | null {
  if (id % 17 === 8) return `the folder ${folder} is read-only`;
  if (source === 'folder' || id % 11 === 3) return 'the folder already has a cover image of its own';
  if (id % 7 === 0) return `${target} already exists and is not Gatefold's (overwrite replaces it)`;
  return null;
}

/** Why a track's file of album `id` takes no cover in its tags, by id. */
function embeddedCoverSkip(id: number, path: string): string | null {
  if (id % 17 === 8) return `${path} is read-only`;
  if (id % 7 === 0) return 'the file already has a front cover of its own (overwrite replaces them)';
  return null;
}

/** Why a track (`seed` 0..1) of album `id` gets no lyrics written, in either mode. */
function lyricsSkip(id: number, mode: 'sidecar' | 'embed', path: string, target: string, seed: number): string | null {
  if (id % 17 === 8) return mode === 'sidecar' ? `the folder ${dirname(path)} is read-only` : `${path} is read-only`;
  if (seed >= 0.05) return null;
  return mode === 'sidecar'
    ? `${target} already exists and is not Gatefold's (overwrite replaces it)`
    : 'the file already has lyrics of its own (overwrite replaces them)';
}

function dirname(path: string): string {
  return path.slice(0, path.lastIndexOf('/'));
}

/** `song.flac` → `song.lrc`. */
function withExtension(path: string, extension: string): string {
  const dot = path.lastIndexOf('.');
  return `${dot > path.lastIndexOf('/') ? path.slice(0, dot) : path}.${extension}`;
}

/** A cover in `folder` named by the image's type, as the engine names it. */
function coverName(mime: string | null): string {
  return mime === 'image/png' ? 'cover.png' : 'cover.jpg';
}

/**
 * The cover a write-back would give `folder` (sidecar) or a track's file (embed) for album
 * `albumId` of the default library, whose artwork a provider found.
 */
export function coverCandidate(
  mode: 'sidecar' | 'embed',
  albumId: number,
  path: string,
  mime: string | null = null,
  source: string | null = null,
): WriteBackCandidate {
  if (mode === 'embed') return { path, target: 'embedded_cover', skip: embeddedCoverSkip(albumId, path) };
  const target = `${path}/${coverName(mime)}`;
  return { path: target, target: 'cover_file', skip: folderCoverSkip(albumId, path, target, source) };
}

/**
 * The lyrics a write-back would write for a track of album `albumId` at `path`: an `.lrc` (synced)
 * or `.txt` beside it, or into its tags.
 */
export function lyricsCandidate(
  mode: 'sidecar' | 'embed',
  albumId: number,
  path: string,
  synced: boolean,
  seed: number,
): WriteBackCandidate {
  if (mode === 'embed') {
    return { path, target: 'embedded_lyrics', skip: lyricsSkip(albumId, mode, path, path, seed) };
  }
  const target = withExtension(path, synced ? 'lrc' : 'txt');
  return { path: target, target: 'lyrics_file', skip: lyricsSkip(albumId, mode, path, target, seed) };
}

/** A generated library of `albums` albums (ids 1..albums). */
export class FakeLibrary {
  private readonly specs: AlbumSpec[];
  private readonly byId = new Map<number, AlbumSpec>();
  /** Lower-cased search text per album, parallel to `specs`; built on the first search. */
  private haystacks: string[] | null = null;
  private lastSearch: { query: string; matches: AlbumSpec[] } | null = null;
  /** Whether an album has a track without lyrics, by album id; filled as albums are asked about. */
  private readonly lyricsMissing = new Map<number, boolean>();

  /** `hostile`: album 1 has markup in its tags and in its first track's lyrics. */
  constructor(albums: number, hostile = false) {
    const keyed = Array.from({ length: albums }, (_, i) => {
      const spec = albumSpec(i + 1, hostile);
      return { spec, key: sortKey(spec.card) };
    });
    keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    this.specs = keyed.map(({ spec }) => spec);
    for (const spec of this.specs) this.byId.set(spec.card.id, spec);
  }

  get albums(): number {
    return this.specs.length;
  }

  get tracks(): number {
    return this.specs.reduce((sum, spec) => sum + spec.card.track_count, 0);
  }

  /**
   * Albums matching `query` like the engine's search, and lacking what `missing` says:
   * `limit` from `offset`, and the total.
   */
  page(query: string, offset: number, limit: number, missing: MissingFilter | null = null): AlbumPage {
    const searched = this.matching(query.trim().toLowerCase());
    const matches = missing === null ? searched : searched.filter((spec) => this.lacks(spec, missing));
    const start = Math.max(0, Math.floor(offset));
    const albums = matches
      .slice(start, start + Math.max(0, Math.floor(limit)))
      .map((spec) => structuredClone(spec.card));
    return { albums, total: matches.length };
  }

  private matching(query: string): AlbumSpec[] {
    // Built on the first page, even unsearched: the fake searches on the UI thread (the engine
    // does it in SQL), and building the text of 100,000 tracks while the user types would
    // freeze a frame that the first page can afford.
    const haystacks = (this.haystacks ??= this.specs.map((spec) => {
      let text = `${spec.card.title}\n${spec.card.album_artist}`;
      for (let n = 1; n <= spec.card.track_count; n += 1) {
        const { title, artist } = trackNames(spec, n);
        text += `\n${title}\n${artist}`;
      }
      return text.toLowerCase();
    }));
    if (query === '') return this.specs;
    if (this.lastSearch?.query === query) return this.lastSearch.matches;
    const matches = this.specs.filter((_, i) => haystacks[i].includes(query));
    this.lastSearch = { query, matches };
    return matches;
  }

  /**
   * Like the engine's filter: `artwork`, no artwork; `lyrics`, a track whose lyrics are neither
   * available nor instrumental (not fetched, not found, failed...); `both`, the two at once.
   */
  private lacks(spec: AlbumSpec, missing: MissingFilter): boolean {
    const noArtwork = spec.card.artwork === null;
    if (missing === 'artwork') return noArtwork;
    if (missing === 'both' && !noArtwork) return false;
    let noLyrics = this.lyricsMissing.get(spec.card.id);
    if (noLyrics === undefined) {
      noLyrics = positions(spec).some((n) => {
        const { status } = lyricsKind(spec, n);
        return status !== 'available' && status !== 'instrumental';
      });
      this.lyricsMissing.set(spec.card.id, noLyrics);
    }
    return noLyrics;
  }

  /** One album's card, `null` for an unknown album. */
  card(albumId: number): AlbumCard | null {
    const album = this.byId.get(albumId);
    return album ? structuredClone(album.card) : null;
  }

  /** An album's tracks in disc and track order, `null` for an unknown album. */
  albumTracks(albumId: number): TrackListItem[] | null {
    const album = this.byId.get(albumId);
    return album ? positions(album).map((n) => trackSpec(album, n).item) : null;
  }

  /** A track with its lyrics, `null` for an unknown track. */
  trackLyrics(trackId: number): TrackLyrics | null {
    const album = this.byId.get(Math.floor(trackId / TRACK_ID_BASE));
    const position = trackId % TRACK_ID_BASE;
    if (!album || position < 1 || position > album.card.track_count) return null;
    const track = trackSpec(album, position);
    const { item } = track;
    const lines = item.lyrics_status === 'available' ? lyricLines(track) : [];
    return {
      track_id: item.id,
      title: item.title,
      artist: item.artist,
      album: album.card.title,
      lyrics_status: item.lyrics_status,
      plain: lines.length > 0 ? plainLyrics(lines) : null,
      synced: lines.length > 0 && item.lyrics_synced ? syncedLyrics(track, album.card.title, lines) : null,
      source: item.lyrics_source,
    };
  }

  /** The counts the library card shows, from the generated tracks. */
  summary(): LibrarySummary {
    const lyrics: LibrarySummary['lyrics'] = {
      not_fetched: 0,
      fetching: 0,
      available: 0,
      instrumental: 0,
      unavailable: 0,
      failed: 0,
    };
    const artists = new Set<string>();
    let tracks = 0;
    let artworkMissing = 0;
    for (const album of this.specs) {
      for (const n of positions(album)) {
        const { item } = trackSpec(album, n);
        tracks += 1;
        artists.add(item.artist);
        if (!item.has_artwork) artworkMissing += 1;
        lyrics[item.lyrics_status] = (lyrics[item.lyrics_status] ?? 0) + 1;
      }
    }
    return { tracks, albums: this.specs.length, artists: artists.size, artwork_missing: artworkMissing, lyrics };
  }

  /**
   * What a write-back in `mode` would write for the library as it is, in the engine's order:
   * the covers (one per album folder, or one per track when embedding) of albums whose artwork
   * a provider found, then the lyrics of each track whose lyrics came from LRCLIB. What was on
   * disk already (embedded, folder, sidecar) is the user's and never written back.
   */
  writeBackCandidates(mode: 'sidecar' | 'embed'): { covers: WriteBackCandidate[]; lyrics: WriteBackCandidate[] } {
    const covers: WriteBackCandidate[] = [];
    const lyrics: WriteBackCandidate[] = [];
    for (const album of this.specs) {
      const { card } = album;
      const art = card.artwork !== null && !LOCAL_ARTWORK.has(card.artwork.source) ? card.artwork : null;
      const tracks = positions(album).map((n) => trackSpec(album, n));
      if (art !== null) {
        const places =
          mode === 'embed'
            ? tracks.map(trackPath)
            : [...new Set(tracks.map((t) => albumFolder(card, album.discs === 2 ? t.item.disc_number : null)))];
        for (const place of places) covers.push(coverCandidate(mode, card.id, place, art.mime, art.source));
      }
      for (const track of tracks) {
        const kind = lyricsKind(album, track.position);
        if (kind.status !== 'available' || kind.source !== 'lrclib') continue;
        const seed = unit(track.item.id, 9);
        lyrics.push(lyricsCandidate(mode, card.id, trackPath(track), kind.synced, seed));
      }
    }
    return { covers, lyrics };
  }
}

/** An sRGB colour from hue (degrees), saturation and lightness (0..1). */
function hsl(hue: number, saturation: number, lightness: number): [number, number, number] {
  const a = saturation * Math.min(lightness, 1 - lightness);
  const channel = (n: number) => {
    const k = (n + hue / 30) % 12;
    return Math.round(255 * (lightness - a * Math.max(-1, Math.min(k - 3, 9 - k, 1))));
  };
  return [channel(0), channel(8), channel(4)];
}

/**
 * A 2×2 24-bit BMP (top-left, top-right, bottom-left, bottom-right), which the browser scales up
 * into a smooth four-corner gradient. A raster image on purpose: browsers decode those off the
 * main thread, like the real JPEG/PNG thumbnails, whereas every SVG image is a document parsed
 * on it (hundreds of SVG covers make scrolling stutter).
 */
function bmp2x2(pixels: [number, number, number][]): string {
  const rowBytes = 8; // 2 pixels × 3 bytes, padded to a multiple of 4
  const data = 54 + rowBytes * 2;
  const bytes = new Uint8Array(data);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]); // "BM"
  view.setUint32(2, data, true);
  view.setUint32(10, 54, true); // pixel data offset
  view.setUint32(14, 40, true); // BITMAPINFOHEADER
  view.setInt32(18, 2, true); // width
  view.setInt32(22, 2, true); // height (positive: bottom row first)
  view.setUint16(26, 1, true); // planes
  view.setUint16(28, 24, true); // bits per pixel
  view.setUint32(34, rowBytes * 2, true);
  const order = [pixels[2], pixels[3], pixels[0], pixels[1]];
  order.forEach(([r, g, b], i) => {
    const at = 54 + Math.floor(i / 2) * rowBytes + (i % 2) * 3;
    bytes.set([b, g, r], at);
  });
  return btoa(String.fromCharCode(...bytes));
}

/**
 * A cover as a `data:` URL (allowed by the app's CSP, `img-src 'self' data:`), its colours
 * derived from the artwork id, so every album looks different and always the same. The size is
 * kept in the fragment, which decoding ignores, so tests can tell a thumbnail from a full image.
 */
export function fakeArtworkUrl(artworkId: number, size: ArtworkSize): string {
  const hue = Math.floor(unit(artworkId, 11) * 360);
  const turn = 40 + Math.floor(unit(artworkId, 12) * 140);
  const corners: [number, number, number][] = [
    hsl(hue, 0.5, 0.45),
    hsl((hue + turn) % 360, 0.55, 0.55),
    hsl((hue + 360 - turn / 2) % 360, 0.45, 0.3),
    hsl((hue + turn / 2) % 360, 0.5, 0.22),
  ];
  return `data:image/bmp;base64,${bmp2x2(corners)}#${size}`;
}
