/**
 * Suite-wide check: every PostgreSQL server a test started (embedded, data in a
 * `beacon-*` temp directory) is gone when the suite ends. Servers that were
 * already running before the suite (a developer's own stack) are left alone.
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function beaconPostgresPids(): Map<number, string> {
  const marker = join(tmpdir(), 'beacon-');
  const out = execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' });
  const pids = new Map<number, string>();
  for (const line of out.split('\n')) {
    const match = /^\s*(\d+)\s+(.*)$/.exec(line);
    if (match && /\bpostgres\b/.test(match[2]!) && match[2]!.includes(' -D ') && match[2]!.includes(marker)) pids.set(Number(match[1]), match[2]!);
  }
  return pids;
}

export default function setup() {
  const before = new Set(beaconPostgresPids().keys());
  return async function teardown() {
    let orphans: Array<[number, string]> = [];
    for (let attempt = 0; attempt < 50; attempt += 1) {
      orphans = [...beaconPostgresPids()].filter(([pid]) => !before.has(pid));
      if (orphans.length === 0) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`PostgreSQL servers started by the tests are still running after the suite:\n${orphans.map(([pid, args]) => `  ${pid} ${args}`).join('\n')}`);
  };
}
