import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { WriteBackMode } from '../bindings/WriteBackMode';
import type { WriteBackReport } from '../bindings/WriteBackReport';
import { FakeBackend } from '../lib/fakeBackend';
import { writeBackFixture } from '../lib/fixtures';
import WriteBackPreview from './WriteBackPreview.svelte';

const locale = 'en-US';

function plain(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

function previewButton(): HTMLButtonElement {
  return screen.getByRole('button', { name: 'Preview' });
}

/** The counts as "label value" lines. */
function counts(): string[] {
  return [...screen.getByTestId('write-back-counts').querySelectorAll('div')].map((row) =>
    plain(`${row.querySelector('dt')?.textContent} ${row.querySelector('dd')?.textContent}`),
  );
}

/** A backend whose answers the test gives, in any order. */
function manual() {
  const pending: { mode: WriteBackMode; resolve: (r: WriteBackReport) => void; reject: (e: unknown) => void }[] = [];
  const backend = {
    writeBackPreview: vi.fn(
      (mode: WriteBackMode) =>
        new Promise<WriteBackReport>((resolve, reject) => {
          pending.push({ mode, resolve, reject });
        }),
    ),
  };
  return { backend, pending };
}

describe('WriteBackPreview', () => {
  it('offers nothing while write-back is off', () => {
    render(WriteBackPreview, { backend: new FakeBackend(), mode: 'off', locale });
    expect(screen.queryByRole('button', { name: 'Preview' })).toBeNull();
    expect(screen.queryByTestId('write-back-preview')).toBeNull();
  });

  it('lists what would be written, folder by folder, with what goes in each file and why some are skipped', async () => {
    const { backend, pending } = manual();
    render(WriteBackPreview, { backend, mode: 'sidecar', locale });
    expect(screen.getByText(/See what Sidecar files would write now and where, before you save/)).toBeTruthy();
    // Nothing is asked before the button: an embed dry run of a big library takes a while.
    expect(backend.writeBackPreview).not.toHaveBeenCalled();
    await fireEvent.click(previewButton());
    expect(backend.writeBackPreview).toHaveBeenCalledWith('sidecar');
    const busy = screen.getByRole('button', { name: 'Previewing…' }) as HTMLButtonElement;
    expect(busy.disabled).toBe(true);
    pending[0].resolve(writeBackFixture('would_write'));

    const result = await screen.findByRole('region', { name: 'What Sidecar files would write now' });
    expect(within(result).getByText(/nothing was written/)).toBeTruthy();
    expect(plain(screen.getByRole('status').textContent)).toBe(
      'Preview ready: Sidecar files would write 44 files, skip 1.',
    );
    expect(counts()).toEqual(['Would write 44', 'Already up to date 6', 'Skipped 1', 'Failed 0']);

    const list = within(result).getByRole('region', { name: 'Files Sidecar files would write' });
    // Scrolled from the keyboard: it takes the focus.
    expect(list.getAttribute('tabindex')).toBe('0');
    const folders = [...list.querySelectorAll('[data-folder]')].map((f) => f.getAttribute('data-folder'));
    expect(folders).toEqual(['/home/me/Music/Björk/Glass Waves/CD2', '/home/me/Music/Nina Simone/Pastel Blues']);
    const blue = list.querySelector('[data-folder="/home/me/Music/Nina Simone/Pastel Blues"]') as HTMLElement;
    expect(within(blue).getByText('/home/me/Music/Nina Simone/Pastel Blues')).toBeTruthy();
    const lines = [...blue.querySelectorAll('li.file')].map((li) => plain(li.textContent));
    expect(lines).toEqual([
      '2 Be My Husband.txt Lyrics file Would write',
      '10 Sinnerman.lrc Lyrics file Would write',
      "cover.jpg Cover file Skipped /home/me/Music/Nina Simone/Pastel Blues/cover.jpg already exists and is not Gatefold's (overwrite replaces it)",
    ]);
    expect(screen.getByTestId('write-back-more').textContent).toMatch(/^\s*and 40 more files/);
  });

  it('shows a preview only for the mode picked, and the latest answer only', async () => {
    const { backend, pending } = manual();
    const view = render(WriteBackPreview, { backend, mode: 'sidecar', locale });
    await fireEvent.click(previewButton());
    pending[0].resolve(writeBackFixture('would_write'));
    await screen.findByRole('region', { name: 'What Sidecar files would write now' });

    // Another mode: the sidecar preview would say the wrong thing.
    await view.rerender({ backend, mode: 'embed', locale });
    expect(screen.queryByTestId('write-back-preview-result')).toBeNull();
    expect(screen.getByText(/See what Embed in tags would write now/)).toBeTruthy();
    await fireEvent.click(previewButton());
    await fireEvent.click(screen.getByRole('button', { name: 'Previewing…' }));
    // Asked again (a click while busy does nothing); then back to sidecar and asked there.
    expect(backend.writeBackPreview).toHaveBeenCalledTimes(2);
    await view.rerender({ backend, mode: 'sidecar', locale });
    await fireEvent.click(previewButton());
    expect(backend.writeBackPreview).toHaveBeenLastCalledWith('sidecar');
    // The embed answer comes late: not shown.
    const embedded = writeBackFixture('would_write');
    embedded.summary.mode = 'embed';
    embedded.files = [{ path: '/m/A/01.flac', target: 'embedded_cover', outcome: { outcome: 'would_write' } }];
    pending[1].resolve(embedded);
    pending[2].resolve({ ...writeBackFixture('would_write'), more_files: 0 });
    const result = await screen.findByRole('region', { name: 'What Sidecar files would write now' });
    expect(within(result).queryByText('Cover in the tags')).toBeNull();
    expect(screen.queryByTestId('write-back-more')).toBeNull();
  });

  it('says why there is nothing to write', async () => {
    render(WriteBackPreview, { backend: new FakeBackend({ albums: 0 }), mode: 'sidecar', locale });
    await fireEvent.click(previewButton());
    const empty = await screen.findByTestId('write-back-empty');
    expect(empty.textContent).toMatch(/^Nothing to write: the providers have found no artwork or lyrics yet\./);
    expect(screen.queryByTestId('write-back-files')).toBeNull();
    expect(counts()).toEqual(['Would write 0', 'Already up to date 0', 'Skipped 0', 'Failed 0']);
  });

  it('shows a refusal with its code, and can ask again', async () => {
    const { backend, pending } = manual();
    render(WriteBackPreview, { backend, mode: 'embed', locale });
    await fireEvent.click(previewButton());
    pending[0].reject({ code: 'database', message: 'database is locked' });
    const alert = await screen.findByRole('alert');
    expect(plain(alert.textContent)).toBe('Could not preview: database is locked database');
    await fireEvent.click(previewButton());
    pending[1].resolve(writeBackFixture('would_write'));
    await screen.findByTestId('write-back-preview-result');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('previews the fake library: covers per album folder and lyrics beside the tracks', async () => {
    render(WriteBackPreview, { backend: new FakeBackend(), mode: 'sidecar', locale });
    await fireEvent.click(previewButton());
    const list = await screen.findByRole('region', { name: 'Files Sidecar files would write' });
    const targets = new Set([...list.querySelectorAll('li.file')].map((li) => li.getAttribute('data-target')));
    expect(targets).toEqual(new Set(['cover_file', 'lyrics_file']));
    const covers = [...list.querySelectorAll('li.file[data-target="cover_file"]')];
    // One cover per folder at most.
    const coverFolders = covers.map((li) => li.closest('[data-folder]')?.getAttribute('data-folder'));
    expect(new Set(coverFolders).size).toBe(coverFolders.length);
    expect(covers.every((li) => /^cover\.(jpg|png)$/.test(li.querySelector('.name')?.textContent ?? ''))).toBe(true);
    const lyrics = [...list.querySelectorAll('li.file[data-target="lyrics_file"] .name')].map((n) => n.textContent);
    expect(lyrics.every((name) => /\.(lrc|txt)$/.test(name ?? ''))).toBe(true);
    // Some are the user's own and are kept, with the reason.
    const skipped = [...list.querySelectorAll('li.file[data-outcome="skipped"] .reason')].map((r) => r.textContent);
    expect(skipped.length).toBeGreaterThan(0);
    expect(skipped.some((reason) => /already exists and is not Gatefold's/.test(reason ?? ''))).toBe(true);
    // The default library lists every file; a big one is cut.
    expect(screen.queryByTestId('write-back-more')).toBeNull();
  });

  it('says "and N more" for a big library', async () => {
    render(WriteBackPreview, { backend: new FakeBackend({ albums: 2_000 }), mode: 'embed', locale });
    await fireEvent.click(previewButton());
    const list = await screen.findByRole('region', { name: 'Files Embed in tags would write' });
    expect(list.querySelectorAll('li.file')).toHaveLength(200);
    expect(screen.getByTestId('write-back-more').textContent).toMatch(/^\s*and [\d,]+ more files/);
    await waitFor(() => expect(within(list).getAllByText('Cover in the tags').length).toBeGreaterThan(0));
  });
});
