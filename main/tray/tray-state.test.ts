import { describe, expect, it } from 'vitest';
import type { ViewHeader } from '../core/model/view-types.ts';
import { trayIconState, trayTitle, trayTooltip } from './tray-state.ts';

const header = (fields: Partial<ViewHeader>): ViewHeader => ({ health: 'live', profile: null, activeCount: 0, attention: [], ...fields });
const FAILED = ['3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b'];

describe('trayIconState', () => {
  it.each(['live', 'polling', 'offline', 'signed-out'] as const)('shows the %s icon for that health', (health) => {
    expect(trayIconState(header({ health }), true)).toEqual({ icon: health, health, attention: false });
  });

  it('delayed (changes not flowing) shares the polling icon and says so in the tooltip', () => {
    expect(trayIconState(header({ health: 'delayed' }), true)).toEqual({ icon: 'polling', health: 'delayed', attention: false });
    expect(trayTooltip(header({ health: 'delayed' }), true)).toMatch(/Updates delayed/);
  });

  it('is signed out before the first view', () => {
    expect(trayIconState(null, true).icon).toBe('signed-out');
  });

  it('unseen failures turn live and polling into attention', () => {
    expect(trayIconState(header({ health: 'live', attention: FAILED }), true).icon).toBe('attention');
    expect(trayIconState(header({ health: 'polling', attention: FAILED }), true).icon).toBe('attention');
  });

  it('offline stays visible where notifications already announced the failures', () => {
    expect(trayIconState(header({ health: 'offline', attention: FAILED }), true)).toEqual({ icon: 'offline', health: 'offline', attention: true });
  });

  it('without notifications the icon is the only signal: attention wins over offline', () => {
    expect(trayIconState(header({ health: 'offline', attention: FAILED }), false).icon).toBe('attention');
  });

  it('signed out shows no attention', () => {
    expect(trayIconState(header({ health: 'signed-out', attention: FAILED }), false)).toEqual({ icon: 'signed-out', health: 'signed-out', attention: false });
  });
});

describe('trayTooltip and trayTitle', () => {
  it('names the state and the active tasks', () => {
    expect(trayTooltip(header({ activeCount: 3 }), true)).toBe('Beacon — Live · 3 active tasks');
    expect(trayTooltip(header({ activeCount: 1 }), true)).toBe('Beacon — Live · 1 active task');
    expect(trayTooltip(header({ health: 'offline' }), true)).toBe('Beacon — Offline');
  });

  it('mentions failed tasks and missing notifications', () => {
    expect(trayTooltip(header({ attention: FAILED }), false)).toBe('Beacon — Live · 1 contact with failed tasks · notifications unavailable on this system');
  });

  it('says signed out, with no counts', () => {
    expect(trayTooltip(null, true)).toBe('Beacon — Signed out');
    expect(trayTooltip(header({ health: 'signed-out', activeCount: 4 }), true)).toBe('Beacon — Signed out');
  });

  it('the macOS title is the active count, empty when none', () => {
    expect(trayTitle(header({ activeCount: 3 }))).toBe('3');
    expect(trayTitle(header({ activeCount: 0 }))).toBe('');
    expect(trayTitle(null)).toBe('');
  });
});
