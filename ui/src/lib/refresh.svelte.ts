import { untrack } from 'svelte';

/**
 * Calls `reload` each time `token()` changes after the first run (not on mount: the component
 * loads then anyway). For the `refreshToken` props the app bumps when the library changed.
 * Call it during component initialisation (it creates an effect).
 */
export function reloadOnChange(token: () => number, reload: () => void): void {
  let seen: number | null = null;
  $effect(() => {
    const current = token();
    untrack(() => {
      if (seen !== null && current !== seen) reload();
      seen = current;
    });
  });
}
