/**
 * The preview is a development tool: no packaged build may contain it. The
 * packaged app holds out/** only (electron-builder.yml "files"), so: nothing
 * the build starts from imports preview/, and the build output never mentions
 * the bridge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve, sep } from 'node:path';
import { buildApp, ROOT } from './build.ts';

const previewDir = join(ROOT, 'preview');

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

let outDir: string;

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'beacon-build-nopreview-'));
  await buildApp({ outDir });
}, 180_000);

afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

describe('the browser preview stays out of the app', () => {
  it('is imported by nothing in main/, preload/ or renderer/', async () => {
    const offenders: string[] = [];
    for (const top of ['main', 'preload', 'renderer']) {
      for (const file of (await files(join(ROOT, top))).filter((f) => /\.(c|m)?[jt]sx?$/.test(f))) {
        const text = await readFile(file, 'utf8');
        for (const match of text.matchAll(/(?:from\s*|import\s*\(\s*|require\s*\(\s*|import\s+)['"]([^'"]+)['"]/g)) {
          const specifier = match[1]!;
          if (!specifier.startsWith('.')) continue;
          const target = resolve(dirname(file), specifier);
          if (target === previewDir || target.startsWith(previewDir + sep)) offenders.push(`${file.slice(ROOT.length)} imports ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it('leaves no trace of the bridge in the build output', async () => {
    const built = await files(outDir);
    expect(built.some((f) => f.endsWith(join('renderer', 'index.html')))).toBe(true);
    const mentions: string[] = [];
    for (const file of built) if ((await readFile(file)).includes('__bridge')) mentions.push(file.slice(outDir.length));
    expect(mentions).toEqual([]);
  });
});
