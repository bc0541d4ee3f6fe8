/**
 * node scripts/electronegativity.ts [--strict]
 *
 * Runs Doyensec's electronegativity 1.10.3 (LINT-01: advisory, the gate is the
 * ESLint rules and the unit tests) over the code Beacon ships, writes
 * artifacts/electronegativity.sarif and prints every finding with the
 * explanation from docs/security.md's table below. `--strict` exits 1 when a
 * finding has no explanation (a new finding must be fixed or explained).
 *
 * - The tool is not a devDependency (it drags in ~400 packages, TypeScript 4.2
 *   and ESLint 7): npx installs it into a private npm cache under the temp dir.
 * - It scans a staged copy of main/ and preload/ without tests, test helpers
 *   and the integration harness (their hostile fixtures are not shipped code),
 *   plus renderer/index.html for the CSP; paths in the SARIF are the repo's.
 * - It is kept offline: its got-based fetches (Electron release list,
 *   translations) are answered with an immediate error by a small preload.
 *   Without that, got's retry crashes the tool on Node 24 ("The `onCancel`
 *   handler was attached after the promise settled") when GitHub is unreachable.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOOL = '@doyensec/electronegativity@1.10.3';
export const ELECTRON_VERSION = '45.4.1';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SARIF_PATH = join(ROOT, 'artifacts/electronegativity.sarif');

export interface Finding {
  readonly ruleId: string;
  readonly level: string;
  readonly file: string;
  readonly line: number | undefined;
  readonly message: string;
}

/** Why each finding Beacon's code raises is acceptable; keyed by rule, then optionally by file. */
export const EXPLANATIONS: Readonly<Record<string, string>> = {
  CSP_GLOBAL_CHECK:
    "csp-evaluator's generic note on script-src 'self'. The policy is default-src 'none'; script-src 'self' with no unsafe-inline/eval, and 'self' is app://bundle/, which serves only the built bundle (no JSONP endpoints, no user uploads). The same policy is sent as a header by the app:// handler.",
  OPEN_EXTERNAL_JS_CHECK:
    'Every call ends in main/security/open-external.ts (openExternalSafe): https only, CRM host allowlist, no credentials, ≤ 2081 chars; ESLint bans shell.openExternal elsewhere (SEC-15).',
  AUXCLICK_JS_CHECK:
    "Middle-click opens a new window only through the window-open handler, and setWindowOpenHandler returns {action:'deny'} for every URL on every webContents (SEC-14).",
  PRELOAD_JS_CHECK:
    'The preload is the sandboxed, bundled out/preload/index.cjs; it exposes only the IPC contract functions via contextBridge, never ipcRenderer (SEC-20, preload/index.test.ts).',
  SANDBOX_JS_CHECK:
    'Stale check: sandbox is the default since Electron 20, app.enableSandbox() is called before ready, and the window sets sandbox: true explicitly (SEC-04).',
  CONTEXT_ISOLATION_JS_CHECK: 'contextIsolation is true on the only window and is the default since Electron 12 (SEC-03).',
  PERMISSION_REQUEST_HANDLER_GLOBAL_CHECK:
    'Both setPermissionRequestHandler (deny all) and setPermissionCheckHandler (false) are installed on every session (main/security/navigation.ts, SEC-05).',
  LIMIT_NAVIGATION_GLOBAL_CHECK:
    'will-navigate, will-frame-navigate and will-redirect are refused unless the URL is app://bundle/ (main/security/navigation.ts, SEC-13).',
};

/** Reads a SARIF file into findings with repo-relative paths. */
export function readFindings(sarif: unknown, stageDir?: string): Finding[] {
  const runs = (sarif as { runs?: Array<{ results?: unknown[] }> }).runs ?? [];
  return runs.flatMap((run) =>
    (run.results ?? []).map((raw) => {
      const result = raw as {
        ruleId?: string;
        level?: string;
        message?: { text?: string };
        locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string }; region?: { startLine?: number } } }>;
      };
      const location = result.locations?.[0]?.physicalLocation;
      let file = location?.artifactLocation?.uri ?? '?';
      if (stageDir && file.startsWith(stageDir)) file = relative(stageDir, file).split(sep).join('/');
      return { ruleId: result.ruleId ?? '?', level: result.level ?? 'none', file, line: location?.region?.startLine, message: result.message?.text ?? '' };
    }),
  );
}

export function explain(finding: Finding): string | undefined {
  return EXPLANATIONS[finding.ruleId];
}

/** Copies what Beacon ships (no tests, fixtures or harnesses) into `stage`. */
export function stageSources(stage: string, root = ROOT): number {
  let count = 0;
  const skip = (path: string) =>
    /\.test\.tsx?$/.test(path) || path.includes(`${sep}testing${sep}`) || path.includes(`core${sep}integration${sep}`) || path.includes(`${sep}fixtures${sep}`);
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (/\.(ts|js|cjs|mjs)$/.test(name) && !skip(path)) {
        const target = join(stage, relative(root, path));
        mkdirSync(dirname(target), { recursive: true });
        cpSync(path, target);
        count += 1;
      }
    }
  };
  walk(join(root, 'main'));
  walk(join(root, 'preload'));
  mkdirSync(join(stage, 'renderer'), { recursive: true });
  cpSync(join(root, 'renderer/index.html'), join(stage, 'renderer/index.html'));
  return count + 1;
}

const OFFLINE_PRELOAD = `// Makes got fail at once: electronegativity runs offline and deterministic.
const Module = require('node:module');
const load = Module._load;
Module._load = function (request, parent, isMain) {
  if (request === 'got') {
    const offline = () => Promise.reject(new Error('offline: network disabled for electronegativity'));
    offline.head = offline;
    offline.get = offline;
    return offline;
  }
  return load.call(this, request, parent, isMain);
};
`;

function main(): number {
  const strict = process.argv.includes('--strict');
  const work = mkdtempSync(join(tmpdir(), 'beacon-electronegativity-'));
  const stage = join(work, 'src');
  try {
    const files = stageSources(stage);
    const preload = join(work, 'offline-got.cjs');
    writeFileSync(preload, OFFLINE_PRELOAD);
    mkdirSync(dirname(SARIF_PATH), { recursive: true });
    const cache = process.env.BEACON_NPX_CACHE ?? join(tmpdir(), 'beacon-electronegativity-npx');
    process.stdout.write(`electronegativity: scanning ${files} files (main/, preload/ without tests; renderer/index.html)\n`);
    const result = spawnSync('npx', ['--yes', TOOL, '-i', stage, '-r', '-e', ELECTRON_VERSION, '-o', SARIF_PATH], {
      cwd: stage,
      env: { ...process.env, npm_config_cache: cache, npm_config_update_notifier: 'false', NODE_OPTIONS: `--require ${preload}` },
      encoding: 'utf8',
      shell: process.platform === 'win32',
    });
    if (result.status !== 0) {
      process.stderr.write(`${result.stdout ?? ''}${result.stderr ?? ''}\nelectronegativity could not run (exit ${result.status}); it needs the npm registry to install ${TOOL}.\n`);
      return 2;
    }
    const sarif = JSON.parse(readFileSync(SARIF_PATH, 'utf8')) as { runs?: Array<{ results?: Array<{ locations?: Array<{ physicalLocation?: { artifactLocation?: { uri?: string } } }> }> }> };
    // Repo-relative paths in the artifact, not the temp stage.
    for (const run of sarif.runs ?? [])
      for (const finding of run.results ?? [])
        for (const location of finding.locations ?? []) {
          const artifact = location.physicalLocation?.artifactLocation;
          if (artifact?.uri?.startsWith(stage)) artifact.uri = relative(stage, artifact.uri).split(sep).join('/');
        }
    writeFileSync(SARIF_PATH, `${JSON.stringify(sarif, null, 2)}\n`);
    const findings = readFindings(sarif, stage);
    let unexplained = 0;
    for (const finding of findings) {
      const why = explain(finding);
      if (!why) unexplained += 1;
      process.stdout.write(`${finding.level.padEnd(7)} ${finding.ruleId} ${finding.file}${finding.line ? `:${finding.line}` : ''}\n        ${why ?? `UNEXPLAINED: ${finding.message} (fix it, or explain it in scripts/electronegativity.ts and docs/security.md)`}\n`);
    }
    process.stdout.write(`electronegativity: ${findings.length} findings, ${unexplained} unexplained; SARIF in ${relative(ROOT, SARIF_PATH)}\n`);
    return strict && unexplained > 0 ? 1 : 0;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.exitCode = main();
