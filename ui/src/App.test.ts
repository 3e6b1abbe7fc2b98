import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import App from './App.svelte';
import { FakeBackend } from './lib/fakeBackend';

describe('App', () => {
  it('shows the title and the library card', async () => {
    render(App, { backend: new FakeBackend(), locale: 'en-US' });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Gatefold');
    expect(screen.getByRole('heading', { level: 2 }).textContent).toBe('Library');
    await screen.findByText('1,234');
  });
});
