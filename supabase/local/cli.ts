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
 *   --profile NAME      defaults of a known setup; `supabase-cli`: what `supabase start` uses — port 54321, the
 *                       CLI's demo JWT secret, anon / service_role keys and publishable / secret keys (other options win)
 *   --jwt-secret S      HS256 JWT secret, at least 32 characters (default: kept in the data directory, or random)
 *   --signing-key FILE  ES256 signing key: a JSON file with the private JWK (kty EC, crv P-256, x, y, d, kid)
 *                       (default: generated once and kept in the data directory, or per run when ephemeral)
 *   --user-token-alg A  which key signs new user access tokens: HS256 (the JWT secret, default) or ES256 (the
 *                       signing key published at /auth/v1/.well-known/jwks.json); both are accepted either way
 *   --disable-signup    POST /auth/v1/signup answers 422 signup_disabled
 *   --confirm-email     signed-up users are not confirmed at once (no mail is sent; confirm with the admin API)
 *   --refresh-reuse-interval S   seconds a rotated refresh token may be reused (default 10, as GoTrue)
 *   --tls-cert FILE --tls-key FILE   serve https/wss with this PEM certificate and key
 *   --tls-hostname NAME the name the certificate is for, used in the printed URL (default 127.0.0.1)
 *   --verbose           debug logs on stderr
 *
 * The --json line: {url, anonKey, serviceRoleKey, publishableKey, secretKey, jwksUrl, dbUrl, demoUsers}.
 */
import { parseArgs } from 'node:util';
import { readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createStack, type Stack } from './stack.ts';
import type { AuthSettings, LogLevel } from './context.ts';
import { PROFILE_NAMES, PROFILES, type ProfileName } from './profiles.ts';
import { es256PrivateJwkSchema, USER_TOKEN_ALGORITHMS, type Es256PrivateJwk, type UserTokenAlgorithm } from './auth/signing-keys.ts';
import { MIN_JWT_SECRET_LENGTH } from './project-keys.ts';

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
        profile: { type: 'string' },
        'jwt-secret': { type: 'string' },
        'user-token-alg': { type: 'string' },
        'signing-key': { type: 'string' },
        'disable-signup': { type: 'boolean', default: false },
        'confirm-email': { type: 'boolean', default: false },
        'refresh-reuse-interval': { type: 'string' },
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

function oneOf<T extends string>(name: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) fail(`--${name} must be one of ${allowed.join(', ')}, got "${value}"`);
  return value as T;
}

const args = parse();
const profileName = oneOf<ProfileName>('profile', args.profile, PROFILE_NAMES);
const profile = profileName === undefined ? undefined : PROFILES[profileName];
const port = integer('port', args.port, profile?.port ?? (args.ephemeral ? 0 : 54321), 0, 65535);
const jwtSecret = args['jwt-secret'];
if (jwtSecret !== undefined && jwtSecret.length < MIN_JWT_SECRET_LENGTH) fail(`--jwt-secret must be at least ${MIN_JWT_SECRET_LENGTH} characters`);
async function signingKeyFrom(file: string | undefined): Promise<Es256PrivateJwk | undefined> {
  if (file === undefined) return undefined;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    fail(`--signing-key: cannot read ${file}: ${(error as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    fail(`--signing-key: ${file} is not JSON`);
  }
  const parsed = es256PrivateJwkSchema.safeParse(json);
  if (!parsed.success) fail(`--signing-key: ${file} is not an ES256 private JWK with a kid (kty EC, crv P-256, x, y, d, kid)`);
  return parsed.data;
}

const signingKey = await signingKeyFrom(args['signing-key']);
const userTokenAlgorithm = oneOf<UserTokenAlgorithm>('user-token-alg', args['user-token-alg'], USER_TOKEN_ALGORITHMS);
const authSettings: Partial<AuthSettings> = {
  ...(args['disable-signup'] ? { disableSignup: true } : {}),
  ...(args['confirm-email'] ? { autoconfirm: false } : {}),
  ...(args['refresh-reuse-interval'] !== undefined
    ? { refreshTokenReuseIntervalSeconds: integer('refresh-reuse-interval', args['refresh-reuse-interval'], 10, 0, 24 * 3600) }
    : {}),
};
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
    ...(profileName ? { profile: profileName } : {}),
    ...(jwtSecret !== undefined ? { jwtSecret } : {}),
    ...(userTokenAlgorithm ? { userTokenAlgorithm } : {}),
    ...(signingKey ? { signingKey } : {}),
    auth: authSettings,
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
      publishableKey: stack.publishableKey,
      secretKey: stack.secretKey,
      jwksUrl: stack.jwksUrl,
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
      `  Publishable key  ${stack.publishableKey}`,
      `  Secret key       ${stack.secretKey}`,
      `  JWKS             ${stack.jwksUrl}`,
      `  Profile          ${profileName ?? 'beacon'}`,
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
