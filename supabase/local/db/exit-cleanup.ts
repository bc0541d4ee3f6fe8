/**
 * Makes sure an embedded PostgreSQL never outlives the Node process that
 * started it: on `exit`, and on SIGINT/SIGTERM when nobody else handles them,
 * every live server is signalled and ephemeral data directories are removed,
 * synchronously (nothing async runs in an `exit` handler). Handlers are
 * installed only while a server is live.
 */
import fs from 'node:fs';
import path from 'node:path';

export interface LiveServer {
  /** PID of the postmaster, undefined while it is not running. */
  pid(): number | undefined;
  readonly dataDir: string;
  /** Directory removed at exit (ephemeral servers only). */
  readonly removeOnExit?: string;
}

const live = new Set<LiveServer>();
const signals = ['SIGINT', 'SIGTERM'] as const;
let installed = false;

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** The postmaster deletes postmaster.pid as its very last step, so its absence means it is gone. */
function waitForShutdown(dataDir: string, timeoutMs: number): void {
  const lockFile = path.join(dataDir, 'postmaster.pid');
  const deadline = Date.now() + timeoutMs;
  while (fs.existsSync(lockFile) && Date.now() < deadline) sleepSync(20);
}

function cleanupSync(): void {
  const servers = [...live];
  live.clear();
  uninstall();
  for (const server of servers) {
    const pid = server.pid();
    if (pid === undefined) continue;
    try {
      // Immediate shutdown when the data is thrown away anyway; fast (clean) shutdown otherwise.
      process.kill(pid, server.removeOnExit ? 'SIGQUIT' : 'SIGINT');
    } catch {
      // already gone
    }
  }
  for (const server of servers) {
    if (!server.removeOnExit) continue;
    waitForShutdown(server.dataDir, 5_000);
    fs.rmSync(server.removeOnExit, { recursive: true, force: true });
  }
}

function onSignal(signal: NodeJS.Signals): void {
  // Another handler owns this signal (e.g. a CLI's graceful stop): let it shut
  // down in order; if it ends the process without stopping us, 'exit' cleans up.
  if (process.listenerCount(signal) > 1) return;
  cleanupSync();
  // Ours was the only handler: restore the default behaviour (terminate).
  process.kill(process.pid, signal);
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', cleanupSync);
  for (const signal of signals) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.off('exit', cleanupSync);
  for (const signal of signals) process.off(signal, onSignal);
}

export function trackServer(server: LiveServer): void {
  live.add(server);
  install();
}

export function untrackServer(server: LiveServer): void {
  live.delete(server);
  if (live.size === 0) uninstall();
}
