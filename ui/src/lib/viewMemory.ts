/** Where the app keeps the view shown last, so a restart opens on it. */
export const VIEW_STORAGE_KEY = 'gatefold.view';

/** The part of `Storage` the memory uses (tests pass a plain object). */
export type ViewStorage = Pick<Storage, 'getItem' | 'setItem'>;

/**
 * The browser's `localStorage`, or `null` where there is none or it may not be used (a
 * sandboxed or private context throws on access): the app then opens on its first view.
 */
export function defaultViewStorage(): ViewStorage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

/**
 * The view stored last, if it is one of `views`; else `fallback`. A value stored by another
 * version (a view renamed or removed) or garbage falls back rather than showing nothing.
 */
export function loadView<V extends string>(storage: ViewStorage | null, views: readonly V[], fallback: V): V {
  let stored: string | null;
  try {
    stored = storage?.getItem(VIEW_STORAGE_KEY) ?? null;
  } catch {
    return fallback;
  }
  return stored !== null && (views as readonly string[]).includes(stored) ? (stored as V) : fallback;
}

/** Remembers `view`; a storage that refuses (full, disabled) only loses the memory. */
export function saveView(storage: ViewStorage | null, view: string): void {
  try {
    storage?.setItem(VIEW_STORAGE_KEY, view);
  } catch {
    // Not worth telling anyone: the next start opens on the Library.
  }
}
