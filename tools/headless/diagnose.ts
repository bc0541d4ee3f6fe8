/**
 * `npm run headless -- --diagnose`: the connection test (main/core/network/diagnose.ts)
 * from the command line, through the same network as the headless core
 * (HTTPS_PROXY/NO_PROXY, system + bundled roots, --ca-bundle). Prints one line
 * per hop, or with --json the whole report as one JSON object. Exit code 0 when
 * every hop passed, 1 otherwise.
 */
import { runConnectionTest, type ConnectionReport, type DiagnoseAuth } from '../../main/core/network/diagnose.ts';
import type { BeaconNetwork } from '../../main/core/network/network.ts';
import { systemClock } from '../../main/core/ports.ts';

export interface DiagnoseArgs {
  readonly url: string;
  readonly anonKey: string;
  readonly email?: string | undefined;
  readonly password?: string | undefined;
  readonly json: boolean;
}

export function formatReport(report: ConnectionReport): string {
  const lines = [`Connection test for ${report.url}`];
  for (const hop of report.hops) {
    const mark = hop.status === 'ok' ? 'ok  ' : hop.status === 'failed' ? 'FAIL' : 'skip';
    const ms = hop.ms === null ? '' : ` (${hop.ms} ms)`;
    lines.push(`  [${mark}] ${hop.label}${ms}: ${hop.detail}`);
    if (hop.fix) lines.push(`         What to change: ${hop.fix}`);
  }
  lines.push(report.ok ? 'Every step passed.' : `Stopped at: ${report.hops.find((h) => h.id === report.failedAt)?.label ?? report.failedAt}.`);
  return lines.join('\n');
}

export async function runDiagnose(args: DiagnoseArgs, network: BeaconNetwork, write: (text: string) => void): Promise<number> {
  const auth: DiagnoseAuth = args.email && args.password ? { kind: 'password', email: args.email, password: args.password } : null;
  const report = await runConnectionTest({ url: args.url, anonKey: args.anonKey, network, clock: systemClock, auth });
  const trust = network.trustProblems.length > 0 ? { trustProblems: network.trustProblems } : {};
  write(args.json ? `${JSON.stringify({ type: 'connection-test', ...report, ...trust })}\n` : `${formatReport(report)}\n${network.trustProblems.map((p) => `Note: ${p}\n`).join('')}`);
  return report.ok ? 0 : 1;
}
