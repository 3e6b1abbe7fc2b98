import { describe, expect, it } from 'vitest';
import { listHeight, rowAt, rowTop, visibleRange } from './virtualRows';

const plain = { rowHeight: 36, expanded: null, extra: 0 };
const open = { rowHeight: 36, expanded: 4, extra: 200 };

describe('virtual rows', () => {
  it('places fixed-height rows', () => {
    expect(rowTop(0, plain)).toBe(0);
    expect(rowTop(10, plain)).toBe(360);
    expect(listHeight(100, plain)).toBe(3600);
    expect(rowAt(0, 100, plain)).toBe(0);
    expect(rowAt(359, 100, plain)).toBe(9);
    expect(rowAt(360, 100, plain)).toBe(10);
    expect(rowAt(1e9, 100, plain)).toBe(99);
    expect(rowAt(-5, 100, plain)).toBe(0);
  });

  it('pushes the rows after an expanded one down by its details', () => {
    expect(rowTop(4, open)).toBe(144);
    expect(rowTop(5, open)).toBe(180 + 200);
    expect(listHeight(100, open)).toBe(3800);
    // Inside the details: still the expanded row.
    expect(rowAt(180, 100, open)).toBe(4);
    expect(rowAt(379, 100, open)).toBe(4);
    expect(rowAt(380, 100, open)).toBe(5);
    expect(rowAt(380 + 36 * 3, 100, open)).toBe(8);
    // An expanded row past the end (filtered away) adds nothing.
    expect(listHeight(3, open)).toBe(108);
  });

  it('draws the rows in view and a few around them', () => {
    expect(visibleRange(0, 360, 10_000, plain, 6)).toEqual([0, 17]);
    expect(visibleRange(36 * 5000, 360, 10_000, plain, 6)).toEqual([4994, 5017]);
    expect(visibleRange(36 * 9995, 360, 10_000, plain, 6)).toEqual([9989, 10_000]);
    // With details in view, fewer rows fit.
    expect(visibleRange(144, 360, 100, open, 0)).toEqual([4, 9]);
    expect(visibleRange(0, 360, 0, plain, 6)).toEqual([0, 0]);
  });
});
