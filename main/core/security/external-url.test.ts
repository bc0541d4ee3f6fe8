import { describe, expect, it } from 'vitest';
import { allowedHostsFromTemplate, checkExternalUrl, MAX_EXTERNAL_URL_LENGTH } from './external-url.ts';

describe('checkExternalUrl', () => {
  it('accepts an https URL and returns it normalized', () => {
    expect(checkExternalUrl('https://CRM.example.com/contacts/1')).toEqual({ ok: true, url: 'https://crm.example.com/contacts/1' });
  });

  it('refuses non-https schemes, naming the scheme', () => {
    expect(checkExternalUrl('http://crm.example.com/')).toEqual({ ok: false, reason: expect.stringContaining('http:') });
  });

  it('counts the length limit inclusively', () => {
    const base = 'https://crm.example.com/';
    expect(checkExternalUrl(base + 'a'.repeat(MAX_EXTERNAL_URL_LENGTH - base.length)).ok).toBe(true);
    expect(checkExternalUrl(base + 'a'.repeat(MAX_EXTERNAL_URL_LENGTH - base.length + 1)).ok).toBe(false);
  });

  it('refuses a URL whose normalized form grows past the limit', () => {
    const base = 'https://crm.example.com/';
    const raw = base + '<'.repeat(MAX_EXTERNAL_URL_LENGTH - base.length); // each < becomes %3C
    expect(checkExternalUrl(raw)).toEqual({ ok: false, reason: expect.stringContaining('normalized') });
  });

  it('compares hosts with port and ignores allowlist case', () => {
    expect(checkExternalUrl('https://crm.example.com:8443/', { allowedHosts: ['crm.example.com'] }).ok).toBe(false);
    expect(checkExternalUrl('https://crm.example.com/', { allowedHosts: ['CRM.example.com'] }).ok).toBe(true);
    expect(checkExternalUrl('https://crm.example.com/', { allowedHosts: [] }).ok).toBe(false);
  });
});

describe('allowedHostsFromTemplate', () => {
  it('is the host of the CRM template', () => {
    expect(allowedHostsFromTemplate('https://crm.example.com/contacts/{contactId}')).toEqual(['crm.example.com']);
    expect(allowedHostsFromTemplate('https://crm.example.com:8443/c?id={contactId}')).toEqual(['crm.example.com:8443']);
  });
  it.each([undefined, '', 'http://crm.example.com/{contactId}', 'not a url {contactId}', 'https://u:p@crm.example.com/{contactId}'])(
    'allows nothing for %j',
    (template) => expect(allowedHostsFromTemplate(template)).toEqual([]),
  );
});
