import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WatchStatus } from '../bindings/WatchStatus';
import { BackendError } from '../lib/backend';
import { FakeBackend, type FakeBackendOptions, watchLimitReason } from '../lib/fakeBackend';
import { FolderScanner } from '../lib/scanner.svelte';
import { MusicWatch } from '../lib/watch.svelte';
import MusicFolders from './MusicFolders.svelte';

const locale = 'en-US';
const REASON = watchLimitReason(12408, 8192, 60);

function pollingStatus(folders: string[]): WatchStatus {
  return {
    folders,
    mode: 'polling',
    reason: REASON,
    poll_every_secs: 60,
  };
}

const detachers: (() => void)[] = [];
afterEach(() => {
  for (const detach of detachers.splice(0)) detach();
  vi.restoreAllMocks();
});

/** What `navigator.clipboard.writeText` does in this test (jsdom has no clipboard). */
function useClipboard(writeText: (text: string) => Promise<void>) {
  Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
  detachers.push(() => Reflect.deleteProperty(navigator, 'clipboard'));
}

async function setup(options: FakeBackendOptions = {}) {
  const backend = new FakeBackend({
    watch: { folders: ['/home/me/Music', '/media/usb'] },
    scan: { folder: '/mnt/nas/Music', tickMs: 5, steps: 4 },
    ...options,
  });
  const scanner = new FolderScanner(backend);
  const watch = new MusicWatch(backend);
  detachers.push(scanner.attach(), watch.attach(), () => backend.dispose());
  const onremoved = vi.fn();
  const result = render(MusicFolders, { backend, scanner, watch, locale, onremoved });
  await screen.findByRole('list', { name: 'Music folders' });
  return { backend, scanner, watch, onremoved, ...result };
}

/** The text of `el` as read: runs of white space as one space. */
function text(el: Element): string {
  return (el.textContent ?? '').replace(/\s+/g, ' ').trim();
}

function folders(): string[] {
  return within(screen.getByRole('list', { name: 'Music folders' }))
    .getAllByRole('listitem')
    .map((li) => li.querySelector('code')?.textContent ?? '');
}

function addButton(): HTMLButtonElement {
  return screen.getByRole('button', { name: 'Add folder…' });
}

describe('MusicFolders', () => {
  it('lists the music folders, each with its Remove, and how they are watched', async () => {
    await setup();
    expect(folders()).toEqual(['/home/me/Music', '/media/usb']);
    expect(screen.getByRole('button', { name: 'Remove /media/usb' })).toBeTruthy();
    expect(screen.getByRole('heading', { level: 3, name: 'Music folders' })).toBeTruthy();
    await waitFor(() =>
      expect(screen.getByTestId('watch-status').textContent?.trim()).toBe('Watching 2 folders for new music'),
    );
    expect(screen.queryByTestId('watch-polling')).toBeNull();
  });

  it('says when there is no folder yet', async () => {
    const backend = new FakeBackend({ albums: 0 });
    render(MusicFolders, {
      backend,
      scanner: new FolderScanner(backend),
      watch: new MusicWatch(backend),
      locale,
    });
    expect((await screen.findByTestId('no-music-folders')).textContent).toContain('No music folder yet');
  });

  it('adds a chosen folder, then imports it with the scan, its progress shown', async () => {
    const { backend } = await setup();
    const add = vi.spyOn(backend, 'addMusicFolder');
    const scan = vi.spyOn(backend, 'scanFolder');
    await fireEvent.click(addButton());
    await screen.findByRole('progressbar', { name: 'Scan progress' });
    expect(add).toHaveBeenCalledWith('/mnt/nas/Music');
    expect(scan).toHaveBeenCalledWith('/mnt/nas/Music');
    expect(addButton().disabled).toBe(true);
    await screen.findByTestId('scan-report');
    expect(addButton().disabled).toBe(false);
    await waitFor(() => expect(folders()).toEqual(['/home/me/Music', '/media/usb', '/mnt/nas/Music']));
    // The watch restarted on the three.
    await waitFor(() =>
      expect(screen.getByTestId('watch-status').textContent?.trim()).toBe('Watching 3 folders for new music'),
    );
  });

  it('does nothing when the folder dialog is cancelled', async () => {
    const { backend } = await setup({ scan: { folder: null } });
    const add = vi.spyOn(backend, 'addMusicFolder');
    await fireEvent.click(addButton());
    await waitFor(() => expect(addButton().disabled).toBe(false));
    expect(add).not.toHaveBeenCalled();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows why a folder cannot be added under the list, and scans nothing', async () => {
    const { backend } = await setup({ scan: { folder: '/home/me/Music/Air' } });
    const scan = vi.spyOn(backend, 'scanFolder');
    await fireEvent.click(addButton());
    const alert = await screen.findByRole('alert');
    expect(text(alert)).toContain(
      'Could not add the folder: /home/me/Music/Air: is already in the library, as part of the music folder /home/me/Music',
    );
    expect(within(alert).getByText('invalid_music_folder').tagName).toBe('CODE');
    // Under the list.
    const list = screen.getByRole('list', { name: 'Music folders' });
    expect(list.compareDocumentPosition(alert) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(scan).not.toHaveBeenCalled();
    expect(folders()).toEqual(['/home/me/Music', '/media/usb']);
  });

  it('asks before removing a folder, saying the files stay; Cancel keeps it', async () => {
    const { backend } = await setup();
    const remove = vi.spyOn(backend, 'removeMusicFolder');
    await fireEvent.click(screen.getByRole('button', { name: 'Remove /media/usb' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove this music folder?' });
    expect(text(dialog)).toContain('/media/usb');
    expect(text(dialog)).toContain('Its tracks leave Gatefold’s library');
    expect(text(dialog)).toContain('The files stay on disk as they are');
    // The safe answer has the focus.
    expect(document.activeElement).toBe(within(dialog).getByRole('button', { name: 'Cancel' }));
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(remove).not.toHaveBeenCalled();
    expect(folders()).toEqual(['/home/me/Music', '/media/usb']);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Remove /media/usb' })));
  });

  it('removes a folder once confirmed, and says how many tracks left the library', async () => {
    const { backend, onremoved } = await setup();
    let finish: (tracks: number) => void = () => {};
    vi.spyOn(backend, 'removeMusicFolder').mockImplementation(
      (path) =>
        new Promise((resolve) => {
          finish = (tracks) => {
            void FakeBackend.prototype.removeMusicFolder.call(backend, path);
            resolve(tracks);
          };
        }),
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Remove /media/usb' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove this music folder?' });
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Remove folder' }));
    // While it goes, both buttons wait.
    expect((within(dialog).getByRole('button', { name: 'Removing…' }) as HTMLButtonElement).disabled).toBe(true);
    expect((within(dialog).getByRole('button', { name: 'Cancel' }) as HTMLButtonElement).disabled).toBe(true);
    finish(1312);
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
    expect(screen.getByTestId('music-folder-removed').textContent?.replace(/\s+/g, ' ').trim()).toBe(
      'Removed /media/usb: 1,312 tracks left the library. The files were not touched.',
    );
    expect(onremoved).toHaveBeenCalledWith(1312);
    await waitFor(() => expect(folders()).toEqual(['/home/me/Music']));
    expect(document.activeElement).toBe(addButton());
  });

  it('shows why a folder could not be removed', async () => {
    const { backend, onremoved } = await setup();
    vi.spyOn(backend, 'removeMusicFolder').mockRejectedValue(
      new BackendError('invalid_music_folder', '/media/usb: is not a music folder of this library (it has none)'),
    );
    await fireEvent.click(screen.getByRole('button', { name: 'Remove /media/usb' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove folder' }));
    const alert = await screen.findByRole('alert');
    expect(text(alert)).toContain(
      'Could not remove the folder: /media/usb: is not a music folder of this library (it has none)',
    );
    expect(onremoved).not.toHaveBeenCalled();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('shows the polling warning with its reason and the command to copy', async () => {
    const writeText = vi.fn().mockResolvedValue(undefined);
    useClipboard(writeText);
    await setup({ watch: { folders: ['/home/me/Music'], mode: 'polling', directories: 12408, maxUserWatches: 8192 } });
    const warning = await screen.findByTestId('watch-polling');
    expect(screen.getByTestId('watch-status').textContent?.trim()).toBe(
      'Not watching: rescanning 1 folder every 60 s for new music',
    );
    expect(text(warning)).toContain('New music is found by rescanning every 60 s, not as it arrives');
    expect(text(within(warning).getByTestId('watch-reason'))).toContain(
      'The system cannot watch all 12408 music folders (its limit, fs.inotify.max_user_watches, is 8192)',
    );
    const command = within(warning).getByTestId('watch-command');
    expect(command.tagName).toBe('CODE');
    expect(command.textContent).toBe('sudo sysctl fs.inotify.max_user_watches=524288');
    expect(text(warning)).toContain('/etc/sysctl.d/90-gatefold.conf');
    await fireEvent.click(within(warning).getByRole('button', { name: 'Copy command' }));
    expect(writeText).toHaveBeenCalledWith('sudo sysctl fs.inotify.max_user_watches=524288');
    await waitFor(() => expect(within(warning).getByRole('status').textContent?.trim()).toBe('Copied'));
  });

  it('selects the command when the clipboard refuses', async () => {
    useClipboard(vi.fn().mockRejectedValue(new Error('not allowed')));
    await setup({ watch: { mode: 'polling' } });
    const warning = await screen.findByTestId('watch-polling');
    await fireEvent.click(within(warning).getByRole('button', { name: 'Copy command' }));
    await waitFor(() =>
      expect(within(warning).getByRole('status').textContent?.trim()).toBe('Selected: press Ctrl+C to copy it'),
    );
    expect(window.getSelection()?.toString()).toBe('sudo sysctl fs.inotify.max_user_watches=524288');
  });

  it('follows the watch: a restart into polling shows the warning, and reloads the folders', async () => {
    const { backend } = await setup();
    await screen.findByTestId('watch-status');
    const list = vi.spyOn(backend, 'musicFolders').mockResolvedValue(['/home/me/Music']);
    backend.emitEvents([{ type: 'watching', status: pollingStatus(['/home/me/Music']) }]);
    await screen.findByTestId('watch-polling');
    await waitFor(() => expect(folders()).toEqual(['/home/me/Music']));
    expect(list).toHaveBeenCalled();
  });

  it('lists what the watch could not do, until dismissed', async () => {
    const { backend } = await setup();
    backend.failWatch('/media/usb', '/media/usb: cannot be read: Input/output error (os error 5)');
    backend.failWatch('', 'new music cannot be enriched: database is locked');
    const failures = await screen.findAllByTestId('watch-failure');
    expect(failures.map((li) => li.querySelector('span')?.textContent)).toEqual([
      'New music cannot be enriched: database is locked',
      'Could not import /media/usb: /media/usb: cannot be read: Input/output error (os error 5)',
    ]);
    await fireEvent.click(within(failures[0]).getByRole('button', { name: 'Dismiss' }));
    expect(screen.getAllByTestId('watch-failure')).toHaveLength(1);
  });

  it('shows a load error with retry', async () => {
    const backend = new FakeBackend();
    const musicFolders = vi
      .spyOn(backend, 'musicFolders')
      .mockRejectedValueOnce(new BackendError('database', 'locked'));
    render(MusicFolders, { backend, scanner: new FolderScanner(backend), watch: new MusicWatch(backend), locale });
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the music folders');
    await fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByRole('list', { name: 'Music folders' });
    expect(musicFolders).toHaveBeenCalledTimes(2);
  });
});
