import { describe, expect, it } from 'vitest';
import { bypasses, isLoopbackHost, parseBypassList } from './bypass.ts';

const rules = (list: string) => parseBypassList(list);

describe('proxy bypass rules (Chromium / OS settings syntax)', () => {
  it.each([
    ['crm.example.com', 'https://crm.example.com/x', true],
    ['crm.example.com', 'https://www.crm.example.com/x', false],
    ['*.example.com', 'https://a.b.example.com/', true],
    ['*.example.com', 'https://example.com/', false],
    ['.example.com', 'https://a.example.com/', true],
    ['*example.com', 'https://myexample.com/', true],
    ['crm.example.com:8443', 'https://crm.example.com:8443/', true],
    ['crm.example.com:8443', 'https://crm.example.com/', false],
    ['https://crm.example.com', 'wss://crm.example.com/', true],
    ['http://crm.example.com', 'https://crm.example.com/', false],
    ['10.0.0.0/8', 'https://10.2.3.4/', true],
    ['10.0.0.0/8', 'https://11.2.3.4/', false],
    ['[fd00::]/8', 'https://[fd12::1]/', true],
    ['<local>', 'https://intranet/', true],
    ['<local>', 'https://intranet.corp/', false],
    ['', 'https://abc.supabase.co/', false],
  ])('%j and %s → %s', (list, url, expected) => {
    expect(bypasses(url, rules(list))).toBe(expected);
  });

  it('reaches loopback directly unless the list says <-loopback>', () => {
    expect(bypasses('http://127.0.0.1:54321/', rules(''))).toBe(true);
    expect(bypasses('http://localhost:54321/', rules(''))).toBe(true);
    expect(bypasses('http://[::1]:54321/', rules(''))).toBe(true);
    expect(bypasses('http://127.0.0.1:54321/', rules('<-loopback>'))).toBe(false);
  });

  it('accepts ; , and spaces as separators, in any case', () => {
    const list = rules('A.example.com, *.B.example.com;<LOCAL>');
    expect(bypasses('https://a.example.com/', list)).toBe(true);
    expect(bypasses('https://x.b.example.com/', list)).toBe(true);
    expect(bypasses('https://host/', list)).toBe(true);
  });

  it('knows loopback names and addresses', () => {
    expect(['localhost', '127.0.0.5', '::1', '[::1]', 'app.localhost'].every(isLoopbackHost)).toBe(true);
    expect(['localhost.example', '128.0.0.1', '::2'].some(isLoopbackHost)).toBe(false);
  });
});
