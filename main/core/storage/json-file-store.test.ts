import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { RecordingLogger } from '../../../test/fakes/recording-logger.ts';
import { JsonFileStore } from './json-file-store.ts';
import { MemoryStore } from './memory-store.ts';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'beacon-store-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe.each([
  ['JsonFileStore', () => new JsonFileStore(join(dir, 'state'))],
  ['MemoryStore', () => new MemoryStore()],
])('%s as a KeyValueStore', (_name, create) => {
  it.each<[string, unknown]>([
    ['an object', { version: 1, entries: [{ taskId: 't1' }], cursor: null }],
    ['an array', [1, 'two', null]],
    ['a string', 'hello'],
    ['false', false],
  ])('gives back %s as stored', async (_kind, value) => {
    const store = create();
    await store.set('value', value);
    expect(await store.get('value')).toEqual(value);
  });

  it('gives undefined for a key never set or deleted', async () => {
    const store = create();
    expect(await store.get('missing')).toBeUndefined();
    await store.set('k', 1);
    await store.delete('k');
    await store.delete('k');
    expect(await store.get('k')).toBeUndefined();
  });

  it('keeps the last of concurrent writes', async () => {
    const store = create();
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.set('k', i)));
    expect(await store.get('k')).toBe(19);
  });

  it('refuses a value JSON cannot hold', async () => {
    await expect(create().set('k', undefined)).rejects.toThrow(/not JSON-serializable/);
  });
});

describe('JsonFileStore on disk', () => {
  it('survives a new instance (a restart)', async () => {
    await new JsonFileStore(dir).set('ledger', { a: 1 });
    expect(await new JsonFileStore(dir).get('ledger')).toEqual({ a: 1 });
  });

  it('writes owner-only files and leaves no temp files behind', async () => {
    const store = new JsonFileStore(dir);
    await store.set('ledger', { a: 1 });
    await store.set('ledger', { a: 2 });
    expect((await stat(join(dir, 'ledger.json'))).mode & 0o777).toBe(0o600);
    expect(await readdir(dir)).toEqual(['ledger.json']);
  });

  it.each(['{"half": ', '', '\u0000\u0001'])('moves a corrupt file (%j) aside, reports it (CorruptValueError) and warns', async (content) => {
    await writeFile(join(dir, 'ledger.json'), content);
    const logger = new RecordingLogger();
    const clock = new FakeClock('2026-11-21T12:34:56.789Z');
    const store = new JsonFileStore(dir, { logger, clock });
    await expect(store.get('ledger')).rejects.toMatchObject({ name: 'CorruptValueError', key: 'ledger', backup: join(dir, 'ledger.json.corrupt-2026-11-21T12-34-56-789Z') });
    expect(await store.get('ledger')).toBeUndefined();
    expect((await readdir(dir)).sort()).toEqual(['ledger.json.corrupt-2026-11-21T12-34-56-789Z']);
    expect(await readFile(join(dir, 'ledger.json.corrupt-2026-11-21T12-34-56-789Z'), 'utf8')).toBe(content);
    expect(logger.at('warn')).toHaveLength(1);
    await store.set('ledger', { fresh: true });
    expect(await store.get('ledger')).toEqual({ fresh: true });
  });

  it.each(['../escape', 'a/b', '', '.hidden', 'x'.repeat(101)])('rejects the key %j (no path tricks)', async (key) => {
    const store = new JsonFileStore(dir);
    await expect(store.set(key, 1)).rejects.toThrow(/invalid store key/);
    await expect(store.get(key)).rejects.toThrow(/invalid store key/);
  });
});
