/**
 * npm run headless -- --url U --anon-key K --email E --password P --state-dir D [--json]
 *
 * Runs Beacon's core in plain Node (for tests, benchmarks and support
 * diagnostics): the same session, sync engine, ledger and announcer
 * as the app, with a notifier that prints one JSON line per event on stdout.
 * The state directory holds the ledger and the session, so a restart with the
 * same directory neither repeats notifications nor needs the password again.
 * The password may also come from the BEACON_PASSWORD environment variable
 * (keeps it out of the process list). SIGTERM / SIGINT stop it cleanly.
 *
 * Network: HTTPS_PROXY / HTTP_PROXY / NO_PROXY, the OS trust store plus Node's roots, and
 * --ca-bundle FILE (extra PEM roots). --diagnose runs the connection test instead (diagnose.ts).
 */
import { parseArgs } from 'node:util';
import { mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import type { WebSocketLikeConstructor } from '@supabase/supabase-js';
import { BeaconCore } from '../../main/core/beacon-core.ts';
import { supabaseUrlSchema, anonKeySchema } from '../../main/core/config/config.ts';
import { JsonFileStore } from '../../main/core/storage/json-file-store.ts';
import { FileSecretStore } from '../../main/core/storage/file-secret-store.ts';
import type { Logger } from '../../main/core/ports.ts';
import { LineNotifier, type HeadlessLine } from './line-notifier.ts';
import { createHeadlessNetwork } from './node-network.ts';
import { runDiagnose } from './diagnose.ts';
import { headlessLogger } from './logger.ts';
import { readSignals } from './stdin-signals.ts';

const argsSchema = z.object({
  url: supabaseUrlSchema,
  'anon-key': anonKeySchema,
  email: z.email().optional(),
  password: z.string().min(1).optional(),
  'state-dir': z.string().min(1).optional(),
  'ca-bundle': z.string().min(1).optional(),
  diagnose: z.boolean(),
  json: z.boolean(),
  verbose: z.boolean(),
  'coalesce-ms': z.coerce.number().int().min(0).max(10_000).optional(),
});

function usage(message: string): never {
  process.stderr.write(`headless: ${message}\nusage: npm run headless -- --url U --anon-key K --email E --password P --state-dir D [--ca-bundle F] [--json] [--verbose]\n       npm run headless -- --diagnose --url U --anon-key K [--email E --password P] [--ca-bundle F] [--json]\n`);
  process.exit(2);
}

let raw: Record<string, unknown>;
try {
  raw = parseArgs({
    options: {
      url: { type: 'string' },
      'anon-key': { type: 'string' },
      email: { type: 'string' },
      password: { type: 'string' },
      'state-dir': { type: 'string' },
      'ca-bundle': { type: 'string' },
      diagnose: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      verbose: { type: 'boolean', default: false },
      'coalesce-ms': { type: 'string' },
    },
    strict: true,
  }).values;
} catch (error) {
  usage((error as Error).message);
}
const parsed = argsSchema.safeParse({ ...raw, password: raw.password ?? process.env.BEACON_PASSWORD });
if (!parsed.success) usage(parsed.error.issues.map((i) => `--${i.path.join('.')} ${i.message}`).join('; '));
const args = parsed.data;
if (!args.diagnose && !args['state-dir']) usage('--state-dir is required');

// Logs go to stderr as JSON (pino), redacted; stdout is reserved for the event lines.
const logger: Logger = headlessLogger({ verbose: args.verbose });

const out = (line: HeadlessLine) => {
  if (args.json) process.stdout.write(`${JSON.stringify(line)}\n`);
  else process.stdout.write(`${describe(line)}\n`);
};
function describe(line: HeadlessLine): string {
  switch (line.type) {
    case 'notification':
    case 'summary':
    case 'conversation':
      return `[${line.type}] ${line.title} — ${line.body.replaceAll('\n', ' / ')}`;
    case 'health':
      return `[health] ${line.state}${line.reason ? ` (${line.reason})` : ''}`;
    case 'session':
      return `[session] ${line.signedIn ? `signed in as ${line.email}` : `signed out${line.reason ? `: ${line.reason}` : ''}`}`;
    case 'signal':
      return `[signal] ${line.signal}`;
    case 'error':
      return `[error] ${line.message}`;
  }
}

const network = await createHeadlessNetwork({ caBundle: args['ca-bundle'], logger });
if (args.diagnose) {
  const code = await runDiagnose({ url: args.url, anonKey: args['anon-key'], email: args.email, password: args.password, json: args.json }, network, (text) => process.stdout.write(text));
  process.exit(code);
}

const stateDir = resolve(args['state-dir']!);
await mkdir(stateDir, { recursive: true, mode: 0o700 });
const notifier = new LineNotifier(out);
const core = await BeaconCore.create({
  url: args.url,
  anonKey: args['anon-key'],
  store: new JsonFileStore(join(stateDir, 'store'), { logger }),
  secrets: new FileSecretStore(join(stateDir, 'session.json'), { logger }),
  notifier,
  WebSocket: network.WebSocket as unknown as WebSocketLikeConstructor,
  session: { fetch: network.fetch, networkProblem: () => network.problemMessage() },
  logger,
  ...(args['coalesce-ms'] !== undefined ? { coalesceMs: args['coalesce-ms'] } : {}),
});
core.onHealth((state, info) =>
  out({
    type: 'health',
    state,
    reason: info.reason || null,
    // The cause behind the plain words (e.g. the certificate that was presented), for support and IT.
    detail: info.detail ?? null,
    lastSyncAt: info.lastSyncAt ? new Date(info.lastSyncAt).toISOString() : null,
  }),
);
core.session.onEvent((event) => {
  if (event.type === 'signed-out') out({ type: 'session', signedIn: false, email: null, reason: event.reason });
});

/** Exit codes: 0 stopped cleanly, 1 could not sign in, 2 bad arguments, 3 the ledger could not be written during the run. */
const EXIT_STORAGE_FAILED = 3;
let stopping = false;
async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await core.stop().catch((error: unknown) => logger.error('stop failed', { error: String(error) }));
    // Storage that never lies: a run in which the ledger could not be written does not end "ok".
    const failures = core.storageWriteFailures();
    if (failures > 0) {
      out({ type: 'error', message: `The notification ledger could not be written ${failures} time(s) in this run; notifications may repeat after a restart.` });
      if (code === 0) code = EXIT_STORAGE_FAILED;
    }
  }
  // realtime-js leaves a reconnect timer behind after disconnect(); do not wait for it.
  process.exit(code);
}
// OS signals from outside, one JSON object per line on stdin ({"signal":"suspend"}, …): see stdin-signals.ts.
readSignals(process.stdin, core, out);
process.on('SIGTERM', () => void shutdown(0));
process.on('SIGINT', () => void shutdown(0));

const restored = await core.start();
if (restored.signedIn) {
  out({ type: 'session', signedIn: true, email: restored.email });
} else {
  if (!args.email || !args.password) {
    out({ type: 'error', message: 'No stored session: --email and --password (or BEACON_PASSWORD) are needed to sign in.' });
    await shutdown(1);
  }
  const result = await core.signIn(args.email!, args.password!);
  if (!result.ok) {
    out({ type: 'error', message: result.message });
    await shutdown(1);
  } else {
    out({ type: 'session', signedIn: true, email: result.state.email });
  }
}
