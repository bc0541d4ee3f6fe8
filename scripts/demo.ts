/**
 * ./beacon demo [options]   (or, with Node 24 active, npm run demo -- [options])
 *
 * Starts the local stack (with the activity simulator) and Beacon signed in as
 * a demo agent, so there is something to watch within seconds. Prints the
 * stack's URL, a ready-to-paste fault command for it and where its data lives.
 *
 *   (no options)       the Electron app, when the Electron binary is installed
 *   --agent a|b        sign in as demo agent A (default) or B
 *   --browser          the tray window in a browser instead (the browser preview, see preview/README.md)
 *   --open             with --browser: open the page in the default browser
 *   --port N           with --browser: the preview's port on 127.0.0.1 (default: any free port)
 *   --persist          keep the demo data (database, session, ledger) in .stack-data/demo*
 *   --no-simulator     no simulated activity (write to the database yourself)
 *   --signed-out       with --browser: start at the sign-in form instead of signing in as agent A
 *   --renderer DIR     with --browser: serve this built renderer instead of out/renderer (no build)
 *
 * Ctrl+C (or SIGTERM) stops everything this script started.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createStack, type Stack } from '../supabase/local/stack.ts';
import { DEMO_USERS } from '../supabase/local/demo-users.ts';
import { faultActionSchema } from '../supabase/local/faults/faults.ts';
import type { LogLevel } from '../supabase/local/context.ts';
import type { Logger } from '../main/core/ports.ts';
import { redactingLogger } from '../main/core/logging/redacting-logger.ts';
import { appIsStale, buildApp, rendererIsStale, ROOT } from '../preview/build.ts';
import { startPreview, type PreviewServer } from '../preview/server.ts';

const HELP = `usage: ./beacon demo [--agent a|b] [--browser [--open] [--port N] [--signed-out]] [--persist] [--no-simulator]
See the options at the top of ${relative(process.cwd(), join(ROOT, 'scripts/demo.ts'))}.`;

function fail(message: string, code = 2): never {
  process.stderr.write(`demo: ${message}\n${code === 2 ? `${HELP}\n` : ''}`);
  process.exit(code);
}

const argsSchema = z.object({
  agent: z.enum(['a', 'b'], { message: 'must be a or b' }).default('a'),
  browser: z.boolean(),
  open: z.boolean(),
  port: z.coerce.number().int().min(0).max(65_535).default(0),
  persist: z.boolean(),
  simulator: z.boolean(),
  'signed-out': z.boolean(),
  renderer: z.string().min(1).optional(),
  help: z.boolean(),
});

function parse(): z.infer<typeof argsSchema> {
  let values: Record<string, unknown>;
  try {
    values = parseArgs({
      options: {
        agent: { type: 'string' },
        browser: { type: 'boolean', default: false },
        open: { type: 'boolean', default: false },
        port: { type: 'string' },
        persist: { type: 'boolean', default: false },
        simulator: { type: 'boolean', default: true },
        'signed-out': { type: 'boolean', default: false },
        renderer: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      allowNegative: true,
      strict: true,
    }).values;
  } catch (error) {
    fail((error as Error).message);
  }
  const parsed = argsSchema.safeParse(values);
  if (!parsed.success) fail(parsed.error.issues.map((issue) => `--${issue.path.join('.')} ${issue.message}`).join('; '));
  return parsed.data;
}

const args = parse();
if (args.help) {
  process.stdout.write(`${HELP}\n`);
  process.exit(0);
}

const LEVELS: LogLevel[] = ['debug', 'info', 'warn', 'error'];
const stackLog = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
  if (LEVELS.indexOf(level) < LEVELS.indexOf('warn')) return;
  process.stderr.write(`[stack] ${level} ${message}${fields && Object.keys(fields).length ? ` ${JSON.stringify(fields)}` : ''}\n`);
};
const logger: Logger = redactingLogger({
  debug() {},
  info() {},
  warn: (message, fields) => process.stderr.write(`[beacon] warn ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
  error: (message, fields) => process.stderr.write(`[beacon] error ${message}${fields ? ` ${JSON.stringify(fields)}` : ''}\n`),
});

const FAULT_ACTIONS = faultActionSchema.options.map((option) => option.shape.action.value);
const agent = DEMO_USERS[args.agent === 'a' ? 0 : 1]!;
const dataDir = join(ROOT, '.stack-data/demo');
const previewStateDir = join(ROOT, '.stack-data/demo-preview');

/** The Electron binary electron's install script downloaded, if it did. */
function electronBinary(): { path: string } | { path: null; reason: string } {
  const pathFile = join(ROOT, 'node_modules/electron/path.txt');
  if (!existsSync(pathFile)) {
    return {
      path: null,
      reason:
        'the Electron binary is not installed (node_modules/electron/path.txt is missing: the download from GitHub is blocked on this machine, or it was skipped)',
    };
  }
  const binary = join(ROOT, 'node_modules/electron/dist', readFileSync(pathFile, 'utf8').trim());
  if (!existsSync(binary)) return { path: null, reason: `the Electron binary named by node_modules/electron/path.txt is missing (${binary})` };
  return { path: binary };
}

// Everything this script started, stopped in reverse order on the way out.
let stack: Stack | undefined;
let preview: PreviewServer | undefined;
let electron: ChildProcess | undefined;
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (stopping) process.exit(code);
  stopping = true;
  process.stderr.write('\ndemo: stopping…\n');
  if (electron && electron.exitCode === null && electron.signalCode === null) electron.kill('SIGTERM');
  await preview?.stop().catch((error: unknown) => logger.error('stopping the preview failed', { error: String(error) }));
  await stack?.stop().catch((error: unknown) => logger.error('stopping the stack failed', { error: String(error) }));
  // realtime-js leaves a reconnect timer behind after disconnect(); do not wait for it.
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));

async function startStack(): Promise<Stack> {
  process.stderr.write(`demo: starting the local stack (${args.persist ? `data in ${relative(process.cwd(), dataDir)}` : 'ephemeral'})…\n`);
  return await createStack({
    port: 0,
    ...(args.persist ? { dataDir } : {}),
    ...(args.simulator ? { simulator: {} } : {}),
    log: stackLog,
  });
}

/** What a newcomer needs to know about the running demo, on stdout. */
function banner(running: Stack, lines: { title: string; open: string; beacon: string; state: string; hint: string }): string {
  const users = DEMO_USERS.map((user) => `    ${user.email.padEnd(24)} ${user.password}`).join('\n');
  const fault = [
    `curl -X POST ${running.url}/admin/v1/faults \\`,
    `      -H 'apikey: ${running.serviceRoleKey}' \\`,
    `      -H 'content-type: application/json' -d '{"action":"drop-sockets"}'`,
  ].join('\n');
  return [
    '',
    `  ${lines.title}`,
    '',
    `  Open             ${lines.open}`,
    `  Beacon           ${lines.beacon}`,
    `  Local stack      ${running.url}`,
    `  Simulator        ${args.simulator ? 'on: AI tasks start and finish every few seconds' : 'off'}`,
    `  Stack data       ${args.persist ? `kept in ${relative(process.cwd(), dataDir)} (--persist; delete the folder to start over)` : 'ephemeral: a temporary database, removed on exit (--persist keeps it)'}`,
    `  Beacon's state   ${lines.state}`,
    '',
    '  Demo agents (email / password):',
    users,
    '',
    `  Inject a fault into the running stack (actions: ${FAULT_ACTIONS.join(', ')}):`,
    '',
    `    ${fault.split('\n').join('\n    ')}`,
    '',
    `  ${lines.hint}`,
    '',
  ].join('\n');
}

function openInBrowser(url: string): void {
  const [command, commandArgs] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '""', url]] : ['xdg-open', [url]];
  const opener = spawn(command, commandArgs as string[], { stdio: 'ignore', detached: true });
  opener.on('error', (error) => process.stderr.write(`demo: could not open a browser (${error.message}); open the address above yourself.\n`));
  opener.unref();
}

async function runBrowser(): Promise<void> {
  let rendererRoot = args.renderer;
  if (!rendererRoot) {
    if (await rendererIsStale()) {
      process.stderr.write('demo: building the renderer (out/renderer is missing or older than its sources)…\n');
      await buildApp();
    }
    rendererRoot = join(ROOT, 'out/renderer');
  }
  stack = await startStack();
  preview = await startPreview({
    project: stack,
    rendererRoot,
    port: args.port,
    logger,
    ...(args.persist ? { stateDir: previewStateDir } : {}),
  });
  if (!args['signed-out'] && !preview.app.appState().session.signedIn) {
    const result = await preview.app.invoke('signIn', { email: agent.email, password: agent.password });
    if (!result.ok) throw new Error(`signing in as ${agent.email} failed: ${result.message}`);
  }
  process.stdout.write(
    banner(stack, {
      title: 'Beacon browser preview is running',
      open: preview.pageUrl,
      beacon: args['signed-out'] ? 'at the sign-in form' : `signed in as ${agent.email}`,
      state: args.persist ? relative(process.cwd(), previewStateDir) : 'in memory',
      hint: 'Notifications show in the page, bottom right ("Notifications (preview)"). Ctrl+C stops everything.',
    }),
  );
  if (args.open) openInBrowser(preview.pageUrl);
}

async function runElectron(binary: string): Promise<void> {
  if (await appIsStale()) {
    process.stderr.write('demo: building the app (out/ is missing or older than its sources)…\n');
    await buildApp();
  }
  stack = await startStack();
  process.stdout.write(
    banner(stack, {
      title: 'Beacon (Electron) is starting',
      open: 'the Beacon icon in the system tray',
      beacon: `signing in as ${agent.email}`,
      state: "Electron's userData folder (the app's own, as installed)",
      hint: 'Ctrl+C here stops the app and the stack.',
    }),
  );
  electron = spawn(binary, [join(ROOT, 'out/main/index.js')], {
    cwd: ROOT,
    stdio: 'inherit',
    env: {
      ...process.env,
      BEACON_DEV_SUPABASE_URL: stack.url,
      BEACON_DEV_ANON_KEY: stack.anonKey,
      BEACON_DEV_EMAIL: agent.email,
      BEACON_DEV_PASSWORD: agent.password,
    },
  });
  electron.on('error', (error) => {
    process.stderr.write(`demo: Electron did not start: ${error.message}\n`);
    void shutdown(1);
  });
  electron.on('exit', (code, signal) => {
    if (stopping) return;
    process.stderr.write(`demo: Beacon exited (${signal ?? `code ${code ?? 0}`}).\n`);
    void shutdown(code ?? 0);
  });
}

try {
  if (args.browser) {
    await runBrowser();
  } else {
    const found = electronBinary();
    if (found.path === null) {
      fail(
        [
          `the Electron app cannot start on this machine: ${found.reason}.`,
          `To see the tray window anyway, run it in a browser:  ./beacon demo --browser${args.agent === 'b' ? ' --agent b' : ''}`,
        ].join('\n'),
        1,
      );
    }
    await runElectron(found.path);
  }
} catch (error) {
  process.stderr.write(`demo: ${(error as Error).message}\n`);
  await shutdown(1);
}
