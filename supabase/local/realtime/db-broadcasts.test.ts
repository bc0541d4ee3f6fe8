import { describe, expect, it } from 'vitest';
import { broadcastOfRow } from './db-broadcasts.ts';

const row = {
  id: '6f1c1d1e-0000-4000-8000-000000000001',
  topic: 'agent:1',
  extension: 'broadcast',
  event: 'task',
  private: 't',
  skip_broadcast: 'f',
  payload: '{"a": 1, "b": [1, 2]}',
  binary_payload: null,
};

describe('broadcastOfRow', () => {
  it('turns a realtime.messages row (pgoutput text) into a JSON user broadcast with the row id as metadata', () => {
    const broadcast = broadcastOfRow(row);
    expect(broadcast).toMatchObject({ id: row.id, topic: 'agent:1', isPrivate: true, broadcast: { event: 'task', encoding: 1, meta: { id: row.id } } });
    expect(broadcast?.broadcast.body.toString('utf8')).toBe('{"a":1,"b":[1,2]}');
  });

  it('carries binary_payload as binary and private = f as public', () => {
    const broadcast = broadcastOfRow({ ...row, payload: null, binary_payload: '\\x00ff10', private: 'f' });
    expect(broadcast?.isPrivate).toBe(false);
    expect(broadcast?.broadcast.encoding).toBe(0);
    expect([...(broadcast?.broadcast.body ?? [])]).toEqual([0, 255, 16]);
  });

  it('ignores presence rows and rows marked skip_broadcast', () => {
    expect(broadcastOfRow({ ...row, extension: 'presence' })).toBeUndefined();
    expect(broadcastOfRow({ ...row, skip_broadcast: 't' })).toBeUndefined();
  });
});
