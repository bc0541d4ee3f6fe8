import { describe, expect, it } from 'vitest';
import { previousLsn } from './replication.ts';

describe('previousLsn', () => {
  it('steps back one byte, borrowing across the 32-bit halves', () => {
    expect(previousLsn('0/16B3748')).toBe('0/16B3747');
    expect(previousLsn('1/0')).toBe('0/FFFFFFFF');
    expect(previousLsn('0/0')).toBe('0/0');
  });
});
