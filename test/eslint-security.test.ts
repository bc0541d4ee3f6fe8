import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { electronSecurity } from '../eslint.config.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function lintFixture(name: string) {
  // ignore: false so the fixtures (ignored by `npm run lint`) are linted here.
  const eslint = new ESLint({ cwd: root, ignore: false });
  const [result] = await eslint.lintFiles([fixture(name)]);
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-syntax');
}

describe('the Electron security lint gate', () => {
  it('flags every banned pattern on the line that carries it', async () => {
    const messages = await lintFixture('security-violations.ts');
    const lines = readFileSync(fixture('security-violations.ts'), 'utf8').split('\n');
    const marked = lines.flatMap((text, index) => (/\/\/ SEC-\d+/.test(text) ? [index + 1] : []));
    expect(marked.length).toBeGreaterThanOrEqual(electronSecurity.length);
    for (const line of marked) {
      expect(messages.some((m) => m.line === line), `no lint error on fixture line ${line}: ${lines[line - 1]}`).toBe(true);
    }
  });

  it('fires each rule of the set at least once', async () => {
    const messages = await lintFixture('security-violations.ts');
    const fired = new Set(messages.map((m) => m.message));
    const silent = electronSecurity.filter((rule) => !fired.has(rule.message));
    expect(silent.map((rule) => rule.selector)).toEqual([]);
  });

  it('accepts the hardened equivalent', async () => {
    expect(await lintFixture('security-clean.ts')).toEqual([]);
  });

  it('keeps electron out of main/core', async () => {
    const eslint = new ESLint({ cwd: root });
    const results = await eslint.lintText("import { app } from 'electron';\nexport const a = app;\n", {
      filePath: `${root}main/core/example.ts`,
    });
    expect(results[0]!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
  });
});
