import { describe, expect, it } from 'vitest';
import { formatReport } from './diagnose.ts';

describe('--diagnose without --json', () => {
  it('prints one line per hop with its time, and what to change under the failed one', () => {
    const text = formatReport({
      url: 'https://abc.supabase.co',
      ok: false,
      failedAt: 'tls',
      hops: [
        { id: 'name-resolution', label: 'Name resolution', status: 'ok', ms: 2, detail: 'abc.supabase.co → 192.0.2.1.' },
        { id: 'tls', label: 'TLS', status: 'failed', ms: 30, detail: 'The connection to abc.supabase.co is intercepted…', fix: 'Install the root.' },
        { id: 'api-key', label: 'API key', status: 'skipped', ms: null, detail: 'Not tried: an earlier step failed.' },
      ],
    });
    expect(text.split('\n')).toEqual([
      'Connection test for https://abc.supabase.co',
      '  [ok  ] Name resolution (2 ms): abc.supabase.co → 192.0.2.1.',
      '  [FAIL] TLS (30 ms): The connection to abc.supabase.co is intercepted…',
      '         What to change: Install the root.',
      '  [skip] API key: Not tried: an earlier step failed.',
      'Stopped at: TLS.',
    ]);
  });
});
