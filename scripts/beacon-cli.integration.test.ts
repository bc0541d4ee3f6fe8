/**
 * `./beacon`, the newcomer's entry point: alone it says what it can do, and
 * `./beacon test <file>` / `./beacon test -- <file>` run only that file (each
 * case runs a real, nested Vitest on one small unit test file).
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const ONE_FILE = 'test/guards/guards.test.ts';

function beacon(args: string[]) {
  // CI unset: the nested run must not write the JSON report this run's CI reads.
  const run = spawnSync(join(root, 'beacon'), args, { cwd: root, encoding: 'utf8', env: { ...process.env, CI: '' }, timeout: 120_000 });
  return { status: run.status, out: stripVTControlCharacters(`${run.stdout}${run.stderr}`) };
}

describe('./beacon', () => {
  it('alone, prints the commands it knows and exits 0 without running anything', () => {
    const run = beacon([]);
    expect(run.status).toBe(0);
    expect(run.out).toMatch(/^usage: \.\/beacon <command>/m);
    for (const command of ['demo', 'test [file…]', 'test:unit', 'stack', 'headless', 'lint']) expect(run.out).toContain(command);
    expect(run.out).not.toMatch(/Test Files/);
  });

  it.each([
    ['./beacon test <file>', ['test', ONE_FILE]],
    ['./beacon test -- <file>', ['test', '--', ONE_FILE]],
  ])('%s runs that file only', { timeout: 150_000 }, (_name, args) => {
    const run = beacon(args);
    expect(run.status, run.out).toBe(0);
    expect(run.out).toMatch(/Test Files\s+1 passed \(1\)/);
    expect(run.out).toContain(ONE_FILE);
  });
});
