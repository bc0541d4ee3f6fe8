/**
 * Suite-wide leak check, scoped to this run only.
 *
 * Before any test: a fresh temp root for this run becomes TMPDIR, and a marker
 * (BEACON_TEST_RUN) goes into the environment. Test workers, and every process
 * they start (PostgreSQL, Chromium, CLIs), inherit both. At the end:
 * - a process still running with this run's marker in its environment was
 *   started by this run and leaked (a port can only stay open in a process, so
 *   this covers servers too);
 * - anything left in the temp root is a folder or file a test did not remove.
 * Either fails the run, with the list. Other runs on the same machine (another
 * `./beacon test`, a developer's stack) have another marker and root, so they
 * never count. The root itself is removed either way, and so is the harness's
 * own folder (BEACON_TEST_HARNESS_DIR: the electron stub's userData), when
 * Vitest's process exits.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const RUN_MARKER = 'BEACON_TEST_RUN';

interface Leaked {
  readonly pid: number;
  readonly command: string;
}

function readProc(pid: string, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'latin1');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** Processes whose environment carries this run's marker, other than Vitest's own. */
function markedProcesses(marker: string, root: string): Leaked[] {
  const leaked: Leaked[] = [];
  if (existsSync('/proc/self/environ')) {
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      if (Number(pid) === process.pid) continue;
      const environ = readProc(pid, 'environ');
      if (!environ?.split('\0').includes(`${RUN_MARKER}=${marker}`)) continue;
      const command = (readProc(pid, 'cmdline') ?? '').split('\0').join(' ').trim();
      if (/vitest|tinypool/.test(command)) continue; // Vitest's own workers and watchdog, ending with it
      leaked.push({ pid: Number(pid), command });
    }
    return leaked;
  }
  // No /proc (macOS): servers this run started keep their data in the run's temp root.
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match && match[2]!.includes(root) && Number(match[1]) !== process.pid) leaked.push({ pid: Number(match[1]), command: match[2]! });
  }
  return leaked;
}

export default function setup() {
  const marker = randomBytes(8).toString('hex');
  const root = mkdtempSync(join(tmpdir(), 'beacon-test-run-'));
  // Traversable by others, as /tmp is: as root the tests run PostgreSQL as the OS user postgres, whose
  // data folders (mkdtemp'd and chowned by supabase/local/db) live in here. Not listable by others.
  chmodSync(root, 0o711);
  // The harness's own folder (the electron stub's userData), outside what is
  // judged. Vitest's workers may still be writing to it while the teardown below runs, so it goes when
  // this process exits, after them.
  const harness = mkdtempSync(join(tmpdir(), 'beacon-test-harness-'));
  process.once('exit', () => rmSync(harness, { recursive: true, force: true }));
  process.env[RUN_MARKER] = marker;
  process.env.TMPDIR = root;
  process.env.BEACON_TEST_HARNESS_DIR = harness;
  // Node would keep its module compile cache in the temp folder, and a worker writes it as it exits, after
  // any cleanup here could run: no compile cache in test runs.
  process.env.NODE_DISABLE_COMPILE_CACHE = '1';
  // jiti (how ESLint loads its config in the lint tests) would cache transpiled files there too.
  process.env.JITI_FS_CACHE = 'false';

  return async function teardown() {
    let processes: Leaked[] = [];
    // Processes that were told to stop may take a moment to exit: wait a little (bounded) before judging.
    for (let attempt = 0; attempt < 50; attempt += 1) {
      processes = markedProcesses(marker, root);
      if (processes.length === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const leftovers = readdirSync(root);
    rmSync(root, { recursive: true, force: true });
    const problems: string[] = [];
    if (processes.length > 0) problems.push(`processes this run started are still running:\n${processes.map((p) => `  ${p.pid} ${p.command}`).join('\n')}`);
    if (leftovers.length > 0) problems.push(`temp folders/files this run created were not removed (now deleted):\n${leftovers.map((name) => `  ${name}`).join('\n')}`);
    if (problems.length > 0) throw new Error(`The test run leaked:\n${problems.join('\n')}`);
  };
}
