import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { RecordingLogger } from '../../../test/fakes/recording-logger.ts';
import { FileSecretStore } from './file-secret-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-secrets-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('FileSecretStore', () => {
  it('stores, reads back after a restart and deletes secrets', async () => {
    const path = join(dir, 'secrets.json');
    const store = new FileSecretStore(path);
    await store.set('session', '{"access_token":"abc"}');
    await store.set('other', 'x');
    await store.delete('other');
    const reopened = new FileSecretStore(path);
    expect(await reopened.get('session')).toBe('{"access_token":"abc"}');
    expect(await reopened.get('other')).toBeUndefined();
  });

  it('keeps the file owner-only, also in a directory it creates', async () => {
    const path = join(dir, 'nested', 'secrets.json');
    await new FileSecretStore(path).set('session', 's');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'nested'))).mode & 0o777).toBe(0o700);
  });

  it('keeps every secret set concurrently', async () => {
    const store = new FileSecretStore(join(dir, 'secrets.json'));
    await Promise.all(['a', 'b', 'c', 'd'].map((key) => store.set(key, key.toUpperCase())));
    const reopened = new FileSecretStore(join(dir, 'secrets.json'));
    expect(await Promise.all(['a', 'b', 'c', 'd'].map((key) => reopened.get(key)))).toEqual(['A', 'B', 'C', 'D']);
  });

  it.each(['not json SECRET', '{"version":1,"secrets":{"a":"SECRET","b":1}}', '[]'])('moves an unreadable file (%j) aside, starts empty, never logs secrets', async (content) => {
    const path = join(dir, 'secrets.json');
    await writeFile(path, content);
    const logger = new RecordingLogger();
    const store = new FileSecretStore(path, { logger, clock: new FakeClock('2026-11-21T00:00:00Z') });
    expect(await store.get('a')).toBeUndefined();
    expect(await readdir(dir)).toEqual(['secrets.json.corrupt-2026-11-21T00-00-00-000Z']);
    expect(logger.at('warn')).toHaveLength(1);
    expect(JSON.stringify(logger.entries)).not.toContain('SECRET');
    await store.set('a', 'fresh');
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual({ version: 1, secrets: { a: 'fresh' } });
  });
});
