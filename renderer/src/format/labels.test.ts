import { describe, expect, it } from 'vitest';
import { count, describeField } from './labels.ts';

describe('labels', () => {
  it('counts in English', () => {
    expect(count(1, 'active task', 'active tasks')).toBe('1 active task');
    expect(count(0, 'active task', 'active tasks')).toBe('0 active tasks');
    expect(count(3, 'active task', 'active tasks')).toBe('3 active tasks');
  });

  it('describes a field change as before → after, or just the value when the before is unknown', () => {
    expect(describeField({ name: 'priority', before: 'normal', after: 'urgent' })).toBe('priority: normal → urgent');
    expect(describeField({ name: 'priority', before: null, after: 'urgent' })).toBe('priority: — → urgent');
    expect(describeField({ name: 'status', after: 'open' })).toBe('status: open');
    expect(describeField({ name: 'company', before: 'Acme', after: null })).toBe('company: Acme → —');
  });
});
