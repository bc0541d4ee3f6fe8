/**
 * The headless runner's logger: JSON lines on stderr (pino), every message and
 * field redacted first (stdout is reserved for the event lines).
 */
import pino from 'pino';
import type { Logger } from '../../main/core/ports.ts';
import { redactingLogger } from '../../main/core/logging/redacting-logger.ts';

export function headlessLogger(options: { readonly verbose: boolean; readonly destination?: pino.DestinationStream }): Logger {
  const log = pino({ level: options.verbose ? 'debug' : 'info', base: null }, options.destination ?? pino.destination({ dest: 2, sync: true }));
  return redactingLogger({
    debug: (message, fields) => log.debug(fields ?? {}, message),
    info: (message, fields) => log.info(fields ?? {}, message),
    warn: (message, fields) => log.warn(fields ?? {}, message),
    error: (message, fields) => log.error(fields ?? {}, message),
  });
}
