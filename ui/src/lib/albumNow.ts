import type { AlbumNow } from '../bindings/AlbumNow';

/** What the album view says once the engine answered `enrich_album_now`. */
export const ALBUM_NOW_TEXT: Record<AlbumNow, string> = {
  prioritized: 'Moved to the front of the running job',
  started: 'Started enriching this album',
};
