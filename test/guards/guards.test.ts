/**
 * The unit project's promise: nothing outside the process. These run in that
 * project and show that reaching for PostgreSQL or a browser fails there with
 * the rule, rather than quietly starting one.
 */
import { describe, expect, it } from 'vitest';
import { startDatabase } from '../../supabase/local/db/database.ts';
import { launchChromium } from '../e2e/browser/chromium.ts';

describe('in the unit project', () => {
  it('starting PostgreSQL fails with the naming rule', async () => {
    await expect(startDatabase()).rejects.toThrow(/unit tests start no PostgreSQL: name the file \*\.integration\.test\.ts/);
  });

  it('launching a browser fails with the naming rule', async () => {
    await expect(launchChromium('/usr/bin/chromium')).rejects.toThrow(/unit tests launch no browser: name the file \*\.e2e\.test\.ts/);
  });
});
