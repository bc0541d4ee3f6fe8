import type { Logger } from '../../main/core/ports.ts';

export interface RingEntry {
  readonly at: number;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly fields: Record<string, unknown> | undefined;
}

/**
 * A Logger that keeps only the last `capacity` entries (debug dropped unless
 * asked for): enough to explain a failure of a long run without holding all
 * of it in memory.
 */
export class RingLogger implements Logger {
  private readonly entries: RingEntry[] = [];
  private readonly capacity: number;
  private readonly keepDebug: boolean;
  /** Prefix for lines of `tail()`, e.g. the core's run number. */
  label = '';

  constructor(options: { capacity?: number; keepDebug?: boolean } = {}) {
    this.capacity = options.capacity ?? 400;
    this.keepDebug = options.keepDebug ?? false;
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    if (this.keepDebug) this.push('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.push('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.push('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.push('error', message, fields);
  }

  /** The last `count` entries as text lines, oldest first. */
  tail(count = 60): string {
    return this.entries
      .slice(-count)
      .map((e) => `${new Date(e.at).toISOString().slice(11, 23)} ${e.level.padEnd(5)} ${e.message}${e.fields ? ` ${safeJson(e.fields)}` : ''}`)
      .join('\n');
  }

  private push(level: RingEntry['level'], message: string, fields: Record<string, unknown> | undefined): void {
    this.entries.push({ at: Date.now(), level, message: this.label ? `[${this.label}] ${message}` : message, fields });
    if (this.entries.length > this.capacity) this.entries.splice(0, this.entries.length - this.capacity);
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value).slice(0, 300);
  } catch {
    return '[unserializable]';
  }
}
