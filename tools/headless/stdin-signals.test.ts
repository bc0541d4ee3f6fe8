import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { flushPromises } from '../../test/fakes/fake-clock.ts';
import { parseSignalLine, readSignals, SIGNALS, type SignalLine, type SignalTarget } from './stdin-signals.ts';

function target() {
  const calls: string[] = [];
  const t: SignalTarget = {
    suspend: () => calls.push('suspend'),
    resume: () => calls.push('resume'),
    unlock: () => calls.push('unlock'),
    online: (on) => calls.push(on ? 'online' : 'offline'),
    retryNow: () => calls.push('retry'),
  };
  return { calls, t };
}

describe('headless stdin signals', () => {
  it('parses one JSON object per line; rejects anything else with a message; ignores blank lines', () => {
    for (const signal of SIGNALS) expect(parseSignalLine(JSON.stringify({ signal }))).toEqual({ ok: true, signal });
    expect(parseSignalLine('   ')).toBeNull();
    expect(parseSignalLine('suspend')).toMatchObject({ ok: false });
    expect(parseSignalLine('{"signal":"reboot"}')).toMatchObject({ ok: false });
    expect(parseSignalLine('{"signal":"suspend","extra":1}')).toMatchObject({ ok: false });
  });

  it('drives the core like the OS adapters do, acknowledging each line', async () => {
    const input = new PassThrough();
    const { calls, t } = target();
    const out: SignalLine[] = [];
    const stop = readSignals(input, t, (line) => out.push(line));
    input.write('{"signal":"suspend"}\n{"signal":"resume"}\n{"signal":"lock"}\r\n{"signal":"unlock"}\n');
    input.write('{"signal":"offline"}\n{"signal":"online"}\nnonsense\n{"signal":"retry"}\n');
    await flushPromises();
    expect(calls).toEqual(['suspend', 'resume', 'unlock', 'offline', 'online', 'retry']);
    expect(out.filter((l) => l.type === 'signal').map((l) => (l as { signal: string }).signal)).toEqual(['suspend', 'resume', 'lock', 'unlock', 'offline', 'online', 'retry']);
    expect(out.filter((l) => l.type === 'error')).toHaveLength(1);
    stop();
    input.end();
  });
});
