/**
 * The tray window end to end, in Chromium, against the real core and a real
 * local stack (issue #6 "done when"): sign in through the form, watch a task
 * the CRM writes go from "Active tasks" to "Recently finished" with a
 * notification, open the contact from that notification, see a new note, flip
 * the profile switch both ways, and see the connection state follow realtime.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { waitFor } from '../../wait-for.ts';
import { findChromium } from './chromium.ts';
import { startBrowserE2E, visible, type BrowserE2E } from './harness.ts';

const chromium = findChromium();
const suite = chromium.path ? describe : describe.skip;
const suiteName = chromium.path ? 'the tray window in a browser' : `the tray window in a browser (skipped: ${chromium.reason})`;

if (!chromium.path && process.env.CI) {
  describe('browser E2E prerequisites', () => {
    it('has a Chromium to run on', () => {
      throw new Error(`The browser E2E tests need Chromium on CI: ${chromium.reason}.`);
    });
  });
}

const STEP = 60_000;
const SCREENSHOTS = fileURLToPath(new URL('../../../artifacts/screenshots/', import.meta.url));
const FAILURES = fileURLToPath(new URL('../../../artifacts/e2e-failures/', import.meta.url));

suite(suiteName, () => {
  let e2e: BrowserE2E;
  let page: Page;
  let contact: { id: string; name: string };
  let agentId: string;
  const taskId = randomUUID();
  const taskTitle = `E2E: prepare the renewal offer ${taskId.slice(0, 8)}`;

  beforeAll(async () => {
    await mkdir(FAILURES, { recursive: true });
    await mkdir(SCREENSHOTS, { recursive: true });
    e2e = await startBrowserE2E(chromium.path!);
    const owner = await e2e.crm.owner(e2e.agentA.id);
    agentId = owner.aiAgentIds[0]!;
    const id = owner.contactIds[0]!;
    const { rows } = await e2e.stack.context.db.pool.query<{ full_name: string }>('select full_name from public.contacts where id = $1', [id]);
    contact = { id, name: rows[0]!.full_name };
    ({ page } = await e2e.newPage());
  }, 180_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 60_000);

  // What the page showed when a step failed: a screenshot and its text, next to the other artifacts.
  afterEach(async (context) => {
    if (context.task.result?.state !== 'fail' || !page) return;
    const name = context.task.name.replace(/[^a-z0-9]+/gi, '-').slice(0, 60);
    await page.screenshot({ path: `${FAILURES}${name}.png` }).catch(() => undefined);
    const text = await page.locator('body').innerText().catch((error: unknown) => String(error));
    const core = e2e.preview.app.currentCore();
    console.error(`[${context.task.name}] the page showed:\n${text}\ncore health: ${JSON.stringify(core?.health())}`);
  });

  it('signs in as agent A through the form', { timeout: STEP }, async () => {
    const form = await visible(page.getByRole('form', { name: 'Sign in to Beacon', exact: true }));
    expect(await form.getByLabel('Supabase URL', { exact: true }).inputValue()).toBe(e2e.stack.url);
    await form.getByLabel('Email', { exact: true }).fill(e2e.agentA.email);
    await form.getByLabel('Password', { exact: true }).fill(e2e.agentA.password);
    await form.getByRole('button', { name: 'Sign in', exact: true }).click();
    await visible(page.getByRole('status', { name: /^Connection: Live/ }), 30_000);
    await visible(page.getByRole('region', { name: 'Active tasks', exact: true }));
  });

  it('shows a task the CRM starts under "Active tasks"', { timeout: STEP }, async () => {
    await e2e.crm.insertTask({ id: taskId, agentId, contactId: contact.id, title: taskTitle, status: 'in_progress' });
    await visible(page.getByRole('region', { name: 'Active tasks', exact: true }).getByText(taskTitle));
  });

  it('moves it to "Recently finished" when it completes, with a notification on the server and in the page', { timeout: STEP }, async () => {
    expect(await e2e.crm.moveTask(taskId, 'in_progress', 'completed')).toBe(true);
    await visible(page.getByRole('region', { name: 'Recently finished', exact: true }).getByText(taskTitle));
    await page.getByRole('region', { name: 'Active tasks', exact: true }).getByText(taskTitle).waitFor({ state: 'detached' });

    const notification = await waitFor(
      () => e2e.preview.notifications.find((n) => n.request.kind === 'task' && n.request.taskId === taskId),
      'the completion notification',
      15_000,
    );
    expect(notification.request).toMatchObject({ kind: 'task', status: 'completed', contactId: contact.id });
    expect(notification.request.title).toContain(contact.name);
    await visible(page.getByRole('region', { name: 'Notifications (preview)', exact: true }).getByRole('button', { name: notification.request.title, exact: true }));
    await page.screenshot({ path: `${SCREENSHOTS}preview-notification.png` });
  });

  it('opens the contact view from that notification', { timeout: STEP }, async () => {
    const notification = e2e.preview.notifications.find((n) => n.request.kind === 'task' && n.request.taskId === taskId)!;
    await page.getByRole('region', { name: 'Notifications (preview)', exact: true }).getByRole('button', { name: notification.request.title, exact: true }).click();
    await visible(page.getByRole('heading', { level: 1, name: contact.name, exact: true }));
    await visible(page.getByRole('region', { name: 'Tasks', exact: true }).getByText(taskTitle));
  });

  it('shows a conversation note the CRM adds in the open contact view', { timeout: STEP }, async () => {
    const body = `E2E note ${randomUUID().slice(0, 8)}: customer wants a call on Monday.`;
    await e2e.stack.context.db.pool.query('insert into public.conversation_notes (conversation_id, contact_id, body) values ($1, $2, $3)', [
      randomUUID(),
      contact.id,
      body,
    ]);
    await visible(page.getByRole('region', { name: 'Conversation changes', exact: true }).getByText(body));
  });

  it('saves the Notifications switch to the profile, and follows a change made elsewhere', { timeout: STEP }, async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    const toggle = await visible(page.getByRole('switch', { name: 'Notifications', exact: true }));
    await waitFor(async () => (await toggle.getAttribute('aria-checked')) === 'true', 'the switch on');

    await toggle.click();
    await waitFor(async () => !(await e2e.crm.notificationsEnabled(e2e.agentA.id)), 'user_profiles.notifications_enabled = false');
    await waitFor(async () => (await toggle.getAttribute('aria-checked')) === 'false', 'the switch off');

    // "Another device" turns notifications back on.
    await e2e.crm.setNotificationsEnabled(e2e.agentA.id, true);
    await waitFor(async () => (await toggle.getAttribute('aria-checked')) === 'true', 'the switch on again after the database change', 15_000);
  });

  it('shows "Connection: Polling" while realtime is cut, and "Live" once it is back', { timeout: STEP }, async () => {
    // Unanswered heartbeats keep realtime down however often the client reconnects; dropping the sockets makes it notice at once.
    await e2e.stack.faults.apply({ action: 'silence-heartbeats' });
    await e2e.stack.faults.apply({ action: 'drop-sockets' });
    try {
      await visible(page.getByRole('status', { name: /^Connection: Polling/ }), 30_000);
    } finally {
      await e2e.stack.faults.apply({ action: 'clear' });
    }
    await visible(page.getByRole('status', { name: /^Connection: Live/ }), 30_000);
  });
});
