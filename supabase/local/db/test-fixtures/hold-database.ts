/**
 * Child process for database.test.ts: starts an ephemeral database, prints its
 * data directory, then waits: for a line on stdin, upon which it exits without
 * stopping the database (`exit`), or for a signal (`wait`). Either way the
 * server must not outlive it.
 */
import { startDatabase } from '../database.ts';

const mode = process.argv[2];
const db = await startDatabase();
const { rows } = await db.pool.query<{ data_directory: string }>('select current_setting($1) as data_directory', ['data_directory']);
process.stdout.write(`${JSON.stringify({ dataDir: rows[0]?.data_directory })}\n`);
if (mode === 'exit') process.stdin.once('data', () => process.exit(0));
else setInterval(() => {}, 60_000);
