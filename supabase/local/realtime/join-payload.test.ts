import { describe, expect, it } from 'vitest';
import { bindingId, inspectElixir, joinPayloadProblem, MAX_JOIN_PAYLOAD_DEPTH, parseJoinPayload } from './join-payload.ts';

describe('parseJoinPayload', () => {
  it('reads what realtime-js sends', () => {
    const config = parseJoinPayload({
      config: {
        broadcast: { ack: true, self: false },
        presence: { key: 'me', enabled: true },
        postgres_changes: [{ event: '*', schema: 'public', table: 'todos' }],
        private: false,
      },
      access_token: 'jwt',
      version: 'realtime-js/2.119.1',
    });
    expect(config).toMatchObject({
      broadcastAck: true,
      broadcastSelf: false,
      presenceEnabled: true,
      presenceKey: 'me',
      postgresChanges: [{ event: '*', schema: 'public', table: 'todos' }],
      isPrivate: false,
      accessToken: 'jwt',
    });
  });

  it('is lenient like Realtime: string booleans, invalid parts defaulted, sb_ keys not tokens', () => {
    const config = parseJoinPayload({
      config: { broadcast: { self: 'TRUE', ack: 3 }, postgres_changes: [null, { table: 't' }, 'x'], private: 'false' },
      access_token: 'sb_publishable_abc',
    });
    expect(config).toMatchObject({ broadcastSelf: true, broadcastAck: false, postgresChanges: [{ table: 't' }], isPrivate: false, accessToken: undefined });
    expect(parseJoinPayload('garbage')).toMatchObject({ postgresChanges: [], presenceEnabled: false, accessToken: undefined });
  });
});

describe('bindingId', () => {
  it('is a stable non-negative integer below 2^27 that ignores key order', () => {
    const a = bindingId({ event: '*', schema: 'public', table: 'agent_tasks', filter: 'id=eq.1' });
    const b = bindingId({ filter: 'id=eq.1', table: 'agent_tasks', schema: 'public', event: '*' });
    expect(a).toBe(b);
    expect(Number.isInteger(a) && a >= 0 && a < 2 ** 27).toBe(true);
    expect(bindingId({ event: 'INSERT', schema: 'public', table: 'agent_tasks' })).not.toBe(a);
  });
});

describe('inspectElixir', () => {
  it('prints maps with sorted keys and nil for null', () => {
    expect(inspectElixir({ filter: null, event: '*', n: 1, list: ['a'] })).toBe('%{"event" => "*", "filter" => nil, "list" => ["a"], "n" => 1}');
  });
});

describe('joinPayloadProblem', () => {
  const nest = (depth: number): unknown => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i += 1) value = { a: value };
    return value;
  };

  it('accepts what realtime-js sends', () => {
    expect(
      joinPayloadProblem({
        config: { broadcast: { ack: false, self: false }, presence: { key: '', enabled: false }, postgres_changes: [{ event: '*', schema: 'public', table: 't', filter: 'id=eq.1' }], private: false },
        access_token: 'jwt',
      }),
    ).toBeUndefined();
    expect(joinPayloadProblem(nest(MAX_JOIN_PAYLOAD_DEPTH))).toBeUndefined();
  });

  it('refuses nesting beyond the limit, at any depth, without recursing', () => {
    expect(joinPayloadProblem(nest(MAX_JOIN_PAYLOAD_DEPTH + 1))).toMatch(/^InvalidJoinPayload: .*nests deeper/);
    expect(joinPayloadProblem({ config: { postgres_changes: [nest(200_000)] } })).toMatch(/^InvalidJoinPayload: /);
  });

  it('refuses payloads with too many values', () => {
    expect(joinPayloadProblem({ config: { postgres_changes: Array.from({ length: 20_000 }, () => ({})) } })).toMatch(/more than/);
  });
});
