import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDatabase, type Database } from '../db/database.ts';
import { prepareDatabase } from '../db/prepare.ts';
import { pruneMessages } from './message-retention.ts';

let db: Database;

beforeAll(async () => {
  db = await startDatabase();
  await prepareDatabase(db, { seed: false });
});

afterAll(async () => {
  await db?.stop();
});

describe('pruneMessages', () => {
  it('deletes messages older than 72 hours and keeps newer ones', async () => {
    await db.pool.query(`
      insert into realtime.messages (topic, extension, event, payload, inserted_at) values
        ('t', 'broadcast', 'old', '{}', (now() at time zone 'utc') - interval '73 hours'),
        ('t', 'broadcast', 'recent', '{}', (now() at time zone 'utc') - interval '71 hours'),
        ('t', 'broadcast', 'new', '{}', default)`);
    await expect(pruneMessages(db.pool)).resolves.toBe(1);
    const { rows } = await db.pool.query<{ event: string }>('select event from realtime.messages order by inserted_at');
    expect(rows.map((r) => r.event)).toEqual(['recent', 'new']);
  });
});
