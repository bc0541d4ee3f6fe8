/**
 * Wraps any Logger so that every message and every field goes through the
 * credential redaction first, and so that logging never throws (a field that
 * cannot be redacted or a sink that fails is dropped, not raised into the
 * caller). BeaconCore wraps whatever logger it is given; the headless runner
 * wraps pino with it; the Electron log adds its own hook on top.
 */
import type { Logger } from '../ports.ts';
import { redact, redactString } from './redact.ts';

const WRAPPED = Symbol.for('beacon.redacting-logger');

export function redactingLogger(sink: Logger): Logger {
  if ((sink as { [WRAPPED]?: boolean })[WRAPPED]) return sink;
  const emit = (level: keyof Logger) => (message: string, fields?: Record<string, unknown>) => {
    try {
      const text = redactString(typeof message === 'string' ? message : String(message));
      if (fields === undefined) sink[level](text);
      else sink[level](text, redact(fields));
    } catch {
      // A log line is never worth an exception in the caller.
    }
  };
  const logger: Logger = { debug: emit('debug'), info: emit('info'), warn: emit('warn'), error: emit('error') };
  Object.defineProperty(logger, WRAPPED, { value: true });
  return logger;
}
