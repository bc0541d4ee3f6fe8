/**
 * The headless runner's control input: one JSON object per line on stdin for
 * the OS signals the app reacts to, so every fault can be driven from outside:
 *
 *   {"signal":"suspend"}  {"signal":"resume"}  {"signal":"lock"}  {"signal":"unlock"}
 *   {"signal":"online"}   {"signal":"offline"}  {"signal":"retry"}
 *
 * Each accepted line is acknowledged with `{"type":"signal","signal":…}` on
 * stdout; anything else gives `{"type":"error","message":…}` and is ignored.
 * The end of stdin ends nothing (the runner keeps running until SIGTERM/SIGINT).
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { z } from 'zod';

export const SIGNALS = ['suspend', 'resume', 'lock', 'unlock', 'online', 'offline', 'retry'] as const;
export type HeadlessSignal = (typeof SIGNALS)[number];

/** What the signals act on (BeaconCore has these). */
export interface SignalTarget {
  suspend(): void;
  resume(): void;
  unlock(): void;
  online(isOnline: boolean): void;
  retryNow(): void;
}

const lineSchema = z.object({ signal: z.enum(SIGNALS) }).strict();

export type ParsedSignal = { readonly ok: true; readonly signal: HeadlessSignal } | { readonly ok: false; readonly message: string };

/** Parses one stdin line. Blank lines are `null` (ignored). */
export function parseSignalLine(line: string): ParsedSignal | null {
  const text = line.trim();
  if (text === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, message: `stdin: not JSON (expected one object per line, e.g. {"signal":"suspend"})` };
  }
  const parsed = lineSchema.safeParse(value);
  if (!parsed.success) return { ok: false, message: `stdin: expected {"signal": one of ${SIGNALS.join(', ')}}` };
  return { ok: true, signal: parsed.data.signal };
}

/** Applies a signal the way the Electron power/network adapters do (lock needs nothing: the unlock catches up). */
export function applySignal(target: SignalTarget, signal: HeadlessSignal): void {
  switch (signal) {
    case 'suspend':
      return target.suspend();
    case 'resume':
      return target.resume();
    case 'lock':
      return;
    case 'unlock':
      return target.unlock();
    case 'online':
      return target.online(true);
    case 'offline':
      return target.online(false);
    case 'retry':
      return target.retryNow();
  }
}

export type SignalLine = { type: 'signal'; signal: HeadlessSignal } | { type: 'error'; message: string };

/** Reads signals from `input` until it ends; returns a function that stops reading. */
export function readSignals(input: Readable, target: SignalTarget, out: (line: SignalLine) => void): () => void {
  const reader = createInterface({ input, crlfDelay: Infinity });
  reader.on('line', (line) => {
    const parsed = parseSignalLine(line);
    if (!parsed) return;
    if (!parsed.ok) {
      out({ type: 'error', message: parsed.message });
      return;
    }
    try {
      applySignal(target, parsed.signal);
      out({ type: 'signal', signal: parsed.signal });
    } catch (error) {
      out({ type: 'error', message: `stdin: ${parsed.signal} failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  });
  // An error on stdin (closed pipe) must not take the runner down.
  input.on('error', () => reader.close());
  return () => reader.close();
}
