import { afterEach, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { explain, readFindings, stageSources } from './electronegativity.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the electronegativity report', () => {
  it('scans shipped code only: no tests, test helpers, fixtures or the integration harness', () => {
    const stage = mkdtempSync(join(tmpdir(), 'beacon-en-stage-'));
    dirs.push(stage);
    stageSources(stage);
    expect(existsSync(join(stage, 'main/windows/tray-window.ts'))).toBe(true);
    expect(existsSync(join(stage, 'preload/index.ts'))).toBe(true);
    expect(existsSync(join(stage, 'renderer/index.html'))).toBe(true);
    expect(existsSync(join(stage, 'main/windows/tray-window.test.ts'))).toBe(false);
    expect(existsSync(join(stage, 'test/fakes'))).toBe(false);
    expect(existsSync(join(stage, 'test/integration'))).toBe(false);
  });

  it('reads SARIF findings with repo-relative paths', () => {
    const sarif = {
      runs: [
        {
          results: [
            {
              ruleId: 'AUXCLICK_JS_CHECK',
              level: 'warning',
              message: { text: 'Middle-click…' },
              locations: [{ physicalLocation: { artifactLocation: { uri: '/tmp/stage/main/windows/tray-window.ts' }, region: { startLine: 42 } } }],
            },
          ],
        },
      ],
    };
    expect(readFindings(sarif, '/tmp/stage')).toEqual([{ ruleId: 'AUXCLICK_JS_CHECK', level: 'warning', file: 'main/windows/tray-window.ts', line: 42, message: 'Middle-click…' }]);
  });

  it('explains the findings Beacon is known to raise, and not unknown ones', () => {
    const finding = (ruleId: string) => ({ ruleId, level: 'note', file: 'x', line: 1, message: '' });
    for (const rule of ['CSP_GLOBAL_CHECK', 'OPEN_EXTERNAL_JS_CHECK', 'AUXCLICK_JS_CHECK', 'PRELOAD_JS_CHECK', 'SANDBOX_JS_CHECK']) expect(explain(finding(rule)), rule).toBeTruthy();
    expect(explain(finding('NODE_INTEGRATION_JS_CHECK'))).toBeUndefined();
  });
});
