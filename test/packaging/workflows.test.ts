/**
 * The GitHub workflows cannot run here, so they are checked as data: valid YAML without duplicate
 * keys, valid against the GitHub workflow schema (@action-validator/core, offline), every job and
 * step well-formed, the release steps the IT guide promises present, and every secret they use
 * documented in docs/it-deployment.md.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateWorkflow } from '@action-validator/core';
import { parseDocument } from 'yaml';
import { repoRoot } from './builder-config.ts';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  if?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  shell?: string;
}
interface Job {
  'runs-on'?: string;
  steps?: Step[];
  needs?: string | string[];
  permissions?: Record<string, string>;
  strategy?: { matrix?: { os?: string[] } };
  container?: string;
}
interface Workflow {
  name?: string;
  on?: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs?: Record<string, Job>;
}

const WORKFLOWS = ['ci.yml', 'release.yml'] as const;
const source = (file: string) => readFileSync(join(repoRoot, '.github/workflows', file), 'utf8');

function load(file: string): Workflow {
  const doc = parseDocument(source(file), { strict: true, uniqueKeys: true, prettyErrors: true });
  expect(doc.errors.map((e) => e.message), `${file} parse errors`).toEqual([]);
  expect(doc.warnings.map((w) => w.message), `${file} parse warnings`).toEqual([]);
  return doc.toJS() as Workflow;
}

function stepsOf(workflow: Workflow): Step[] {
  return Object.values(workflow.jobs ?? {}).flatMap((job) => job.steps ?? []);
}

const runs = (workflow: Workflow) => stepsOf(workflow).map((s) => s.run ?? '');
const findRun = (workflow: Workflow, pattern: RegExp) => stepsOf(workflow).filter((s) => pattern.test(s.run ?? ''));

/** Names in backticks in the "Secrets used by the release workflow" section of the IT guide. */
function documentedSecrets(): Set<string> {
  const guide = readFileSync(join(repoRoot, 'docs/it-deployment.md'), 'utf8');
  const section = /^## Secrets used by the release workflow\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(guide);
  expect(section, 'docs/it-deployment.md has a "Secrets used by the release workflow" section').not.toBeNull();
  return new Set([...section![1]!.matchAll(/^\| `([A-Z0-9_]+)` \|/gm)].map((m) => m[1]!));
}

describe.each(WORKFLOWS)('.github/workflows/%s', (file) => {
  it('is strict YAML without duplicate keys', () => {
    expect(load(file).jobs).toBeDefined();
  });

  it("passes the GitHub workflow schema (action-validator)", () => {
    const result = validateWorkflow(source(file));
    expect(result.errors, JSON.stringify(result.errors, null, 2)).toEqual([]);
  });

  it('has jobs that each run somewhere and steps that each use an action or run a command', () => {
    const workflow = load(file);
    for (const [id, job] of Object.entries(workflow.jobs!)) {
      expect(job['runs-on'], `${id}.runs-on`).toBeTruthy();
      expect(job.steps?.length, `${id}.steps`).toBeGreaterThan(0);
      for (const [index, step] of job.steps!.entries()) {
        expect([step.uses, step.run].filter((x) => x !== undefined), `${id}.steps[${index}] (${step.name}) needs exactly one of uses/run`).toHaveLength(1);
        if (step.uses) expect(step.uses, 'actions are pinned to a version').toMatch(/^[\w.-]+\/[\w.-]+@v?\d/);
      }
    }
  });

  it('uses only secrets that the IT guide documents', () => {
    const used = new Set([...source(file).matchAll(/secrets\.([A-Za-z0-9_]+)/g)].map((m) => m[1]!));
    const documented = documentedSecrets();
    expect([...used].filter((name) => !documented.has(name)).sort()).toEqual([]);
  });
});

describe('CI workflow', () => {
  it('lints, typechecks and runs the test suite on Node 24 with chromium and xvfb', () => {
    const workflow = load('ci.yml');
    const setupNode = stepsOf(workflow).find((s) => s.uses?.startsWith('actions/setup-node@'));
    expect(String(setupNode?.with?.['node-version'])).toBe('24');
    expect(runs(workflow)).toEqual(expect.arrayContaining(['npm run lint', 'npm run typecheck', './beacon test']));
    expect(findRun(workflow, /apt-get install[^\n]*\bchromium\b[^\n]*\bxvfb\b/)).toHaveLength(1);
    expect(findRun(workflow, /^npm ci\b/)).toHaveLength(1);
  });
});

describe('release workflow', () => {
  const workflow = () => load('release.yml');

  it('runs on version tags and builds on macOS, Windows and Linux', () => {
    const wf = workflow();
    expect(wf.on).toEqual({ push: { tags: ['v*'] } });
    expect(wf.jobs!.build!.strategy?.matrix?.os).toEqual(['macos-latest', 'windows-latest', 'ubuntu-latest']);
    expect(wf.permissions).toEqual({ contents: 'read' });
  });

  it('builds the MSI in its own electron-builder run, after the NSIS one, and checks it has no app-update.yml', () => {
    const steps = workflow().jobs!.build!.steps!;
    const nsis = steps.findIndex((s) => /electron-builder --win nsis\b/.test(s.run ?? ''));
    const msi = steps.findIndex((s) => /electron-builder --win msi\b/.test(s.run ?? ''));
    expect(nsis).toBeGreaterThanOrEqual(0);
    expect(msi).toBeGreaterThan(nsis);
    expect(steps[msi]!.run).not.toMatch(/nsis/);
    const inspect = steps.findIndex((s) => /inspect-msi\.ps1/.test(s.run ?? ''));
    expect(inspect).toBeGreaterThan(msi);
    expect(readFileSync(join(repoRoot, 'scripts/packaging/inspect-msi.ps1'), 'utf8')).toMatch(/app-update\.yml/);
  });

  it('signs with secrets from the environment only, per OS', () => {
    const steps = workflow().jobs!.build!.steps!;
    const mac = steps.find((s) => /electron-builder --mac/.test(s.run ?? ''))!;
    expect(Object.keys(mac.env ?? {}).sort()).toEqual(['APPLE_API_ISSUER', 'APPLE_API_KEY_ID', 'CSC_KEY_PASSWORD', 'CSC_LINK']);
    for (const win of steps.filter((s) => /electron-builder --win/.test(s.run ?? ''))) {
      expect(Object.keys(win.env ?? {}).sort()).toEqual(['WIN_CSC_KEY_PASSWORD', 'WIN_CSC_LINK']);
    }
    expect(steps.find((s) => /electron-builder --linux/.test(s.run ?? ''))!.env).toBeUndefined();
  });

  it('verifies signatures, notarization and fuses on the real artefacts', () => {
    const all = runs(workflow()).join('\n');
    for (const check of [
      'codesign --verify --deep --strict',
      'spctl -a -vv -t exec',
      'xcrun stapler validate',
      'signtool.exe',
      'verify /pa /all',
      'Get-AuthenticodeSignature',
      'desktop-file-validate',
    ]) {
      expect(all, check).toContain(check.replace('signtool.exe', 'signtool'));
    }
    expect(findRun(workflow(), /node scripts\/packaging\/check-fuses\.ts/).length).toBeGreaterThanOrEqual(3);
  });

  it('runs the Electron end-to-end tests on the real Electron binary, under xvfb on Linux', () => {
    const steps = workflow().jobs!.build!.steps!;
    const download = steps.findIndex((s) => s.run === 'node node_modules/electron/install.js');
    const e2e = steps.filter((s) => /npm run test:electron/.test(s.run ?? ''));
    expect(download).toBeGreaterThanOrEqual(0);
    expect(e2e.map((s) => [s.if, s.run])).toEqual([
      ["runner.os == 'Linux'", 'xvfb-run -a npm run test:electron'],
      ["runner.os != 'Linux'", 'npm run test:electron'],
    ]);
    expect(steps.indexOf(e2e[0]!)).toBeGreaterThan(download);
  });

  it('publishes only a draft release, with the policy templates', () => {
    const release = workflow().jobs!.release!;
    expect(release.needs).toBe('build');
    expect(release.permissions).toEqual({ contents: 'write' });
    const run = (release.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(run).toMatch(/gh release create [^\n]*--draft/);
    expect(run).toMatch(/build\/policy/);
  });
});
