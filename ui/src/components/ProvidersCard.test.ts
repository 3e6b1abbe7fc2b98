import { render, screen, within } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { XSS_STRING, providerRequests, runResultFixture } from '../lib/fixtures';
import ProvidersCard from './ProvidersCard.svelte';

const locale = 'en-US';

function plain(text: string | null | undefined): string {
  return (text ?? '').replace(/\s+/g, ' ').trim();
}

describe('ProvidersCard', () => {
  it('has the same figures as definition rows, for a narrow card', () => {
    const { container } = render(ProvidersCard, {
      providers: runResultFixture().requests!,
      phase: 'finished',
      locale,
    });
    // Shown instead of the table when the card is narrow (a container query): named like it.
    const list = container.querySelector('ul.narrow') as HTMLElement;
    expect(list.getAttribute('aria-label')).toBe('Requests and answers per provider in this run');
    const item = (provider: string) => list.querySelector(`li[data-provider="${provider}"]`) as HTMLElement;
    expect(plain(item('deezer images').querySelector('.name')?.textContent)).toBe('Deezer images');
    expect(item('deezer images').classList).toContain('sub');
    const facts = (provider: string) =>
      [...item(provider).querySelectorAll('dl > div')].map((d) => [
        plain(d.querySelector('dt')?.textContent),
        plain(d.querySelector('dd')?.textContent),
      ]);
    expect(facts('musicbrainz')).toEqual([
      ['Requests', '1,060'],
      ['Found', '1,000'],
      ['Not found', '48'],
      ['Throttled', '12'],
      ['Errors', '0'],
      ['Retries', '12'],
      ['p50', '330 ms'],
      ['p95', '910 ms'],
      ['Received', '2.1 MB'],
    ]);
    // The total adds the counts up, not the times.
    expect(facts('total').map(([label]) => label)).toEqual([
      'Requests',
      'Found',
      'Not found',
      'Throttled',
      'Errors',
      'Retries',
      'Received',
    ]);
    // The table explains its short headers.
    const table = within(screen.getByRole('region', { name: 'Providers' })).getByRole('table');
    const note = document.getElementById(table.getAttribute('aria-describedby') ?? '');
    expect(note?.textContent).toMatch(/^p50 and p95: half of the requests, and 95 in 100/);
    expect(table.querySelector('th abbr[title="Median time to the whole answer"]')?.textContent).toBe('p50');
  });

  it('says what its figures are of, for each phase', async () => {
    const providers = [providerRequests('lrclib', 3)];
    const state = () => plain(screen.getByTestId('providers-state').textContent);
    const { rerender } = render(ProvidersCard, { providers, phase: 'running', locale });
    expect(state()).toBe('Live: updated every 2 seconds');
    // One provider: no total row.
    expect(screen.getByRole('table').querySelector('tfoot')).toBeNull();
    await rerender({ phase: 'cancelled' });
    expect(state()).toBe('This run, until it was cancelled');
    await rerender({ phase: 'failed' });
    expect(state()).toBe('This run, until it stopped on an error');
    await rerender({ phase: 'finished', providers: [] });
    expect(screen.getByTestId('providers-none').textContent?.trim()).toBe('No provider was asked in this run.');
    expect(screen.queryByRole('table')).toBeNull();
  });

  it('shows a provider it does not know by its name, as text', () => {
    const { container } = render(ProvidersCard, {
      providers: [providerRequests(XSS_STRING, 2, { bytes: 10 })],
      phase: 'finished',
      locale,
    });
    expect(screen.getByRole('rowheader').textContent?.trim()).toBe(XSS_STRING);
    expect(container.querySelector('img')).toBeNull();
  });
});
