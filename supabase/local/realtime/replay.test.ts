import { describe, expect, it } from 'vitest';
import { parseReplayRequest } from './replay.ts';

describe('parseReplayRequest', () => {
  it('reads since/limit and clamps limit to 1..25 (25 when absent)', () => {
    expect(parseReplayRequest({ config: { broadcast: { replay: { since: 5, limit: 100 } } } })).toEqual({ kind: 'replay', since: 5, limit: 25 });
    expect(parseReplayRequest({ config: { broadcast: { replay: { since: 5, limit: 0 } } } })).toEqual({ kind: 'replay', since: 5, limit: 1 });
    expect(parseReplayRequest({ config: { broadcast: { replay: { since: 5 } } } })).toEqual({ kind: 'replay', since: 5, limit: 25 });
  });

  it('tells absent from invalid', () => {
    expect(parseReplayRequest({ config: { broadcast: { ack: true } } })).toEqual({ kind: 'none' });
    expect(parseReplayRequest('nonsense')).toEqual({ kind: 'none' });
    expect(parseReplayRequest({ config: { broadcast: { replay: { limit: 3 } } } })).toEqual({ kind: 'invalid' });
    expect(parseReplayRequest({ config: { broadcast: { replay: { since: -1 } } } })).toEqual({ kind: 'invalid' });
  });
});
