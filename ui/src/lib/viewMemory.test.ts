import { describe, expect, it } from 'vitest';
import { VIEW_STORAGE_KEY, type ViewStorage, loadView, saveView } from './viewMemory';

const VIEWS = ['library', 'enrich', 'settings'] as const;

function memory(initial: Record<string, string> = {}): ViewStorage & { data: Record<string, string> } {
  const data = { ...initial };
  return {
    data,
    getItem: (key) => data[key] ?? null,
    setItem: (key, value) => {
      data[key] = value;
    },
  };
}

describe('view memory', () => {
  it('gives back the view saved last', () => {
    const storage = memory();
    expect(loadView(storage, VIEWS, 'library')).toBe('library');
    saveView(storage, 'settings');
    expect(storage.data[VIEW_STORAGE_KEY]).toBe('settings');
    expect(loadView(storage, VIEWS, 'library')).toBe('settings');
    saveView(storage, 'enrich');
    expect(loadView(storage, VIEWS, 'library')).toBe('enrich');
  });

  it('falls back to the Library for an unknown or missing value', () => {
    for (const stored of ['review', '', 'Library', '{"view":"enrich"}']) {
      expect(loadView(memory({ [VIEW_STORAGE_KEY]: stored }), VIEWS, 'library')).toBe('library');
    }
    expect(loadView(null, VIEWS, 'library')).toBe('library');
  });

  it('survives a storage that throws', () => {
    const broken: ViewStorage = {
      getItem: () => {
        throw new DOMException('denied', 'SecurityError');
      },
      setItem: () => {
        throw new DOMException('full', 'QuotaExceededError');
      },
    };
    expect(loadView(broken, VIEWS, 'library')).toBe('library');
    expect(() => saveView(broken, 'enrich')).not.toThrow();
  });
});
