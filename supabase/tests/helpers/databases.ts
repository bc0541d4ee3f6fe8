/** Extra databases on one test server: each scenario gets an empty database of its own. */
import pg from 'pg';
import type { Database } from '../../local/db/database.ts';

function urlOfDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates an empty database and returns a connected client to it (caller ends it). */
export async function freshDatabase(db: Database, name: string): Promise<pg.Client> {
  await db.pool.query(`create database ${pg.escapeIdentifier(name)}`);
  const client = new pg.Client({ connectionString: urlOfDatabase(db.url, name) });
  await client.connect();
  return client;
}
