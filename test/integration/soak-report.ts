/**
 * The soak run's summary: what was committed and announced, what each fault
 * did, and how long the core spent in each health state. Plain text for a
 * terminal, or one JSON object.
 */
import type { DeliveryVerdict } from './exactly-once.ts';
import type { HealthOrStopped } from './core-harness.ts';
import { REALTIME_LOSING, type FaultName } from './fault-injection.ts';
import type { WorkloadStats } from './workload.ts';

export interface SoakFault {
  readonly name: FaultName;
  /** Seconds since the soak started. */
  readonly atS: number;
  readonly detail: string;
  /** For faults that take realtime down: ms until health said `polling`, null if it never did. */
  readonly pollingAfterMs: number | null;
  /** ms until health was `live` again after the fault, null if not before the next one. */
  readonly liveAfterMs: number | null;
}

export interface SoakSummary {
  readonly seed: number;
  readonly minutes: number;
  readonly durationS: number;
  readonly verdict: DeliveryVerdict;
  readonly missedBeforeFinalReconcile: number;
  readonly recoveredBySnapshot: number;
  readonly workload: WorkloadStats;
  readonly faults: readonly SoakFault[];
  readonly timeInHealthMs: Readonly<Record<HealthOrStopped, number>>;
  readonly coreRuns: number;
  readonly liveAtEnd: boolean;
  readonly quietAtEnd: { readonly restCalls: number; readonly stayedLive: boolean } | null;
}

export interface SoakCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail: string;
}

/** Polling must take over within this long after realtime is lost. */
const POLLING_TAKEOVER_LIMIT_MS = 10_000;

export function soakChecks(summary: SoakSummary): SoakCheck[] {
  const { verdict } = summary;
  const slowTakeovers = summary.faults.filter(
    (f) => REALTIME_LOSING.has(f.name) && (f.pollingAfterMs === null || f.pollingAfterMs >= POLLING_TAKEOVER_LIMIT_MS),
  );
  return [
    { name: 'none missed', ok: verdict.missed.length === 0, detail: list(verdict.missed) },
    { name: 'none doubled', ok: verdict.doubled.length === 0, detail: list(verdict.doubled) },
    { name: 'none made up', ok: verdict.unexpected.length === 0, detail: list(verdict.unexpected) },
    {
      name: `polling within ${POLLING_TAKEOVER_LIMIT_MS / 1000} s of losing realtime`,
      ok: slowTakeovers.length === 0,
      detail: slowTakeovers.map((f) => `${f.name} at ${f.atS}s: ${f.pollingAfterMs ?? 'never'}`).join(', '),
    },
    { name: 'live again at the end', ok: summary.liveAtEnd, detail: '' },
    {
      name: 'no REST call while live at the end',
      ok: summary.quietAtEnd !== null && summary.quietAtEnd.restCalls === 0 && summary.quietAtEnd.stayedLive,
      detail: summary.quietAtEnd ? JSON.stringify(summary.quietAtEnd) : 'not live',
    },
  ];
}

export function formatSoakSummary(summary: SoakSummary, checks: readonly SoakCheck[]): string {
  const { verdict } = summary;
  const lines: string[] = [];
  lines.push(`Beacon soak — seed ${summary.seed}, ${summary.minutes} min planned, ${summary.durationS} s run (replay: --seed ${summary.seed})`, '');
  lines.push(
    table(
      ['transitions', 'count'],
      [
        ['committed (completed/failed)', verdict.committed],
        ['announced', verdict.announced],
        ['missed', verdict.missed.length],
        ['doubled', verdict.doubled.length],
        ['announced but not committed', verdict.unexpected.length],
        ['found by a snapshot, not live', summary.recoveredBySnapshot],
        ['still missing before the final reconcile', summary.missedBeforeFinalReconcile],
        ['tasks planned / inserted / writes failed', `${summary.workload.planned} / ${summary.workload.inserted} / ${summary.workload.failedWrites}`],
        ['core runs (restarts + 1)', summary.coreRuns],
      ],
    ),
    '',
  );

  const byName = new Map<FaultName, SoakFault[]>();
  for (const fault of summary.faults) byName.set(fault.name, [...(byName.get(fault.name) ?? []), fault]);
  lines.push(
    table(
      ['fault', 'injected', 'polling after (max ms)', 'live again after (max ms)'],
      [...byName].map(([name, faults]) => [
        name,
        faults.length,
        REALTIME_LOSING.has(name) ? maxOrNever(faults.map((f) => f.pollingAfterMs)) : '-',
        maxOrNever(faults.map((f) => f.liveAfterMs)),
      ]),
    ),
    '',
  );

  const total = Object.values(summary.timeInHealthMs).reduce((a, b) => a + b, 0) || 1;
  lines.push(
    table(
      ['health', 'time (s)', 'share'],
      Object.entries(summary.timeInHealthMs).map(([state, ms]) => [state, (ms / 1000).toFixed(1), `${((100 * ms) / total).toFixed(1)} %`]),
    ),
    '',
  );

  lines.push('faults in order:');
  for (const fault of summary.faults) lines.push(`  ${String(fault.atS).padStart(5)} s  ${fault.name.padEnd(18)} ${fault.detail}`);
  lines.push('');
  for (const check of checks) lines.push(`${check.ok ? 'PASS' : 'FAIL'}  ${check.name}${check.detail ? `: ${check.detail}` : ''}`);
  return lines.join('\n');
}

function maxOrNever(values: ReadonlyArray<number | null>): string {
  if (values.some((v) => v === null)) return `never (${values.filter((v) => v === null).length}×)`;
  return String(Math.max(...(values as number[])));
}

function list(items: readonly string[]): string {
  return items.length <= 10 ? items.join(', ') : `${items.slice(0, 10).join(', ')} … (+${items.length - 10})`;
}

function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header, ...rows].map((row) => row.map(String));
  const widths = header.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const line = (row: readonly string[]) => row.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  return [line(cells[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.slice(1).map(line)].join('\n');
}
