import { afterEach, describe, expect, it, vi } from 'vitest';
import { act, renderHook } from '@testing-library/react';
import { resolveTheme, useTheme } from './theme.ts';

/** A prefers-color-scheme the test can flip, like the OS switching to dark mode. */
function fakeColorScheme(dark: boolean) {
  const listeners = new Set<() => void>();
  const state = { dark };
  vi.spyOn(window, 'matchMedia').mockImplementation(
    (query: string) =>
      ({
        get matches() {
          return query.includes('dark') && state.dark;
        },
        media: query,
        addEventListener: (_type: string, listener: () => void) => listeners.add(listener),
        removeEventListener: (_type: string, listener: () => void) => listeners.delete(listener),
      }) as unknown as MediaQueryList,
  );
  return {
    set(next: boolean) {
      state.dark = next;
      for (const listener of listeners) listener();
    },
  };
}

afterEach(() => {
  vi.restoreAllMocks();
  delete document.documentElement.dataset.theme;
});

describe('theme', () => {
  it('resolves the choice against the OS preference', () => {
    expect(resolveTheme('system', true)).toBe('dark');
    expect(resolveTheme('system', false)).toBe('light');
    expect(resolveTheme('light', true)).toBe('light');
    expect(resolveTheme('dark', false)).toBe('dark');
  });

  it('sets data-theme on <html> and follows the OS live for "system"', () => {
    const scheme = fakeColorScheme(false);
    const { rerender } = renderHook(({ theme }) => useTheme(theme), { initialProps: { theme: 'system' as 'system' | 'light' | 'dark' } });
    expect(document.documentElement.dataset.theme).toBe('light');
    act(() => scheme.set(true));
    expect(document.documentElement.dataset.theme).toBe('dark');
    rerender({ theme: 'light' });
    expect(document.documentElement.dataset.theme).toBe('light');
    act(() => scheme.set(false));
    rerender({ theme: 'dark' });
    expect(document.documentElement.dataset.theme).toBe('dark');
  });
});
