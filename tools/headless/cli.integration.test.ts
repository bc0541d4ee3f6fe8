import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createStack, type Stack } from '../../supabase/local/stack.ts';

const cli = fileURLToPath(new URL('./cli.ts', import.meta.url));

interface Runner {
  lines: Array<Record<string, unknown>>;
  waitFor(predicate: (line: Record<string, unknown>) => boolean, what: string): Promise<Record<string, unknown>>;
  stop(): Promise<number | null>;
  exited: Promise<number | null>;
  child: ChildProcessWithoutNullStreams;
}

function startRunner(args: string[]): Runner {
  const child = spawn(process.execPath, [cli, ...args, '--json'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Array<Record<string, unknown>> = [];
  const waiters = new Set<() => void>();
  createInterface({ input: child.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line) as Record<string, unknown>);
    for (const wake of waiters) wake();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    lines,
    child,
    exited,
    waitFor(predicate, what) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(lines)}`));
        }, 20_000);
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

async function finishTask(stack: Stack, email: string, status: 'completed' | 'failed'): Promise<string> {
  const { rows } = await stack.context.db.pool.query<{ id: string }>(
    `update public.agent_tasks set status = $2, result = 'done by the test'
      where id = (select t.id from public.agent_tasks t join public.ai_agents a on a.id = t.agent_id join auth.users u on u.id = a.user_id
                   where u.email = $1 and t.status in ('pending', 'in_progress') order by t.id limit 1)
      returning id`,
    [email, status],
  );
  return rows[0]!.id;
}

describe('npm run headless', () => {
  let stack: Stack;
  let stateDir: string;
  let base: string[];

  beforeAll(async () => {
    stack = await createStack();
    stateDir = await mkdtemp(join(tmpdir(), 'beacon-headless-'));
    base = ['--url', stack.url, '--anon-key', stack.anonKey, '--state-dir', stateDir];
  });

  afterAll(async () => {
    await stack?.stop();
    await rm(stateDir, { recursive: true, force: true });
  });

  it('prints a notification line when a task finishes, and a restart neither repeats it nor needs the password', async () => {
    const agent = stack.demoUsers[0]!;
    const first = startRunner([...base, '--email', agent.email, '--password', agent.password]);
    try {
      await first.waitFor((l) => l.type === 'health' && l.state === 'live', 'live');
      const taskId = await finishTask(stack, agent.email, 'failed');
      const line = await first.waitFor((l) => l.type === 'notification', 'a notification');
      expect(line).toMatchObject({ type: 'notification', taskId, status: 'failed', urgency: 'critical' });
      expect(typeof line.contactId).toBe('string');
      expect(line.title).toMatch(/failed/i);
    } finally {
      expect(await first.stop()).toBe(0);
    }

    // While Beacon is closed another task finishes: it is announced once, as "while you were away".
    const awayTaskId = await finishTask(stack, agent.email, 'completed');
    const second = startRunner(base);
    try {
      await second.waitFor((l) => l.type === 'session' && l.signedIn === true, 'the restored session');
      const summary = await second.waitFor((l) => l.type === 'summary', 'the away summary');
      expect(summary).toMatchObject({ reason: 'away', taskIds: [awayTaskId] });
      await second.waitFor((l) => l.type === 'health' && l.state === 'live', 'live');
      expect(second.lines.filter((l) => l.type === 'notification')).toEqual([]);
    } finally {
      expect(await second.stop()).toBe(0);
    }
  });

  it('takes OS signals on stdin: suspend shows asleep (offline), a task finished meanwhile is announced once after resume; no secret in the logs', async () => {
    const agent = stack.demoUsers[1]!;
    const dir = await mkdtemp(join(tmpdir(), 'beacon-headless-'));
    const runner = startRunner(['--url', stack.url, '--anon-key', stack.anonKey, '--state-dir', dir, '--email', agent.email, '--password', agent.password, '--verbose']);
    let stderr = '';
    runner.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    try {
      await runner.waitFor((l) => l.type === 'health' && l.state === 'live', 'live');
      runner.child.stdin.write('{"signal":"suspend"}\n');
      await runner.waitFor((l) => l.type === 'signal' && l.signal === 'suspend', 'the suspend ack');
      await runner.waitFor((l) => l.type === 'health' && l.state === 'offline', 'offline while asleep');
      const taskId = await finishTask(stack, agent.email, 'completed');
      runner.child.stdin.write('not json\n{"signal":"resume"}\n');
      await runner.waitFor((l) => l.type === 'error' && /stdin/.test(String(l.message)), 'the bad-line error');
      const announced = await runner.waitFor((l) => (l.type === 'notification' && l.taskId === taskId) || (l.type === 'summary' && (l.taskIds as string[]).includes(taskId)), 'the task announced');
      expect(announced).toBeTruthy();
      const since = runner.lines.length;
      await runner.waitFor((l, ) => l.type === 'health' && l.state === 'live' && runner.lines.indexOf(l) >= since - 5, 'live again');
      const mentions = runner.lines.filter((l) => (l.type === 'notification' && l.taskId === taskId) || (l.type === 'summary' && (l.taskIds as string[]).includes(taskId)));
      expect(mentions).toHaveLength(1);
    } finally {
      expect(await runner.stop()).toBe(0);
      await rm(dir, { recursive: true, force: true });
    }
    expect(stderr).not.toContain(agent.password);
    expect(stderr).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/);
  });

  it('says what is missing instead of failing obscurely', async () => {
    const runner = startRunner(['--url', 'http://example.com', '--anon-key', 'nope', '--state-dir', stateDir]);
    let stderr = '';
    runner.child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await runner.exited).toBe(2);
    expect(stderr).toMatch(/--url must use https/);
    expect(stderr).toMatch(/--anon-key is not an anon key/);
  });

  it('refuses wrong credentials with a plain message', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'beacon-headless-'));
    const runner = startRunner(['--url', stack.url, '--anon-key', stack.anonKey, '--state-dir', dir, '--email', 'agent.a@beacon.local', '--password', 'wrong']);
    const line = await runner.waitFor((l) => l.type === 'error', 'the error line');
    expect(line.message).toBe('Wrong email or password.');
    expect(await runner.exited).toBe(1);
    await rm(dir, { recursive: true, force: true });
  });
});
