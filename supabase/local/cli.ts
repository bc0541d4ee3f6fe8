/**
 * npm run stack [-- options]
 *
 *   (no options)        persistent demo stack in .stack-data/ on http://127.0.0.1:54321, simulator on
 *   --ephemeral         throwaway database, removed on exit (simulator off unless --simulate)
 *   --port N            HTTP port on 127.0.0.1 (0 = any free port)
 *   --json              print exactly one JSON line on stdout once ready; logs go to stderr
 *   --reset             wipe the persistent demo data first
 *   --db-url URL        use an external PostgreSQL >= 15 (wal_level=logical) instead of the embedded one
 *   --simulate / --no-simulate   activity simulator on or off
 *   --tasks-per-minute N         simulator pace (default 6)
 *   --token-ttl S       access-token lifetime in seconds (default 3600)
 *   --tls-cert FILE --tls-key FILE   serve https/wss with this PEM certificate and key
 *   --tls-hostname NAME the name the certificate is for, used in the printed URL (default 127.0.0.1)
 *   --verbose           debug logs on stderr
 */
import { parseArgs } from 'node:util';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createStack, type Stack } from './stack.ts';
import type { LogLevel } from './context.ts';

const USAGE = fileURLToPath(import.meta.url);
const defaultDataDir = fileURLToPath(new URL('../../.stack-data', import.meta.url));

function fail(message: string): never {
  process.stderr.write(`stack: ${message}\nSee the options at the top of ${USAGE}\n`);
  process.exit(2);
}

function parse() {
  try {
    return parseArgs({
      options: {
        ephemeral: { type: 'boolean', default: false },
        port: { type: 'string' },
        json: { type: 'boolean', default: false },
        reset: { type: 'boolean', default: false },
        'db-url': { type: 'string' },
        simulate: { type: 'boolean' },
        'no-simulate': { type: 'boolean' },
        'tasks-per-minute': { type: 'string' },
        'token-ttl': { type: 'string' },
        'data-dir': { type: 'string' },
        verbose: { type: 'boolean', default: false },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        'tls-hostname': { type: 'string' },
      },
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
}

function integer(name: string, value: string | undefined, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer between ${min} and ${max}, got "${value}"`);
  return n;
}

const args = parse();
const port = integer('port', args.port, args.ephemeral ? 0 : 54321, 0, 65535);
const tokenTtl = integer('token-ttl', args['token-ttl'], 3600, 5, 7 * 24 * 3600);
const tasksPerMinute = integer('tasks-per-minute', args['tasks-per-minute'], 6, 1, 6000);
const simulate = args['no-simulate'] ? false : (args.simulate ?? !args.ephemeral);
const dataDir = args.ephemeral ? undefined : (args['data-dir'] ?? defaultDataDir);
const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
const minLevel = args.verbose ? 'debug' : 'info';

const log = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
  if (order.indexOf(level) < order.indexOf(minLevel)) return;
  const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
  process.stderr.write(`[${new Date().toISOString()}] ${level.padEnd(5)} ${message}${extra}\n`);
};

if (args.reset && dataDir) {
  await rm(dataDir, { recursive: true, force: true });
  log('info', `reset: removed ${dataDir}`);
}

if (Boolean(args['tls-cert']) !== Boolean(args['tls-key'])) fail('--tls-cert and --tls-key go together');
let tls: { cert: string; key: string; hostname?: string } | undefined;
if (args['tls-cert'] && args['tls-key']) {
  try {
    tls = { cert: await readFile(args['tls-cert'], 'utf8'), key: await readFile(args['tls-key'], 'utf8'), ...(args['tls-hostname'] ? { hostname: args['tls-hostname'] } : {}) };
  } catch (error) {
    fail(`cannot read the TLS certificate or key: ${(error as Error).message}`);
  }
}

let stack: Stack;
try {
  if (!args.json) log('info', dataDir ? `starting the demo stack (data in ${dataDir})` : 'starting an ephemeral stack');
  stack = await createStack({
    port,
    ...(dataDir ? { dataDir } : {}),
    ...(args['db-url'] ? { externalDbUrl: args['db-url'] } : {}),
    accessTokenTtlSeconds: tokenTtl,
    ...(simulate ? { simulator: { tasksPerMinute } } : {}),
    ...(tls ? { tls } : {}),
    log,
  });
} catch (error) {
  process.stderr.write(`stack: could not start: ${(error as Error).message}\n`);
  process.exit(1);
}

if (args.json) {
  process.stdout.write(
    `${JSON.stringify({
      url: stack.url,
      anonKey: stack.anonKey,
      serviceRoleKey: stack.serviceRoleKey,
      dbUrl: stack.dbUrl,
      demoUsers: stack.demoUsers.map(({ email, password, id }) => ({ email, password, id })),
    })}\n`,
  );
} else {
  const users = stack.demoUsers.map((u) => `    ${u.email.padEnd(24)} ${u.password}`).join('\n');
  process.stdout.write(
    [
      '',
      '  Beacon local stack is running',
      '',
      `  API URL          ${stack.url}`,
      `  Realtime         ${stack.url.replace('http', 'ws')}/realtime/v1/websocket`,
      `  anon key         ${stack.anonKey}`,
      `  service_role key ${stack.serviceRoleKey}`,
      `  Database         ${stack.dbUrl}`,
      `  Simulator        ${simulate ? `on (${tasksPerMinute} tasks/min)` : 'off'}`,
      `  Data             ${dataDir ?? 'ephemeral (removed on exit)'}`,
      '',
      '  Demo agents (email / password):',
      users,
      '',
      '  Ctrl+C stops it.',
      '',
    ].join('\n'),
  );
}

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  log('info', `${signal}: stopping`);
  stack
    .stop()
    .then(() => process.exit(0))
    .catch((error: unknown) => {
      process.stderr.write(`stack: stop failed: ${String(error)}\n`);
      process.exit(1);
    });
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
