import { describe, expect, it } from 'vitest';
import { changeBindings, channelTopic, isTokenProblem } from './beacon-channel.ts';
import { cursorsWithMargin } from './snapshot-rpc.ts';

describe('cursorsWithMargin', () => {
  const cases = [
    { name: 'no cursors: the most recent rows', cursors: { finishedSince: null, changesSince: null }, expected: { finished_since: null, changes_since: null } },
    {
      name: 'moves each cursor back by the margin',
      cursors: { finishedSince: '2026-11-21T12:00:00.123456+00:00', changesSince: '2026-11-21T12:00:30Z' },
      expected: { finished_since: '2026-11-21T11:59:00.123Z', changes_since: '2026-11-21T11:59:30.000Z' },
    },
    {
      name: 'an unreadable cursor means no cursor (more rows, never fewer)',
      cursors: { finishedSince: 'yesterday', changesSince: '2026-11-21T12:00:00+02:00' },
      expected: { finished_since: null, changes_since: '2026-11-21T09:59:00.000Z' },
    },
  ];
  it.each(cases)('$name', ({ cursors, expected }) => {
    expect(cursorsWithMargin(cursors, 60_000)).toEqual(expected);
  });
});

describe('the Beacon channel', () => {
  const user = 'a0000000-0000-4000-8000-000000000001';

  it('is one topic per agent with one binding per table', () => {
    expect(channelTopic(user)).toBe(`beacon:${user}`);
    const bindings = changeBindings(user);
    expect(bindings.map((b) => b.table).sort()).toEqual(
      ['agent_tasks', 'contacts', 'conversation_contact_labels', 'conversation_metadata', 'conversation_notes', 'user_profiles'].sort(),
    );
    expect(new Set(bindings.map((b) => b.table)).size).toBe(bindings.length);
  });

  it('filters the tables whose owner column is known, so foreign DELETEs never arrive', () => {
    const bindings = changeBindings(user);
    expect(bindings.find((b) => b.table === 'contacts')?.filter).toBe(`user_id=eq.${user}`);
    expect(bindings.find((b) => b.table === 'user_profiles')?.filter).toBe(`id=eq.${user}`);
    expect(bindings.filter((b) => b.filter === undefined).map((b) => b.table)).not.toContain('contacts');
  });

  it.each([
    ['InvalidJWTToken: Token has expired 3 seconds ago', true],
    ['Token has expired 0 seconds ago', true],
    ['The token provided is not a valid JWT', true],
    ['heartbeat timeout', false],
    ['socket closed: 1000 (bye)', false],
    ['Too many messages per second', false],
    [undefined, false],
  ])('isTokenProblem(%j) = %s', (message, expected) => {
    expect(isTokenProblem(message)).toBe(expected);
  });
});
