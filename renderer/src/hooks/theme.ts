/**
 * Puts data-theme="light" | "dark" on <html>: the user's choice, or the OS's
 * (prefers-color-scheme, followed live) for "system".
 */
import { useLayoutEffect, useSyncExternalStore } from 'react';
import type { Theme } from '../../../main/core/ipc/contract.ts';

export type AppliedTheme = 'light' | 'dark';

const DARK_QUERY = '(prefers-color-scheme: dark)';

export function resolveTheme(theme: Theme, systemDark: boolean): AppliedTheme {
  if (theme === 'system') return systemDark ? 'dark' : 'light';
  return theme;
}

export function systemPrefersDark(): boolean {
  return typeof window.matchMedia === 'function' && window.matchMedia(DARK_QUERY).matches;
}

function subscribe(listener: () => void): () => void {
  if (typeof window.matchMedia !== 'function') return () => {};
  const query = window.matchMedia(DARK_QUERY);
  query.addEventListener('change', listener);
  return () => query.removeEventListener('change', listener);
}

export function applyTheme(theme: AppliedTheme, root: HTMLElement = document.documentElement): void {
  if (root.dataset.theme !== theme) root.dataset.theme = theme;
}

export function useTheme(theme: Theme): AppliedTheme {
  const systemDark = useSyncExternalStore(subscribe, systemPrefersDark);
  const applied = resolveTheme(theme, systemDark);
  useLayoutEffect(() => applyTheme(applied), [applied]);
  return applied;
}
