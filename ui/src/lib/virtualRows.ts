/**
 * Geometry of a virtualised list of fixed-height rows where at most one row is expanded: its
 * details take `extra` pixels below it, pushing every later row down. Pure arithmetic, so the
 * list never reads layout per row (and 20,000 rows cost nothing until they are drawn).
 */
export interface RowGeometry {
  /** Height of every row, in pixels. */
  rowHeight: number;
  /** The expanded row's index, or `null`. */
  expanded: number | null;
  /** Height of its details, in pixels (0 when none). */
  extra: number;
}

/** The top of row `index`. */
export function rowTop(index: number, g: RowGeometry): number {
  const below = g.expanded !== null && index > g.expanded;
  return index * g.rowHeight + (below ? g.extra : 0);
}

/** The height of `count` rows with the details. */
export function listHeight(count: number, g: RowGeometry): number {
  const expanded = g.expanded !== null && g.expanded < count;
  return count * g.rowHeight + (expanded ? g.extra : 0);
}

/** The row at height `y` (its details count as the row's); clamped to `0..count - 1`. */
export function rowAt(y: number, count: number, g: RowGeometry): number {
  if (count <= 0) return 0;
  let index: number;
  if (g.expanded === null || y < (g.expanded + 1) * g.rowHeight) {
    index = Math.floor(y / g.rowHeight);
  } else if (y < (g.expanded + 1) * g.rowHeight + g.extra) {
    index = g.expanded;
  } else {
    index = Math.floor((y - g.extra) / g.rowHeight);
  }
  return Math.min(count - 1, Math.max(0, index));
}

/**
 * The rows to draw for a viewport at `scrollTop`, `height` high: `[first, last)`, with
 * `overscan` more on each side so fast scrolling shows no gaps.
 */
export function visibleRange(
  scrollTop: number,
  height: number,
  count: number,
  g: RowGeometry,
  overscan: number,
): [number, number] {
  if (count <= 0) return [0, 0];
  const first = Math.max(0, rowAt(scrollTop, count, g) - overscan);
  const last = Math.min(count, rowAt(scrollTop + height, count, g) + 1 + overscan);
  return [first, last];
}
