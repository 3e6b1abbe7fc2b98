import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BackendError } from './backend';
import { FakeBackend } from './fakeBackend';
import { FolderScanner } from './scanner.svelte';

describe('FolderScanner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  function setup(options: ConstructorParameters<typeof FakeBackend>[0] = {}) {
    const fake = new FakeBackend({ albums: 0, scan: { tickMs: 10, steps: 4, albums: 5 }, ...options });
    const finished = vi.fn();
    const scanner = new FolderScanner(fake, finished);
    const detach = scanner.attach();
    return { fake, scanner, finished, detach };
  }

  it('chooses a folder, follows the scan and reports once', async () => {
    const { scanner, finished, fake } = setup();
    const done = scanner.chooseAndScan();
    await vi.advanceTimersByTimeAsync(0);
    expect(scanner.phase).toBe('scanning');
    expect(scanner.busy).toBe(true);
    expect(scanner.progress.root).toBe('/home/me/Music');
    await vi.advanceTimersByTimeAsync(20);
    expect(scanner.progress.files).toBeGreaterThan(0);
    expect(scanner.progress.processed).toBeGreaterThan(0);
    await vi.runAllTimersAsync();
    await done;
    expect(scanner.phase).toBe('done');
    expect(scanner.progress.report).toMatchObject({ root: '/home/me/Music', failed: 1 });
    expect(scanner.progress.report!.added).toBe(scanner.progress.files - 1);
    expect(scanner.progress.failed).toBe(1);
    expect(finished).toHaveBeenCalledOnce();
    expect((await fake.listAlbums('', 0, 60)).total).toBe(5);
    scanner.dismiss();
    expect(scanner.phase).toBe('idle');
  });

  it('changes nothing when the dialog is cancelled', async () => {
    const { scanner, fake } = setup({ scan: { folder: null } });
    const scan = vi.spyOn(fake, 'scanFolder');
    await scanner.chooseAndScan();
    expect(scanner.phase).toBe('idle');
    expect(scan).not.toHaveBeenCalled();
  });

  it('shows why a folder cannot be scanned', async () => {
    const { scanner, finished } = setup({ scan: { folder: '/media/missing' } });
    await scanner.chooseAndScan();
    expect(scanner.phase).toBe('error');
    expect(scanner.error).toMatchObject({ code: 'invalid_scan_root', message: '/media/missing does not exist' });
    expect(finished).not.toHaveBeenCalled();
    await scanner.scan('relative/path');
    expect(scanner.error?.message).toBe('relative/path is not an absolute path');
  });

  it('reports scan_running from the backend', async () => {
    const { scanner, fake } = setup();
    vi.spyOn(fake, 'scanFolder').mockRejectedValue(new BackendError('scan_running', 'a scan is already running'));
    await scanner.chooseAndScan();
    expect(scanner.error?.code).toBe('scan_running');
  });

  it('follows a scan started elsewhere', async () => {
    const { scanner, fake, finished } = setup();
    const other = new FolderScanner(fake);
    void other.scan('/srv/music');
    await vi.advanceTimersByTimeAsync(0);
    expect(scanner.phase).toBe('scanning');
    expect(scanner.progress.root).toBe('/srv/music');
    await vi.runAllTimersAsync();
    expect(scanner.phase).toBe('done');
    expect(finished).toHaveBeenCalledOnce();
  });

  it('stops following when detached', async () => {
    const { scanner, fake, detach } = setup();
    detach();
    void new FolderScanner(fake).scan('/srv/music');
    await vi.runAllTimersAsync();
    expect(scanner.phase).toBe('idle');
  });
});
