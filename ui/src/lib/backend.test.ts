import { emit } from '@tauri-apps/api/event';
import { clearMocks, mockConvertFileSrc, mockIPC } from '@tauri-apps/api/mocks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LibraryEvent } from '../bindings/LibraryEvent';
import type { ScanEvent } from '../bindings/ScanEvent';
import { type BackendMessage, BackendError, toBackendError, UNEXPECTED_ERROR_CODE } from './backend';
import { FakeBackend } from './fakeBackend';
import { EMPTY_FIXTURE, LIBRARY_FIXTURE } from './fixtures';
import { DEFAULT_PROVIDERS } from './providerRules';
import { FAKE_NAS_FOLDER, FAKE_SCENARIOS, FAKE_USB_FOLDER, fakeBackendFor, selectBackend } from './selectBackend';
import { DEFAULT_SETTINGS } from './settingsRules';
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

  it('keeps the details of a payload (invalid_config)', () => {
    const details = [{ field: 'batch_size', value: 0, min: 1, max: 10000 }];
    const error = toBackendError({ code: 'invalid_config', message: 'bad', details });
    expect(error.details).toEqual(details);
    expect(toBackendError({ code: 'x', message: 'y' }).details).toBeUndefined();
    expect(toBackendError({ code: 'x', message: 'y', details: null }).details).toBeUndefined();
  });

  it('passes a BackendError through unchanged', () => {
    const original = new BackendError('internal', 'y');
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
    expect(toBackendError({ code: 1, message: 'not a valid payload' }).code).toBe(UNEXPECTED_ERROR_CODE);
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

describe('TauriBackend commands and events', () => {
  afterEach(() => clearMocks());

  it('invokes the enrichment and settings commands with their arguments', async () => {
    const calls: [string, unknown][] = [];
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      if (cmd === 'get_settings') return DEFAULT_SETTINGS;
      if (cmd === 'list_failures') return [];
      return null;
    });
    const backend = new TauriBackend();
    await backend.startEnrichment({ retryFailed: true });
    await backend.startEnrichment({ retryFailed: false });
    await backend.startEnrichment({ retryFailed: true, trackIds: [42] });
    await backend.pauseEnrichment();
    await backend.resumeEnrichment();
    await backend.cancelEnrichment();
    expect(await backend.getSettings()).toEqual(DEFAULT_SETTINGS);
    await backend.saveSettings({ ...DEFAULT_SETTINGS, max_retries: 2 });
    expect(await backend.listFailures(500)).toEqual([]);
    expect(calls.map(([cmd]) => cmd)).toEqual([
      'start_enrichment',
      'start_enrichment',
      'start_enrichment',
      'pause_enrichment',
      'resume_enrichment',
      'cancel_enrichment',
      'get_settings',
      'save_settings',
      'list_failures',
    ]);
    // `trackIds` is always sent: the tracks, or null for the whole library.
    expect(calls[0][1]).toEqual({ retryFailed: true, trackIds: null });
    expect(calls[1][1]).toEqual({ retryFailed: false, trackIds: null });
    expect(calls[2][1]).toEqual({ retryFailed: true, trackIds: [42] });
    expect(calls[7][1]).toEqual({ config: { ...DEFAULT_SETTINGS, max_retries: 2 } });
    expect(calls[8][1]).toEqual({ limit: 500 });
  });

  it('invokes the library, scan, provider, status and file commands with their arguments', async () => {
    const calls: [string, unknown][] = [];
    const answers: Record<string, unknown> = {
      list_albums: { albums: [], total: 0 },
      album_tracks: [],
      track_lyrics: { track_id: 5 },
      choose_folder: '/music',
      scan_folder: { root: '/music' },
      enrichment_status: null,
      last_run: null,
      album_card: { id: 3 },
      provider_urls: [],
      get_providers: DEFAULT_PROVIDERS,
      save_text_file: '/home/me/failures.csv',
      write_back_preview: { summary: { mode: 'sidecar' }, files: [], more_files: 0 },
    };
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return answers[cmd] ?? null;
    });
    const backend = new TauriBackend();
    expect(await backend.listAlbums('blue', 60, 60)).toEqual({ albums: [], total: 0 });
    await backend.listAlbums('', 0, 60, 'lyrics');
    await backend.listAlbums('', 0, 60, null);
    await backend.albumTracks(3);
    await backend.trackLyrics(5);
    expect(await backend.chooseFolder()).toBe('/music');
    await backend.scanFolder('/music');
    expect(await backend.enrichmentStatus()).toBeNull();
    expect(await backend.lastRun()).toBeNull();
    expect(await backend.albumCard(3)).toEqual({ id: 3 });
    await backend.revealTrack(5);
    expect(await backend.getProviders()).toEqual(DEFAULT_PROVIDERS);
    await backend.saveProviders([...DEFAULT_PROVIDERS]);
    expect(await backend.providerUrls()).toEqual([]);
    expect(await backend.saveTextFile('failures.csv', 'a,b')).toBe('/home/me/failures.csv');
    expect(await backend.writeBackPreview('sidecar')).toEqual(answers.write_back_preview);
    expect(calls).toEqual([
      // `missing` is always sent: the filter's name, or null for all albums.
      ['list_albums', { query: 'blue', offset: 60, limit: 60, missing: null }],
      ['list_albums', { query: '', offset: 0, limit: 60, missing: 'lyrics' }],
      ['list_albums', { query: '', offset: 0, limit: 60, missing: null }],
      ['album_tracks', { albumId: 3 }],
      ['track_lyrics', { trackId: 5 }],
      ['choose_folder', {}],
      ['scan_folder', { path: '/music' }],
      ['enrichment_status', {}],
      ['last_run', {}],
      ['album_card', { albumId: 3 }],
      ['reveal_track', { trackId: 5 }],
      ['get_providers', {}],
      ['save_providers', { providers: DEFAULT_PROVIDERS }],
      ['provider_urls', {}],
      ['save_text_file', { suggestedName: 'failures.csv', contents: 'a,b' }],
      ['write_back_preview', { mode: 'sidecar' }],
    ]);
  });

  it('invokes the music folder, watch and album-now commands with their arguments', async () => {
    const calls: [string, unknown][] = [];
    const status = { folders: ['/music'], mode: 'events', reason: null, poll_every_secs: 60 };
    const answers: Record<string, unknown> = {
      music_folders: ['/music'],
      add_music_folder: '/srv/music',
      remove_music_folder: 312,
      watch_status: status,
      enrich_album_now: 'prioritized',
    };
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return answers[cmd] ?? null;
    });
    const backend = new TauriBackend();
    expect(await backend.musicFolders()).toEqual(['/music']);
    expect(await backend.addMusicFolder('/srv/link')).toBe('/srv/music');
    expect(await backend.removeMusicFolder('/srv/music')).toBe(312);
    expect(await backend.watchStatus()).toEqual(status);
    expect(await backend.enrichAlbumNow(7)).toBe('prioritized');
    expect(calls).toEqual([
      ['music_folders', {}],
      ['add_music_folder', { path: '/srv/link' }],
      ['remove_music_folder', { path: '/srv/music' }],
      ['watch_status', {}],
      ['enrich_album_now', { albumId: 7 }],
    ]);
  });

  it('keeps the code and message of a refused music folder', async () => {
    const message = '/music/Air: is already in the library, as part of the music folder /music';
    mockIPC(() => {
      throw { code: 'invalid_music_folder', message };
    });
    await expect(new TauriBackend().addMusicFolder('/music/Air')).rejects.toMatchObject({
      code: 'invalid_music_folder',
      message,
    });
  });

  it('invokes provider_stats with the runs asked for, null for the engine’s default', async () => {
    const calls: [string, unknown][] = [];
    const report = {
      runs: [],
      runs_counted: 0,
      all_time: [],
      all_time_saved: { remembered_artwork: 0, remembered_lyrics: 0, local_artwork: 0 },
    };
    mockIPC((cmd, args) => {
      calls.push([cmd, args]);
      return report;
    });
    const backend = new TauriBackend();
    expect(await backend.providerStats()).toEqual(report);
    await backend.providerStats(20);
    expect(calls).toEqual([
      ['provider_stats', { recent: null }],
      ['provider_stats', { recent: 20 }],
    ]);
  });

  it('keeps the codes of library and scan rejections', async () => {
    mockIPC((cmd) => {
      if (cmd === 'album_tracks') throw { code: 'not_found', message: 'album 9 not found' };
      throw { code: 'invalid_scan_root', message: '/nope does not exist' };
    });
    await expect(new TauriBackend().albumTracks(9)).rejects.toMatchObject({ code: 'not_found' });
    await expect(new TauriBackend().scanFolder('/nope')).rejects.toMatchObject({
      code: 'invalid_scan_root',
      message: '/nope does not exist',
    });
  });

  it('builds artwork URLs on the artwork protocol, by id and size only', () => {
    mockConvertFileSrc('linux');
    expect(new TauriBackend().artworkUrl(42, 'thumb')).toBe('artwork://localhost/42%2Fthumb');
    mockConvertFileSrc('windows');
    expect(new TauriBackend().artworkUrl(42, 'full')).toBe('http://artwork.localhost/42%2Ffull');
  });

  it('delivers scan-events one by one', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const messages: BackendMessage[] = [];
    const unsubscribe = new TauriBackend().subscribe((m) => messages.push(m));
    const started: ScanEvent = { type: 'started', root: '/music', files: 3, to_read: 3 };
    await vi.waitFor(async () => {
      await emit('scan-events', started);
      expect(messages.length).toBeGreaterThan(0);
    });
    messages.length = 0;
    await emit('scan-events', { type: 'progress', processed: 1, total: 3 });
    expect(messages).toEqual([{ kind: 'scan', event: { type: 'progress', processed: 1, total: 3 } }]);
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    await emit('scan-events', 'garbage');
    expect(messages).toHaveLength(1);
    expect(errors).toHaveBeenCalled();
    errors.mockRestore();
    unsubscribe();
  });

  it('turns an invalid_config rejection into a BackendError with details', async () => {
    const details = [{ field: 'max_concurrent', value: 65, min: 1, max: 64 }];
    mockIPC(() => {
      throw { code: 'invalid_config', message: 'max_concurrent must be between 1 and 64, got 65', details };
    });
    const result = new TauriBackend().saveSettings({ ...DEFAULT_SETTINGS, max_concurrent: 65 });
    await expect(result).rejects.toBeInstanceOf(BackendError);
    await expect(result).rejects.toMatchObject({ code: 'invalid_config', details });
  });

  it('delivers library-events batches and library-resync until unsubscribed', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const messages: BackendMessage[] = [];
    const unsubscribe = new TauriBackend().subscribe((m) => messages.push(m));
    // `listen` registers asynchronously.
    await vi.waitFor(async () => {
      await emit('library-resync');
      expect(messages.length).toBeGreaterThan(0);
    });
    messages.length = 0;
    const batch: LibraryEvent[] = [
      { type: 'job_started', job_id: 1, total_tracks: 2, resumed: false },
      { type: 'job_resumed', job_id: 1 },
    ];
    await emit('library-events', batch);
    await emit('library-resync');
    expect(messages).toEqual([{ kind: 'events', events: batch }, { kind: 'resync' }]);
    unsubscribe();
    await emit('library-events', batch);
    await emit('library-resync');
    expect(messages).toHaveLength(2);
  });

  it('asks for a resync when library-events is not an array', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const messages: BackendMessage[] = [];
    const unsubscribe = new TauriBackend().subscribe((m) => messages.push(m));
    await vi.waitFor(async () => {
      await emit('library-events', { type: 'job_resumed', job_id: 1 });
      expect(messages).toContainEqual({ kind: 'resync' });
    });
    expect(messages.every((m) => m.kind === 'resync')).toBe(true);
    expect(errors).toHaveBeenCalled();
    unsubscribe();
    errors.mockRestore();
  });

  it('does not deliver when unsubscribed before listen resolved', async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const messages: BackendMessage[] = [];
    new TauriBackend().subscribe((m) => messages.push(m))();
    await new Promise((resolve) => setTimeout(resolve, 10));
    await emit('library-resync');
    expect(messages).toEqual([]);
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
    const fake = new FakeBackend({ error: { code: 'internal', message: 'm' } });
    await expect(fake.librarySummary()).rejects.toEqual(new BackendError('internal', 'm'));
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

  it('builds every scenario', async () => {
    for (const scenario of FAKE_SCENARIOS) {
      const fake = fakeBackendFor(scenario);
      expect(fake).toBeInstanceOf(FakeBackend);
      fake.dispose();
    }
    expect(await fakeBackendFor('wifi').getSettings()).toMatchObject({ require_wifi: true });
    expect(await fakeBackendFor('library').listFailures(100)).toHaveLength(8);
    expect((await fakeBackendFor('big').librarySummary()).tracks).toBe(10000);
    expect((await fakeBackendFor('big').listAlbums('', 0, 1)).total).toBe(10000);
    expect((await fakeBackendFor('empty').listAlbums('', 0, 1)).total).toBe(0);
    const midjob = fakeBackendFor('midjob');
    expect((await midjob.enrichmentStatus())?.progress.percent_complete).toBe(40);
    midjob.dispose();
    expect(await fakeBackendFor('writeback').getSettings()).toMatchObject({ write_back: 'sidecar' });
    expect(await fakeBackendFor('folders').musicFolders()).toEqual(['/home/me/Music', FAKE_USB_FOLDER]);
    expect(await fakeBackendFor('folders').chooseFolder()).toBe(FAKE_NAS_FOLDER);
    expect(await fakeBackendFor('polling').watchStatus()).toMatchObject({
      mode: 'polling',
      reason: expect.stringContaining('sudo sysctl fs.inotify.max_user_watches=524288'),
    });
    expect((await fakeBackendFor('library').watchStatus())?.mode).toBe('events');
    // The big library's preview is cut at 200 files: "and N more".
    expect((await fakeBackendFor('big').writeBackPreview('sidecar')).more_files).toBeGreaterThan(0);
  });

  it('supports ?fake=empty and ?fake=error', async () => {
    expect(await selectBackend(fakeWindow('?fake=empty')).librarySummary()).toEqual(EMPTY_FIXTURE);
    await expect(selectBackend(fakeWindow('?fake=error')).librarySummary()).rejects.toBeInstanceOf(BackendError);
  });
});
