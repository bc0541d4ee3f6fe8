import { afterEach, describe, expect, it } from 'vitest';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findElectronBinary } from './electron-binary.ts';

const roots: string[] = [];
function root(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'beacon-electron-bin-'));
  roots.push(dir);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

afterEach(() => {
  for (const dir of roots.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('findElectronBinary', () => {
  it('says why when path.txt is missing (nothing was downloaded)', () => {
    const result = findElectronBinary(root({ 'node_modules/electron/package.json': '{}' }), { DISPLAY: ':0' }, 'linux');
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/path\.txt is missing/) });
  });

  it('says why when path.txt names a file that is not there', () => {
    const result = findElectronBinary(root({ 'node_modules/electron/path.txt': 'electron' }), { DISPLAY: ':0' }, 'linux');
    expect(result).toMatchObject({ ok: false, reason: expect.stringMatching(/does not exist/) });
  });

  it('finds the binary path.txt names, and needs a display on Linux', () => {
    const dir = root({ 'node_modules/electron/path.txt': 'electron', 'node_modules/electron/dist/electron': '#!/bin/sh\n' });
    chmodSync(join(dir, 'node_modules/electron/dist/electron'), 0o755);
    expect(findElectronBinary(dir, { DISPLAY: ':99' }, 'linux')).toEqual({ ok: true, executablePath: join(dir, 'node_modules/electron/dist/electron') });
    expect(findElectronBinary(dir, {}, 'linux')).toMatchObject({ ok: false, reason: expect.stringMatching(/xvfb-run/) });
    expect(findElectronBinary(dir, {}, 'darwin')).toMatchObject({ ok: true });
  });
});
