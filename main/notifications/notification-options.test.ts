import { describe, expect, it } from 'vitest';
import type { NotificationRequest } from '../core/ports.ts';
import { MAC_BODY_MAX_BYTES, planNotification, truncateUtf8 } from './notification-options.ts';

const CONTACT = '3f2b8c1e-9a4d-4e6f-8b7a-1c2d3e4f5a6b';
const failed: NotificationRequest = {
  kind: 'task',
  tag: CONTACT,
  taskId: '11111111-2222-4333-8444-555555555555',
  contactId: CONTACT,
  status: 'failed',
  title: '⚠ Ada Lovelace: task failed',
  body: 'Draft reply\nThe CRM rejected the update.',
  urgency: 'critical',
};
const completed: NotificationRequest = { ...failed, status: 'completed', title: 'Ada Lovelace: task completed', urgency: 'normal' };
const burst: NotificationRequest = {
  kind: 'summary',
  tag: 'summary:burst',
  reason: 'burst',
  tasks: [],
  contactId: null,
  title: '5 tasks completed',
  body: '…',
  urgency: 'normal',
};

describe('planNotification', () => {
  it('a failure is critical, stays on screen, and is never silent', () => {
    const { options } = planNotification(failed, { platform: 'linux', crmLinks: false });
    expect(options).toMatchObject({ title: failed.title, body: failed.body, urgency: 'critical', timeoutType: 'never', silent: false, id: CONTACT });
  });

  it('a completion is normal and times out as the OS likes', () => {
    const { options } = planNotification(completed, { platform: 'win32', crmLinks: false });
    expect(options).toMatchObject({ urgency: 'normal', timeoutType: 'default', silent: false });
  });

  it('offers Open contact and Open in CRM buttons on macOS and Windows when both apply', () => {
    for (const platform of ['darwin', 'win32'] as const) {
      const plan = planNotification(failed, { platform, crmLinks: true });
      expect(plan.actions).toEqual(['open-contact', 'open-in-crm']);
      expect(plan.options.actions).toEqual([
        { type: 'button', text: 'Open contact' },
        { type: 'button', text: 'Open in CRM' },
      ]);
    }
  });

  it('offers no CRM button without a CRM template', () => {
    expect(planNotification(failed, { platform: 'darwin', crmLinks: false }).actions).toEqual(['open-contact']);
  });

  it('offers no buttons on Linux (the tray menu has them instead)', () => {
    const plan = planNotification(failed, { platform: 'linux', crmLinks: true });
    expect(plan.actions).toEqual([]);
    expect(plan.options.actions).toBeUndefined();
    expect(plan.contactId).toBe(CONTACT);
  });

  it('offers no buttons for a summary of several contacts: a click opens the window', () => {
    const plan = planNotification(burst, { platform: 'win32', crmLinks: true });
    expect(plan.actions).toEqual([]);
    expect(plan.contactId).toBeNull();
  });

  it('cuts the body to 256 bytes on macOS only', () => {
    const long = { ...completed, body: 'é'.repeat(400) };
    const mac = planNotification(long, { platform: 'darwin', crmLinks: false }).options.body!;
    expect(Buffer.byteLength(mac, 'utf8')).toBeLessThanOrEqual(MAC_BODY_MAX_BYTES);
    expect(mac.endsWith('…')).toBe(true);
    expect(planNotification(long, { platform: 'linux', crmLinks: false }).options.body).toBe(long.body);
  });
});

describe('truncateUtf8', () => {
  it('leaves short text alone', () => {
    expect(truncateUtf8('Task completed', 256)).toBe('Task completed');
  });

  it('never splits a character or an emoji sequence', () => {
    const text = `${'a'.repeat(250)}👩‍👩‍👧‍👦 and more`;
    const cut = truncateUtf8(text, 256);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(256);
    expect(cut).toBe(`${'a'.repeat(250)}…`);
    expect(cut).not.toContain('\uFFFD');
  });
});
