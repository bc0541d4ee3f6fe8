/**
 * The import boundaries of docs/architecture.md hold by lint, not by
 * discipline: each case plants one violation in a temporary file inside the
 * tree (where the boundaries apply), lints it with the project's config, and
 * expects the boundaries rule to fail on the planted line. The twin case shows
 * that the allowed imports pass.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const planted: string[] = [];
afterAll(() => {
  for (const path of planted) rmSync(path, { force: true });
});

/** Writes `source` to a fresh file in `dir` and returns the rule ids ESLint reports on line 1. */
async function lintPlanted(dir: string, source: string, extension = 'ts'): Promise<string[]> {
  const path = join(root, dir, `planted-${randomBytes(4).toString('hex')}.${extension}`);
  planted.push(path);
  writeFileSync(path, `${source}\nexport const planted = value;\n`);
  const [result] = await new ESLint({ cwd: root }).lintFiles([path]);
  rmSync(path, { force: true });
  return result!.messages.filter((message) => message.line === 1).map((message) => message.ruleId ?? 'fatal');
}

const violations: ReadonlyArray<{ rule: string; dir: string; source: string; extension?: string }> = [
  { rule: 'the core never imports the local stack', dir: 'main/core', source: "import { createStack as value } from '../../supabase/local/stack.ts';" },
  { rule: 'the core never imports test code', dir: 'main/core', source: "import { FakeClock as value } from '../../test/fakes/fake-clock.ts';" },
  { rule: 'the core never imports an adapter', dir: 'main/core', source: "import { trayMenuTemplate as value } from '../tray/tray-menu.ts';" },
  { rule: 'the core never imports the shell', dir: 'main/core', source: "import { composeShell as value } from '../shell/compose.ts';" },
  { rule: 'the core never imports electron', dir: 'main/core', source: "import { app as value } from 'electron';" },
  { rule: 'an adapter never imports another adapter', dir: 'main/tray', source: "import { placeWindow as value } from '../windows/placement.ts';" },
  { rule: 'shipped code never imports development tools', dir: 'main/tray', source: "import { LineNotifier as value } from '../../tools/headless/line-notifier.ts';" },
  { rule: 'shipped code never imports a test file', dir: 'main/core', source: "import * as value from './config/config.test.ts';" },
  { rule: 'the preload imports only the IPC contract', dir: 'preload', source: "import { AppService as value } from '../main/core/app/app-service.ts';" },
  {
    rule: 'the renderer imports only the IPC contract',
    dir: 'renderer/src',
    source: "import { TrayModel as value } from '../../main/core/model/tray-model.ts';",
    extension: 'tsx',
  },
  { rule: 'the renderer never imports the preview', dir: 'renderer/src', source: "import { DEFAULT_RENDERER_ROOT as value } from '../../preview/server.ts';", extension: 'tsx' },
];

describe('the import boundaries', () => {
  for (const violation of violations) {
    it(`fails lint when ${violation.rule}`, async () => {
      const rules = await lintPlanted(violation.dir, violation.source, violation.extension);
      expect(rules).toContain('boundaries/dependencies');
    });
  }

  it('accept what the architecture allows', async () => {
    const allowed = [
      { dir: 'main/tray', source: "import { APP_ID as value } from '../core/app-id.ts';" },
      { dir: 'main/shell', source: "import { createTrayWindow as value } from '../windows/tray-window.ts';" },
      { dir: 'renderer/src', source: "import { THEMES as value } from '../../main/core/ipc/contract.ts';", extension: 'tsx' },
      { dir: 'tools/headless', source: "import { BeaconCore as value } from '../../main/core/beacon-core.ts';" },
    ];
    for (const { dir, source, extension } of allowed) {
      expect(await lintPlanted(dir, source, extension), source).not.toContain('boundaries/dependencies');
    }
  });
});
