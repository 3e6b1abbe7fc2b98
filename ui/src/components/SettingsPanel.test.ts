import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import type { EnrichmentConfig } from '../bindings/EnrichmentConfig';
import { BackendError } from '../lib/backend';
import { FakeBackend } from '../lib/fakeBackend';
import { DEFAULT_PROVIDERS } from '../lib/providerRules';
import { FolderScanner } from '../lib/scanner.svelte';
import { DEFAULT_SETTINGS } from '../lib/settingsRules';
import { MusicWatch } from '../lib/watch.svelte';
import SettingsPanel from './SettingsPanel.svelte';

const locale = 'en-US';

const LABELS = {
  batch_size: 'Batch size',
  max_concurrent: 'Max concurrent',
  max_retries: 'Max retries',
  base_retry_delay_ms: 'Base retry delay (ms)',
  operation_timeout_secs: 'Operation timeout (s)',
  not_found_max_age_days: 'Ask again about not-found after (days)',
} as const;

function field(label: string): HTMLInputElement {
  return screen.getByLabelText(label) as HTMLInputElement;
}

function save(): HTMLButtonElement {
  return screen.getByRole('button', { name: 'Save' });
}

async function setup(backend = new FakeBackend()) {
  const result = render(SettingsPanel, { backend, locale });
  await screen.findByLabelText('Batch size');
  return { backend, ...result };
}

async function type(label: string, value: string) {
  await fireEvent.input(field(label), { target: { value } });
}

describe('SettingsPanel', () => {
  it('loads the saved settings into labelled fields', async () => {
    const settings: EnrichmentConfig = {
      ...DEFAULT_SETTINGS,
      batch_size: 200,
      max_concurrent: 8,
      require_wifi: true,
      enable_lyrics: false,
      not_found_max_age_days: 0,
    };
    await setup(new FakeBackend({ settings }));
    expect(field('Batch size').value).toBe('200');
    expect(field('Max concurrent').value).toBe('8');
    expect(field('Max retries').value).toBe('3');
    expect(field('Base retry delay (ms)').value).toBe('100');
    expect(field('Operation timeout (s)').value).toBe('30');
    expect(field('Ask again about not-found after (days)').value).toBe('0');
    expect(field('Only on WiFi').checked).toBe(true);
    expect(field('Fetch artwork').checked).toBe(true);
    expect(field('Fetch lyrics').checked).toBe(false);
    for (const label of Object.values(LABELS)) expect(field(label).tagName).toBe('INPUT');
    // Nothing changed yet: nothing to save.
    expect(save().disabled).toBe(true);
  });

  it('refuses an out-of-range value inline, with the range, and disables Save', async () => {
    const { backend } = await setup();
    await type('Max concurrent', '65');
    const input = field('Max concurrent');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    const errorId = input
      .getAttribute('aria-describedby')
      ?.split(' ')
      .find((id) => id.endsWith('-error'));
    expect(errorId).toBeTruthy();
    expect(document.getElementById(errorId!)?.textContent).toBe('Between 1 and 64');
    // The message sits in the field's own block.
    const block = input.closest('[data-setting="max_concurrent"]') as HTMLElement;
    expect(within(block).getByText('Between 1 and 64')).toBeTruthy();
    expect(save().disabled).toBe(true);
    expect(screen.getByText('Fix the highlighted value to save.')).toBeTruthy();
    // Submitting anyway (Enter in a field) saves nothing.
    await fireEvent.submit(input.form!);
    expect(backend.saveCalls).toBe(0);
    expect((await backend.getSettings()).max_concurrent).toBe(5);
  });

  it('words every field’s range and refuses non-numbers', async () => {
    await setup();
    const cases: [string, string, string][] = [
      [LABELS.batch_size, '0', 'Between 1 and 10,000'],
      [LABELS.batch_size, '10001', 'Between 1 and 10,000'],
      [LABELS.max_retries, '11', 'Between 0 and 10'],
      [LABELS.base_retry_delay_ms, '60001', 'Between 1 and 60,000'],
      [LABELS.operation_timeout_secs, '601', 'Between 1 and 600'],
      [LABELS.not_found_max_age_days, '3651', 'Between 0 and 3,650'],
      [LABELS.max_concurrent, 'abc', 'Enter a whole number between 1 and 64'],
      [LABELS.max_concurrent, '', 'Enter a whole number between 1 and 64'],
      [LABELS.max_concurrent, '2.5', 'Enter a whole number between 1 and 64'],
    ];
    for (const [label, value, message] of cases) {
      await type(label, value);
      const block = field(label).closest('[data-setting]') as HTMLElement;
      expect(block.querySelector('.error')?.textContent, `${label}=${value}`).toBe(message);
    }
    expect(screen.getByText('Fix the 6 highlighted values to save.')).toBeTruthy();
  });

  it('re-enables Save once the value is valid, and saves it', async () => {
    const { backend } = await setup();
    await type('Max concurrent', '65');
    expect(save().disabled).toBe(true);
    await type('Max concurrent', '12');
    expect(field('Max concurrent').getAttribute('aria-invalid')).toBe('false');
    expect(document.querySelector('[data-setting="max_concurrent"] .error')).toBeNull();
    expect(save().disabled).toBe(false);
    await fireEvent.click(field('Only on WiFi'));
    await fireEvent.click(save());
    await screen.findByText('Settings saved.');
    expect(backend.saveCalls).toBe(1);
    expect(await backend.getSettings()).toEqual({ ...DEFAULT_SETTINGS, max_concurrent: 12, require_wifi: true });
    expect(save().disabled).toBe(true);
  });

  it('loads saved values back in a new form', async () => {
    const backend = new FakeBackend();
    const first = await setup(backend);
    await type('Operation timeout (s)', '90');
    await fireEvent.click(field('Fetch artwork'));
    await fireEvent.click(save());
    await screen.findByText('Settings saved.');
    first.unmount();
    await setup(backend);
    expect(field('Operation timeout (s)').value).toBe('90');
    expect(field('Fetch artwork').checked).toBe(false);
  });

  it('shows the backend’s invalid_config details next to the fields, and keeps Save off until edited', async () => {
    const backend = new FakeBackend();
    // A backend stricter than the UI rules: it refuses a value the UI accepts.
    vi.spyOn(backend, 'saveSettings').mockRejectedValue(
      new BackendError('invalid_config', 'operation_timeout_secs must be between 1 and 120, got 300', [
        { field: 'operation_timeout_secs', value: 300, min: 1, max: 120 },
        { field: 'future_setting', value: 9, min: 0, max: 5 },
      ]),
    );
    await setup(backend);
    await type('Operation timeout (s)', '300');
    expect(save().disabled).toBe(false);
    await fireEvent.click(save());
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Not saved: some values are out of range.');
    expect(alert.textContent).toContain('future_setting: Between 0 and 5');
    const input = field('Operation timeout (s)');
    const block = input.closest('[data-setting]') as HTMLElement;
    expect(within(block).getByText('Between 1 and 120')).toBeTruthy();
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(save().disabled).toBe(true);
    await type('Operation timeout (s)', '100');
    expect(within(block).queryByText('Between 1 and 120')).toBeNull();
    expect(save().disabled).toBe(false);
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('shows other save errors as an alert, as text', async () => {
    const backend = new FakeBackend();
    vi.spyOn(backend, 'saveSettings').mockRejectedValue(new BackendError('database', 'disk <i>full</i>'));
    await setup(backend);
    await type('Max retries', '5');
    await fireEvent.click(save());
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Not saved: disk <i>full</i>');
    expect(alert.querySelector('i')).toBeNull();
    expect(within(alert).getByText('database').tagName).toBe('CODE');
  });

  it('restores the defaults into the form without saving', async () => {
    const backend = new FakeBackend({ settings: { ...DEFAULT_SETTINGS, batch_size: 500, require_wifi: true } });
    await setup(backend);
    await fireEvent.click(screen.getByRole('button', { name: 'Restore defaults' }));
    expect(field('Batch size').value).toBe('50');
    expect(field('Only on WiFi').checked).toBe(false);
    expect(backend.saveCalls).toBe(0);
    expect(save().disabled).toBe(false);
  });

  it('shows a loading state and a load error with retry', async () => {
    render(SettingsPanel, { backend: new FakeBackend({ neverSettle: true }), locale });
    expect(screen.getByRole('status').textContent).toContain('Loading settings');

    const failing = new FakeBackend({ error: { code: 'database', message: 'locked' } });
    const getSettings = vi.spyOn(failing, 'getSettings');
    const { container } = render(SettingsPanel, { backend: failing, locale });
    const alert = await within(container).findByRole('alert');
    expect(alert.textContent).toContain('Could not load the settings');
    expect(alert.textContent).toContain('locked');
    await fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await waitFor(() => expect(getSettings).toHaveBeenCalledTimes(2));
  });
});

describe('SettingsPanel new music and music folders', () => {
  it('loads and saves “Enrich new music automatically” with the other settings', async () => {
    const { backend } = await setup();
    const box = field('Enrich new music automatically');
    expect(box.type).toBe('checkbox');
    expect(box.checked).toBe(false);
    const hint = document.getElementById(box.getAttribute('aria-describedby') ?? '');
    expect(hint?.textContent).toBe(
      'When music arrives in a watched folder, find its artwork and lyrics. WiFi-only still applies.',
    );
    await fireEvent.click(box);
    expect(screen.getByTestId('unsaved')).toBeTruthy();
    await fireEvent.click(save());
    await screen.findByText('Settings saved.');
    expect(await backend.getSettings()).toEqual({ ...DEFAULT_SETTINGS, auto_enrich: true });
    expect(field('Enrich new music automatically').checked).toBe(true);
  });

  it('shows a saved auto_enrich, and Restore defaults turns it off', async () => {
    await setup(new FakeBackend({ settings: { ...DEFAULT_SETTINGS, auto_enrich: true } }));
    expect(field('Enrich new music automatically').checked).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Restore defaults' }));
    expect(field('Enrich new music automatically').checked).toBe(false);
  });

  it('lists the music folders above the form when given the scanner and the watch', async () => {
    const backend = new FakeBackend();
    const onlibrarychange = vi.fn();
    render(SettingsPanel, {
      backend,
      locale,
      scanner: new FolderScanner(backend),
      watch: new MusicWatch(backend),
      onlibrarychange,
    });
    const list = await screen.findByRole('list', { name: 'Music folders' });
    expect(within(list).getByText('/home/me/Music')).toBeTruthy();
    await screen.findByLabelText('Batch size');
    // Before the form: it applies at once, not on Save.
    const form = document.querySelector('form') as HTMLFormElement;
    expect(form.contains(list)).toBe(false);
    expect(list.compareDocumentPosition(form) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    await fireEvent.click(screen.getByRole('button', { name: 'Remove /home/me/Music' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Remove folder' }));
    await screen.findByTestId('music-folder-removed');
    expect(onlibrarychange).toHaveBeenCalledOnce();
    // Nothing to save: the folders are not part of the form.
    expect(save().disabled).toBe(true);
  });

  it('has no music folders section without them', async () => {
    await setup();
    expect(screen.queryByRole('heading', { name: 'Music folders' })).toBeNull();
  });
});

describe('SettingsPanel providers', () => {
  function providerNames() {
    return [...document.querySelectorAll('[data-provider]')].map((el) => el.getAttribute('data-provider'));
  }

  function block(name: string): HTMLElement {
    return document.querySelector(`[data-provider="${name}"]`) as HTMLElement;
  }

  it('lists the providers in priority order with their switches, URLs and rates', async () => {
    await setup();
    const list = screen.getByRole('list', { name: 'Providers in priority order' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(5);
    expect(providerNames()).toEqual(['lrclib', 'musicbrainz', 'coverartarchive', 'deezer', 'itunes']);
    expect(field('Use deezer').checked).toBe(true);
    expect(field('deezer base URL').value).toBe('https://api.deezer.com');
    expect(field('deezer requests per second').value).toBe('10');
    expect(field('deezer requests at once').value).toBe('2');
    expect(field('coverartarchive requests at once').value).toBe('4');
    // About 20 calls a minute reads better than 0.333333 a second.
    expect(field('itunes requests per minute').value).toBe('20');
    expect((screen.getByRole('combobox', { name: 'itunes pace unit' }) as HTMLSelectElement).value).toBe('minute');
    expect((screen.getByRole('combobox', { name: 'lrclib pace unit' }) as HTMLSelectElement).value).toBe('second');
    expect((screen.getByRole('button', { name: 'Move lrclib up' }) as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByRole('button', { name: 'Move itunes down' }) as HTMLButtonElement).disabled).toBe(true);
    expect(save().disabled).toBe(true);
  });

  it('reorders with the move buttons, keeping the focus, and saves the order', async () => {
    const { backend } = await setup();
    const up = screen.getByRole('button', { name: 'Move itunes up' });
    up.focus();
    await fireEvent.click(up);
    expect(providerNames()).toEqual(['lrclib', 'musicbrainz', 'coverartarchive', 'itunes', 'deezer']);
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move itunes up' })));
    await fireEvent.click(screen.getByRole('button', { name: 'Move itunes up' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Move itunes up' }));
    await fireEvent.click(screen.getByRole('button', { name: 'Move itunes up' }));
    expect(providerNames()[0]).toBe('itunes');
    // At the top, the focus goes to the button that can still move it.
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Move itunes down' })));
    await fireEvent.click(screen.getByRole('button', { name: 'Move lrclib down' }));
    await fireEvent.click(field('Use deezer'));
    expect(save().disabled).toBe(false);
    await fireEvent.click(save());
    await screen.findByText('Settings saved.');
    expect(backend.providerSaveCalls).toBe(1);
    expect(backend.saveCalls).toBe(0); // the enrichment settings did not change
    const saved = await backend.getProviders();
    expect(saved.map((p) => p.name)).toEqual(['itunes', 'musicbrainz', 'lrclib', 'coverartarchive', 'deezer']);
    expect(saved.find((p) => p.name === 'deezer')).toMatchObject({ enabled: false, max_in_flight: 2 });
    // The pace shown as 20 a minute, untouched, is saved exact.
    expect(saved.find((p) => p.name === 'itunes')).toMatchObject({ requests_per_second: 1 / 3, max_in_flight: 1 });
    expect(save().disabled).toBe(true);
  });

  it('refuses a bad URL or rate inline and saves nothing at all', async () => {
    const { backend } = await setup();
    await type('Max retries', '5');
    await type('deezer base URL', 'api.deezer.com');
    await type('lrclib requests per second', '0');
    const url = field('deezer base URL');
    expect(url.getAttribute('aria-invalid')).toBe('true');
    expect(within(block('deezer')).getByText('Enter an http:// or https:// address with a host name')).toBeTruthy();
    const errorId = url
      .getAttribute('aria-describedby')
      ?.split(' ')
      .find((id) => id.endsWith('-error'));
    expect(document.getElementById(errorId!)?.textContent).toBe(
      'Enter an http:// or https:// address with a host name',
    );
    expect(within(block('lrclib')).getByText('Must be above 0, at most 1,000')).toBeTruthy();
    await type('musicbrainz requests per second', '1001');
    expect(within(block('musicbrainz')).getByText('Must be above 0, at most 1,000')).toBeTruthy();
    await type('itunes requests per minute', 'fast');
    expect(within(block('itunes')).getByText('Enter a number above 0, at most 60,000')).toBeTruthy();
    expect(save().disabled).toBe(true);
    expect(screen.getByText('Fix the 4 highlighted values to save.')).toBeTruthy();
    await fireEvent.submit(url.form!);
    expect(backend.saveCalls).toBe(0);
    expect(backend.providerSaveCalls).toBe(0);
    // Fixed: Save is back.
    await type('deezer base URL', 'https://api.deezer.com/');
    await type('lrclib requests per second', '2.5');
    await type('musicbrainz requests per second', '1');
    await type('itunes requests per minute', '12');
    expect(save().disabled).toBe(false);
  });

  it('saves the settings first, then the providers', async () => {
    const backend = new FakeBackend();
    const order: string[] = [];
    vi.spyOn(backend, 'saveSettings').mockImplementation(async () => void order.push('settings'));
    vi.spyOn(backend, 'saveProviders').mockImplementation(async () => void order.push('providers'));
    await setup(backend);
    await type('Max retries', '5');
    await type('lrclib base URL', 'https://lrclib.example');
    await fireEvent.click(save());
    await screen.findByText('Settings saved.');
    expect(order).toEqual(['settings', 'providers']);
  });

  it('shows the backend’s ProviderProblem details under the right fields', async () => {
    const backend = new FakeBackend();
    vi.spyOn(backend, 'saveProviders').mockRejectedValue(
      new BackendError('invalid_config', 'provider deezer: "http://10.0.0.1" is not allowed', [
        { name: 'deezer', field: 'base_url', message: 'private addresses are not allowed' },
        { name: 'lrclib', field: 'requests_per_second', message: 'LRCLIB allows at most 10' },
        { name: 'napster', field: 'name', message: 'unknown provider "napster"' },
      ]),
    );
    await setup(backend);
    await type('Max retries', '5');
    await type('deezer base URL', 'http://10.0.0.1');
    await fireEvent.click(save());
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Enrichment settings saved; providers not saved:');
    expect(alert.textContent).toContain('some provider settings are invalid.');
    expect(alert.textContent).toContain('unknown provider "napster"');
    expect(within(block('deezer')).getByText('private addresses are not allowed')).toBeTruthy();
    expect(field('deezer base URL').getAttribute('aria-invalid')).toBe('true');
    expect(within(block('lrclib')).getByText('LRCLIB allows at most 10')).toBeTruthy();
    expect(save().disabled).toBe(true);
    // The settings did go through.
    expect((await backend.getSettings()).max_retries).toBe(5);
    // Editing a field clears its message.
    await type('lrclib requests per second', '5');
    expect(within(block('lrclib')).queryByText('LRCLIB allows at most 10')).toBeNull();
    expect(save().disabled).toBe(true); // deezer still has its message
    await type('deezer base URL', 'https://deezer.example');
    expect(save().disabled).toBe(false);
    expect(screen.getByText('Unsaved changes')).toBeTruthy();
  });

  it('saves nothing of the providers when the settings are refused', async () => {
    const backend = new FakeBackend();
    vi.spyOn(backend, 'saveSettings').mockRejectedValue(
      new BackendError('invalid_config', 'max_retries must be between 0 and 3, got 5', [
        { field: 'max_retries', value: 5, min: 0, max: 3 },
      ]),
    );
    const saveProviders = vi.spyOn(backend, 'saveProviders');
    await setup(backend);
    await type('Max retries', '5');
    await fireEvent.click(field('Use musicbrainz'));
    await fireEvent.click(save());
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Not saved: some values are out of range.');
    expect(saveProviders).not.toHaveBeenCalled();
    expect(
      within(field('Max retries').closest('[data-setting]') as HTMLElement).getByText('Between 0 and 3'),
    ).toBeTruthy();
  });

  it('chooses how found things are written back, with a one-line explanation', async () => {
    const { backend } = await setup();
    const select = screen.getByLabelText('Write back') as HTMLSelectElement;
    expect(select.value).toBe('off');
    expect([...select.options].map((o) => o.textContent)).toEqual(['Off', 'Sidecar files', 'Embed in tags']);
    const hint = () => document.getElementById('setting-write_back-hint')?.textContent;
    expect(hint()).toBe('Found artwork and lyrics stay in Gatefold’s library only.');
    await fireEvent.change(select, { target: { value: 'sidecar' } });
    expect(hint()).toContain('cover.jpg');
    await fireEvent.change(select, { target: { value: 'embed' } });
    expect(hint()).toContain('tags');
    await fireEvent.click(save());
    await screen.findByText('Settings saved.');
    expect((await backend.getSettings()).write_back).toBe('embed');
    expect(backend.providerSaveCalls).toBe(0);
  });

  it('previews what the write-back picked would write, before it is saved', async () => {
    const { backend } = await setup();
    const preview = vi.spyOn(backend, 'writeBackPreview');
    const select = screen.getByLabelText('Write back') as HTMLSelectElement;
    expect(screen.queryByRole('button', { name: 'Preview' })).toBeNull();
    await fireEvent.change(select, { target: { value: 'sidecar' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Preview' }));
    expect(preview).toHaveBeenCalledWith('sidecar');
    const result = await screen.findByRole('region', { name: 'What Sidecar files would write now' });
    expect(within(result).getAllByText('Cover file').length).toBeGreaterThan(0);
    expect(within(result).getAllByText('Lyrics file').length).toBeGreaterThan(0);
    // A preview saves nothing and leaves the form as it was: the pick is still to be saved.
    expect(backend.saveCalls).toBe(0);
    expect(screen.getByTestId('unsaved')).toBeTruthy();
    await fireEvent.change(select, { target: { value: 'off' } });
    expect(screen.queryByTestId('write-back-preview')).toBeNull();
  });

  it('restores the default providers too', async () => {
    const reversed = [...DEFAULT_PROVIDERS].reverse().map((p) => ({ ...p, enabled: false, max_in_flight: 8 }));
    await setup(new FakeBackend({ providers: reversed }));
    expect(providerNames()[0]).toBe('itunes');
    expect(field('lrclib requests at once').value).toBe('8');
    await fireEvent.click(screen.getByRole('button', { name: 'Restore defaults' }));
    expect(providerNames()).toEqual(['lrclib', 'musicbrainz', 'coverartarchive', 'deezer', 'itunes']);
    expect(field('Use lrclib').checked).toBe(true);
    expect(field('lrclib requests at once').value).toBe('2');
    expect(field('itunes requests at once').value).toBe('1');
  });

  it('keeps the engine internals under a collapsed Advanced section', async () => {
    await setup();
    const advanced = screen.getByTestId('settings-advanced') as HTMLDetailsElement;
    expect(advanced.open).toBe(false);
    expect(advanced.querySelector('summary')?.textContent).toBe('Advanced');
    for (const label of [
      'Batch size',
      'Max concurrent',
      'Max retries',
      'Base retry delay (ms)',
      'Operation timeout (s)',
    ]) {
      expect(advanced.contains(field(label)), label).toBe(true);
    }
    expect(advanced.contains(field(LABELS.not_found_max_age_days))).toBe(false);
    expect(advanced.contains(field('Only on WiFi'))).toBe(false);
  });

  it('opens Advanced when the backend refuses a value in it, and says how many need fixing', async () => {
    const backend = new FakeBackend();
    vi.spyOn(backend, 'saveSettings').mockRejectedValue(
      new BackendError('invalid_config', 'batch_size must be between 1 and 500, got 600', [
        { field: 'batch_size', value: 600, min: 1, max: 500 },
      ]),
    );
    await setup(backend);
    await type('Batch size', '600');
    await fireEvent.click(save());
    await screen.findByRole('alert');
    const advanced = screen.getByTestId('settings-advanced') as HTMLDetailsElement;
    expect(advanced.open).toBe(true);
    expect(within(advanced).getByText('One value here needs fixing.')).toBeTruthy();
  });

  it('converts a pace to the other unit without changing what is saved', async () => {
    const { backend } = await setup();
    const unit = screen.getByRole('combobox', { name: 'itunes pace unit' }) as HTMLSelectElement;
    await fireEvent.change(unit, { target: { value: 'second' } });
    expect(field('itunes requests per second').value).toBe('0.333333');
    await fireEvent.change(unit, { target: { value: 'minute' } });
    expect(field('itunes requests per minute').value).toBe('20');
    // Back where it was: nothing to save.
    expect(save().disabled).toBe(true);
    // 90 a minute is saved as 1.5 a second.
    await type('itunes requests per minute', '90');
    await fireEvent.click(save());
    await screen.findByText('Settings saved.');
    expect((await backend.getProviders()).find((p) => p.name === 'itunes')?.requests_per_second).toBe(1.5);
    // Loaded back per second (1.5 reads naturally so).
    expect(field('itunes requests per second').value).toBe('1.5');
  });

  it('marks unsaved edits, discards them, and tells the app whether there are any', async () => {
    const backend = new FakeBackend();
    const states: boolean[] = [];
    const { component } = render(SettingsPanel, {
      backend,
      locale,
      get dirty() {
        return states.at(-1) ?? false;
      },
      set dirty(value: boolean) {
        states.push(value);
      },
    });
    await screen.findByLabelText('Batch size');
    expect(screen.queryByTestId('unsaved')).toBeNull();
    const discard = screen.getByRole('button', { name: 'Discard' }) as HTMLButtonElement;
    expect(discard.disabled).toBe(true);
    await type('Max retries', '7');
    expect(screen.getByTestId('unsaved').textContent).toBe('Unsaved changes');
    await waitFor(() => expect(states.at(-1)).toBe(true));
    await fireEvent.click(discard);
    expect(field('Max retries').value).toBe('3');
    expect(screen.queryByTestId('unsaved')).toBeNull();
    await waitFor(() => expect(states.at(-1)).toBe(false));
    // save() from outside (the app's dialog) saves like the button, and says whether it did.
    await type('Max retries', '6');
    expect(await component.save()).toBe(true);
    expect((await backend.getSettings()).max_retries).toBe(6);
    await type('Max retries', '60');
    expect(await component.save()).toBe(false);
  });

  it('reloads what is saved when the refresh token changes, unless there are unsaved edits', async () => {
    const backend = new FakeBackend();
    const { rerender } = render(SettingsPanel, { backend, locale, refreshToken: 0 });
    await screen.findByLabelText('Batch size');
    await backend.saveSettings({ ...DEFAULT_SETTINGS, require_wifi: true });
    await rerender({ refreshToken: 1 });
    await waitFor(() => expect(field('Only on WiFi').checked).toBe(true));
    await type('Max retries', '7');
    await backend.saveSettings({ ...DEFAULT_SETTINGS, require_wifi: false });
    await rerender({ refreshToken: 2 });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(field('Max retries').value).toBe('7');
    expect(field('Only on WiFi').checked).toBe(true);
  });

  it('shows the URL each provider is asked at, and when an environment variable replaces the saved one', async () => {
    const backend = new FakeBackend({ envUrls: { lrclib: 'http://127.0.0.1:8080/lrclib' } });
    await setup(backend);
    const lrclib = await waitFor(() => {
      const note = document.querySelector('[data-provider="lrclib"] [data-testid="url-in-use"]');
      expect(note).toBeTruthy();
      return note as HTMLElement;
    });
    const text = lrclib.textContent?.replace(/\s+/g, ' ');
    expect(text).toContain('In use: http://127.0.0.1:8080/lrclib');
    expect(text).toContain('GATEFOLD_LRCLIB_URL');
    expect(text).toMatch(/replaces the saved URL above\. The saved URL applies when the variable is unset\./);
    // The saved one stays editable, and the note describes its field.
    const input = field('lrclib base URL');
    expect(input.disabled).toBe(false);
    expect(input.value).toBe('https://lrclib.net');
    expect(input.getAttribute('aria-describedby')?.split(' ')).toContain(lrclib.id);
    // Without a variable: the saved URL is the one in use.
    const deezer = document.querySelector('[data-provider="deezer"] [data-testid="url-in-use"]');
    expect(deezer?.textContent?.replace(/\s+/g, ' ').trim()).toBe('In use: https://api.deezer.com');
    expect(deezer?.textContent).not.toContain('GATEFOLD_');

    // Saved: the URL in use follows (unless the variable replaces it).
    await fireEvent.input(field('deezer base URL'), { target: { value: 'https://deezer.example/api' } });
    await fireEvent.input(field('lrclib base URL'), { target: { value: 'https://lyrics.example' } });
    await fireEvent.click(save());
    await screen.findByText('Settings saved.');
    await waitFor(() =>
      expect(document.querySelector('[data-provider="deezer"] [data-testid="url-in-use"]')?.textContent).toContain(
        'https://deezer.example/api',
      ),
    );
    expect(document.querySelector('[data-provider="lrclib"] [data-testid="url-in-use"]')?.textContent).toContain(
      'http://127.0.0.1:8080/lrclib',
    );
    expect(field('lrclib base URL').value).toBe('https://lyrics.example');
  });

  /** The ids a field's aria-describedby names, and the text of each. */
  function described(input: HTMLElement): string[] {
    return (input.getAttribute('aria-describedby') ?? '')
      .split(' ')
      .map((id) => document.getElementById(id)?.textContent?.replace(/\s+/g, ' ').trim() ?? `missing #${id}`);
  }

  it('shows each provider’s saved requests at once in an “At once” field, with its range', async () => {
    const providers = DEFAULT_PROVIDERS.map((p) => ({
      ...p,
      max_in_flight: p.name === 'lrclib' ? 16 : p.max_in_flight,
    }));
    await setup(new FakeBackend({ providers }));
    for (const name of ['lrclib', 'musicbrainz', 'coverartarchive', 'deezer', 'itunes']) {
      const input = within(block(name)).getByLabelText(`${name} requests at once`) as HTMLInputElement;
      expect(input.id).toBe(`provider-${name}-in-flight`);
      // Labelled "At once" on screen.
      expect(document.querySelector(`label[for="${input.id}"]`)?.textContent).toBe('At once');
      expect(input.getAttribute('aria-invalid')).toBe('false');
      expect(described(input)).toEqual([expect.stringContaining('Requests in flight at the same time, 1–64.')]);
    }
    expect(field('lrclib requests at once').value).toBe('16');
    expect(field('musicbrainz requests at once').value).toBe('1');
    expect(field('coverartarchive requests at once').value).toBe('4');
    expect(field('deezer requests at once').value).toBe('2');
    expect(field('itunes requests at once').value).toBe('1');
    // LRCLIB's hint says a self-hosted instance can take more; the section says what the field is.
    expect(described(field('lrclib requests at once'))[0]).toContain('self-hosted LRCLIB can take more');
    expect(described(field('deezer requests at once'))[0]).not.toContain('LRCLIB');
    const hint = screen.getByTestId('in-flight-hint').textContent?.replace(/\s+/g, ' ');
    expect(hint).toContain('At once is how many requests a provider is sent at the same time, from 1 to 64.');
    expect(hint).toContain('16');
    expect(save().disabled).toBe(true);
  });

  it('refuses requests at once that are not a whole number from 1 to 64 inline, and saves nothing', async () => {
    const { backend } = await setup();
    const saveProviders = vi.spyOn(backend, 'saveProviders');
    const input = field('lrclib requests at once');
    for (const [value, message] of [
      ['0', 'Between 1 and 64'],
      ['65', 'Between 1 and 64'],
      ['2.5', 'Enter a whole number between 1 and 64'],
      ['', 'Enter a whole number between 1 and 64'],
    ]) {
      await type('lrclib requests at once', value);
      expect(input.getAttribute('aria-invalid'), value).toBe('true');
      expect(within(block('lrclib')).getByText(message)).toBeTruthy();
      // The message describes the field, after its hint.
      const ids = input.getAttribute('aria-describedby')?.split(' ');
      expect(ids).toEqual(['provider-lrclib-in-flight-hint', 'provider-lrclib-in-flight-error']);
      expect(document.getElementById(ids![1])?.textContent).toBe(message);
      expect(block('lrclib').classList.contains('invalid')).toBe(true);
      expect(save().disabled).toBe(true);
      expect(screen.getByText('Fix the highlighted value to save.')).toBeTruthy();
      await fireEvent.submit(input.form!);
    }
    expect(saveProviders).not.toHaveBeenCalled();
    expect(backend.providerSaveCalls).toBe(0);
    // Back in range: no message, Save is back.
    await type('lrclib requests at once', '64');
    expect(input.getAttribute('aria-invalid')).toBe('false');
    expect(input.getAttribute('aria-describedby')).toBe('provider-lrclib-in-flight-hint');
    expect(within(block('lrclib')).queryByText('Between 1 and 64')).toBeNull();
    expect(save().disabled).toBe(false);
  });

  it('sends the requests at once with the saved providers, every provider carrying its own', async () => {
    const { backend } = await setup();
    const saveProviders = vi.spyOn(backend, 'saveProviders');
    await type('lrclib requests at once', ' 16 ');
    expect(screen.getByTestId('unsaved')).toBeTruthy();
    await fireEvent.click(save());
    await screen.findByText('Settings saved.');
    expect(saveProviders).toHaveBeenCalledOnce();
    expect(saveProviders.mock.calls[0][0].map((p) => [p.name, p.max_in_flight])).toEqual([
      ['lrclib', 16],
      ['musicbrainz', 1],
      ['coverartarchive', 4],
      ['deezer', 2],
      ['itunes', 1],
    ]);
    expect((await backend.getProviders()).find((p) => p.name === 'lrclib')?.max_in_flight).toBe(16);
    // Loaded back: the saved value, nothing left to save.
    expect(field('lrclib requests at once').value).toBe('16');
    expect(save().disabled).toBe(true);
    // Another field's change sends every provider's requests at once as they are.
    await type('deezer base URL', 'https://deezer.example');
    await fireEvent.click(save());
    await waitFor(() => expect(saveProviders).toHaveBeenCalledTimes(2));
    expect(saveProviders.mock.calls[1][0].map((p) => p.max_in_flight)).toEqual([16, 1, 4, 2, 1]);
  });

  it('shows the engine’s max_in_flight problem under the At once field', async () => {
    const backend = new FakeBackend();
    const message = 'provider lrclib: requests at once must be a whole number from 1 to 64, got 40';
    vi.spyOn(backend, 'saveProviders').mockRejectedValue(
      new BackendError('invalid_config', message, [{ name: 'lrclib', field: 'max_in_flight', message }]),
    );
    await setup(backend);
    await type('lrclib requests at once', '40');
    await fireEvent.click(save());
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('some provider settings are invalid.');
    // Under its field, not in the alert.
    expect(alert.textContent).not.toContain(message);
    const input = field('lrclib requests at once');
    expect(input.getAttribute('aria-invalid')).toBe('true');
    expect(within(block('lrclib')).getByText(message)).toBeTruthy();
    expect(described(input)).toContain(message);
    expect(save().disabled).toBe(true);
    // Editing the field clears the engine's message.
    await type('lrclib requests at once', '8');
    expect(within(block('lrclib')).queryByText(message)).toBeNull();
    expect(input.getAttribute('aria-invalid')).toBe('false');
    expect(save().disabled).toBe(false);
  });

  it('works without the URLs in use when they cannot be loaded', async () => {
    const backend = new FakeBackend();
    vi.spyOn(backend, 'providerUrls').mockRejectedValue(new BackendError('database', 'locked'));
    await setup(backend);
    expect(field('lrclib base URL').value).toBe('https://lrclib.net');
    expect(document.querySelector('[data-testid="url-in-use"]')).toBeNull();
    expect(screen.queryByRole('alert')).toBeNull();
  });
});
