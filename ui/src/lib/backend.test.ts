import { clearMocks, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it } from 'vitest';
import { BackendError, toBackendError, UNEXPECTED_ERROR_CODE } from './backend';
import { FakeBackend } from './fakeBackend';
import { EMPTY_FIXTURE, LIBRARY_FIXTURE } from './fixtures';
import { selectBackend } from './selectBackend';
import { TauriBackend } from './tauriBackend';

describe('toBackendError', () => {
  it('keeps code and message of a { code, message } payload', () => {
    const error = toBackendError({ code: 'db', message: 'boom' });
    expect(error).toBeInstanceOf(BackendError);
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('db');
    expect(error.message).toBe('boom');
    expect(error.name).toBe('BackendError');
  });

  it('passes a BackendError through unchanged', () => {
    const original = new BackendError('x', 'y');
    expect(toBackendError(original)).toBe(original);
  });

  it('wraps strings, Errors and other values with the unexpected code', () => {
    expect(toBackendError('command not found')).toMatchObject({
      code: UNEXPECTED_ERROR_CODE,
      message: 'command not found',
    });
    expect(toBackendError(new TypeError('bad'))).toMatchObject({
      code: UNEXPECTED_ERROR_CODE,
      message: 'bad',
    });
    expect(toBackendError({ code: 1, message: 'not a valid payload' }).code).toBe(
      UNEXPECTED_ERROR_CODE,
    );
    expect(toBackendError(null).code).toBe(UNEXPECTED_ERROR_CODE);
  });
});

describe('TauriBackend', () => {
  afterEach(() => clearMocks());

  it('invokes library_summary', async () => {
    const commands: string[] = [];
    mockIPC((cmd) => {
      commands.push(cmd);
      return LIBRARY_FIXTURE;
    });
    await expect(new TauriBackend().librarySummary()).resolves.toEqual(LIBRARY_FIXTURE);
    expect(commands).toEqual(['library_summary']);
  });

  it('turns a rejected { code, message } payload into a BackendError', async () => {
    mockIPC(() => {
      throw { code: 'database_locked', message: 'The library is locked' };
    });
    const result = new TauriBackend().librarySummary();
    await expect(result).rejects.toBeInstanceOf(BackendError);
    await expect(result).rejects.toMatchObject({
      code: 'database_locked',
      message: 'The library is locked',
    });
  });

  it('turns a plain string rejection into a BackendError', async () => {
    mockIPC(() => {
      throw 'command library_summary not found';
    });
    await expect(new TauriBackend().librarySummary()).rejects.toMatchObject({
      code: UNEXPECTED_ERROR_CODE,
      message: 'command library_summary not found',
    });
  });
});

describe('FakeBackend', () => {
  it('returns copies of the configured summary', async () => {
    const fake = new FakeBackend({ summary: EMPTY_FIXTURE });
    const first = await fake.librarySummary();
    first.tracks = 99;
    expect(await fake.librarySummary()).toEqual(EMPTY_FIXTURE);
    expect(fake.summaryCalls).toBe(2);
  });

  it('rejects with a BackendError when configured with a payload', async () => {
    const fake = new FakeBackend({ error: { code: 'c', message: 'm' } });
    await expect(fake.librarySummary()).rejects.toEqual(new BackendError('c', 'm'));
  });
});

describe('selectBackend', () => {
  function fakeWindow(search: string, tauri = false): Window {
    return {
      location: { search },
      ...(tauri ? { __TAURI_INTERNALS__: {} } : {}),
    } as unknown as Window;
  }

  it('uses Tauri when __TAURI_INTERNALS__ exists', () => {
    expect(selectBackend(fakeWindow('?fake=empty', true))).toBeInstanceOf(TauriBackend);
  });

  it('uses the library fixture by default and for unknown scenarios', async () => {
    for (const search of ['', '?fake=library', '?fake=nope']) {
      const backend = selectBackend(fakeWindow(search));
      expect(backend).toBeInstanceOf(FakeBackend);
      expect(await backend.librarySummary()).toEqual(LIBRARY_FIXTURE);
    }
  });

  it('supports ?fake=empty and ?fake=error', async () => {
    expect(await selectBackend(fakeWindow('?fake=empty')).librarySummary()).toEqual(EMPTY_FIXTURE);
    await expect(selectBackend(fakeWindow('?fake=error')).librarySummary()).rejects.toBeInstanceOf(
      BackendError,
    );
  });
});
