/**
 * A Logger usable before the log file is set up (the deep-link router and the
 * single-instance handling start before `ready`): it keeps the first entries
 * and replays them once the real logger is attached.
 */
import type { Logger } from '../core/ports.ts';

type Level = 'debug' | 'info' | 'warn' | 'error';

export const MAX_BUFFERED = 200;

export class LateLogger implements Logger {
  private target: Logger | null = null;
  private readonly buffer: Array<[Level, string, Record<string, unknown> | undefined]> = [];

  attach(target: Logger): void {
    this.target = target;
    for (const [level, message, fields] of this.buffer.splice(0)) target[level](message, fields);
  }

  debug(message: string, fields?: Record<string, unknown>): void {
    this.write('debug', message, fields);
  }
  info(message: string, fields?: Record<string, unknown>): void {
    this.write('info', message, fields);
  }
  warn(message: string, fields?: Record<string, unknown>): void {
    this.write('warn', message, fields);
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.write('error', message, fields);
  }

  private write(level: Level, message: string, fields: Record<string, unknown> | undefined): void {
    if (this.target) {
      this.target[level](message, fields);
      return;
    }
    if (this.buffer.length < MAX_BUFFERED) this.buffer.push([level, message, fields]);
  }
}
