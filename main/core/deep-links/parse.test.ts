import { describe, expect, it } from 'vitest';
import { findDeepLinkInArgv, MAX_DEEP_LINK_LENGTH, parseDeepLink } from './parse.ts';

const ID = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

describe('parseDeepLink accepts', () => {
  it.each([
    [`beacon://contact/${ID}`, 'the canonical form'],
    [`beacon://contact/${ID}/`, 'one trailing slash (some launchers append it)'],
    [`BEACON://contact/${ID}`, 'an uppercase scheme (schemes are case-insensitive; the OS launches us for it)'],
    [`Beacon://Contact/${ID}`, 'a mixed-case host'],
  ])('%s: %s', (raw) => {
    expect(parseDeepLink(raw)).toEqual({ ok: true, link: { kind: 'contact', contactId: ID } });
  });

  it('returns the contact id in lower case', () => {
    expect(parseDeepLink(`beacon://contact/${ID.toUpperCase()}`)).toEqual({ ok: true, link: { kind: 'contact', contactId: ID } });
  });
});

describe('parseDeepLink rejects hostile input', () => {
  it.each([
    ['beacon://contact/../../etc/passwd', /traversal/],
    ['beacon:///etc/passwd', /no host/],
    [`beacon://contact/%2e%2e/${ID}`, /traversal/],
    [`beacon://contact/%2E%2E%2F${ID}`, /traversal/],
    [`beacon://contact/${ID}%2f..`, /traversal/],
    [`beacon://contact/./${ID}`, /traversal/],
    [`beacon://contact\\${ID}`, /traversal/],
    [`beacon://user:pw@contact/${ID}`, /credentials/],
    [`beacon://contact@evil/${ID}`, /credentials/],
    [`beacon://contact/${ID}?a=1&a=2`, /duplicate query keys/],
    [`beacon://contact/${ID}?a=1`, /query not allowed/],
    [`beacon://contact/${ID}?`, /query not allowed/],
    [`beacon://contact/${ID}#x`, /fragment/],
    [`beacon://contact/${ID}#`, /fragment/],
    [`beacon://contact/${ID}/${'a'.repeat(10 * 1024)}`, /longer than 2048/],
    [`https://contact/${ID}`, /scheme https: is not beacon:/],
    [`beacon2://contact/${ID}`, /scheme beacon2:/],
    [`beaconx:contact/${ID}`, /scheme/],
    [`beacon:contact/${ID}`, /no host/],
    ['beacon://contact/not-a-uuid', /not a UUID/],
    ['beacon://contact/3f2b8c1e9a4d4e6f8b7a1c2d3e4f5a6b', /not a UUID/],
    ['beacon://contact/', /not a UUID/],
    ['beacon://contact', /not a UUID/],
    [`beacon://contact/${ID}//`, /exactly one segment/],
    [`beacon://contact//${ID}`, /exactly one segment/],
    [`beacon://contact/${ID}/extra`, /exactly one segment/],
    [`beacon://settings/${ID}`, /unknown host/],
    [`beacon://cont%61ct/${ID}`, /unknown host/],
    [`beacon://contact:443/${ID}`, /unknown host/],
    ['', /empty/],
    [`beacon://contact/${ID}\n--inspect`, /whitespace or control/],
    [`beacon://con\ntact/${ID}`, /whitespace or control/],
    [` beacon://contact/${ID}`, /whitespace or control/],
    [`beacon://contact/${ID}\t`, /whitespace or control/],
    [`beacon://contact/${ID}\u0000`, /whitespace or control/],
    ['not a url at all', /whitespace/],
    ['beacon:', /no host/],
    ['::::', /not a URL/],
  ])('%j → %s', (raw, reason) => {
    const result = parseDeepLink(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });

  it('checks the length before parsing: a 10 KB input is rejected as too long', () => {
    const result = parseDeepLink(`beacon://contact/${'%'.repeat(10 * 1024)}`);
    expect(result).toEqual({ ok: false, reason: `longer than ${MAX_DEEP_LINK_LENGTH} characters` });
  });

  it.each([undefined, null, 42, { href: `beacon://contact/${ID}` }])('rejects the non-string %j', (raw) => {
    expect(parseDeepLink(raw)).toEqual({ ok: false, reason: 'not a string' });
  });
});

describe('findDeepLinkInArgv', () => {
  it('finds the link wherever it sits among the arguments', () => {
    const link = `beacon://contact/${ID}`;
    expect(findDeepLinkInArgv(['/opt/Beacon/beacon', link, '--no-sandbox'])).toBe(link);
    expect(findDeepLinkInArgv(['C:\\Beacon\\Beacon.exe', '--allow-file-access-from-files', '--', link])).toBe(link);
    expect(findDeepLinkInArgv(['electron', 'out/main/index.js', link])).toBe(link);
  });

  it('matches the scheme case-insensitively', () => {
    expect(findDeepLinkInArgv(['beacon.exe', `BEACON://contact/${ID}`])).toBe(`BEACON://contact/${ID}`);
  });

  it('ignores arguments that only contain the scheme somewhere else', () => {
    expect(findDeepLinkInArgv(['beacon.exe', `--url=beacon://contact/${ID}`, '/home/u/beacon-notes'])).toBeUndefined();
  });

  it('copes with missing or odd argv (a second instance run as another user gets none)', () => {
    expect(findDeepLinkInArgv([])).toBeUndefined();
    expect(findDeepLinkInArgv(undefined)).toBeUndefined();
    expect(findDeepLinkInArgv([42, null, 'beacon:x'])).toBe('beacon:x');
  });
});
