/** Shared output helpers for the benchmark scripts. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function printTable(title: string, rows: ReadonlyArray<readonly [string, string]>): void {
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`\n${title}`, '', `| ${'metric'.padEnd(width)} | value |`, `| ${'-'.repeat(width)} | --- |`];
  for (const [key, value] of rows) lines.push(`| ${key.padEnd(width)} | ${value} |`);
  process.stdout.write(`${lines.join('\n')}\n\n`);
}
