import { afterEach, describe, expect, it } from 'vitest';
import type { Shell } from './compose.ts';
import { installTestHooks, TEST_HOOKS_GLOBAL, testHooksEnabled } from './test-hooks.ts';

afterEach(() => {
  delete (globalThis as Record<string, unknown>)[TEST_HOOKS_GLOBAL];
});

describe('end-to-end test hooks', () => {
  it('exist only in unpackaged runs started with BEACON_E2E=1', () => {
    expect(testHooksEnabled(false, { BEACON_E2E: '1' })).toBe(true);
    expect(testHooksEnabled(true, { BEACON_E2E: '1' })).toBe(false);
    expect(testHooksEnabled(false, {})).toBe(false);
    expect(installTestHooks(new Promise<Shell>(() => {}), true, { BEACON_E2E: '1' })).toBeUndefined();
    expect(TEST_HOOKS_GLOBAL in globalThis).toBe(false);
  });

  it('refuse to act before the shell is ready', () => {
    const hooks = installTestHooks(new Promise<Shell>(() => {}), false, { BEACON_E2E: '1' })!;
    expect((globalThis as Record<string, unknown>)[TEST_HOOKS_GLOBAL]).toBe(hooks);
    expect(() => hooks.windowVisible()).toThrow(/not ready/);
  });
});
