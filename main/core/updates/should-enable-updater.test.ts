import { describe, expect, it } from 'vitest';
import { shouldEnableUpdater, type UpdaterConditions } from './should-enable-updater.ts';

// Each condition, the value that blocks updates, and what the reason must say about it.
const checks = [
  { key: 'isPackaged', blocking: false, says: /development run/ },
  { key: 'disabledByPolicy', blocking: true, says: /IT policy/ },
  { key: 'hasUpdateYml', blocking: false, says: /app-update\.yml/ },
  { key: 'installWritable', blocking: false, says: /not writable/ },
] as const;

// All 16 combinations of the four booleans.
const table = Array.from({ length: 16 }, (_, bits) => {
  const conditions = Object.fromEntries(checks.map((check, index) => [check.key, Boolean(bits & (1 << index))])) as unknown as UpdaterConditions;
  // The first condition (in the order above) that blocks decides the reason.
  const firstBlocking = checks.find((check) => conditions[check.key] === check.blocking);
  return { conditions, enabled: firstBlocking === undefined, says: firstBlocking?.says ?? /updates are on/ };
});

describe('shouldEnableUpdater', () => {
  it('covers all 16 combinations, exactly one of which enables updates', () => {
    expect(new Set(table.map((row) => JSON.stringify(row.conditions))).size).toBe(16);
    expect(table.filter((row) => row.enabled)).toHaveLength(1);
  });

  it.each(table)('$conditions → enabled=$enabled', ({ conditions, enabled, says }) => {
    const decision = shouldEnableUpdater(conditions);
    expect(decision.enabled).toBe(enabled);
    expect(decision.reason).toMatch(says);
  });

  it('is on only for a packaged, writable install with app-update.yml and no policy', () => {
    expect(shouldEnableUpdater({ isPackaged: true, disabledByPolicy: false, hasUpdateYml: true, installWritable: true })).toEqual({
      enabled: true,
      reason: 'updates are on',
    });
  });
});
