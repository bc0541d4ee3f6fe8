/**
 * Every view of the tray window (sign-in, overview, contact, settings) in the
 * light and the dark theme: a screenshot for review (artifacts/screenshots/)
 * and an axe-core scan that must find no serious or critical violation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { findChromium } from './chromium.ts';
import { axeViolations, describeViolations, startBrowserE2E, visible, type BrowserE2E } from './harness.ts';

const chromium = findChromium();
const suite = chromium.path ? describe : describe.skip;
const suiteName = chromium.path ? 'the tray window views' : `the tray window views (skipped: ${chromium.reason})`;

if (!chromium.path && process.env.CI) {
  describe('browser E2E prerequisites (views)', () => {
    it('has a Chromium to run on', () => {
      throw new Error(`The browser E2E tests need Chromium on CI: ${chromium.reason}.`);
    });
  });
}

const SCREENSHOTS = fileURLToPath(new URL('../../../artifacts/screenshots/', import.meta.url));
const THEMES = ['light', 'dark'] as const;
const STEP = 60_000;

suite(suiteName, () => {
  let e2e: BrowserE2E;
  let page: Page;
  let contactName: string;

  beforeAll(async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    e2e = await startBrowserE2E(chromium.path!);
    // Something in every section: an active task, a finished one, a failed one and a note.
    const owner = await e2e.crm.owner(e2e.agentA.id);
    const [first, second] = owner.contactIds;
    const agentId = owner.aiAgentIds[0]!;
    const { rows } = await e2e.stack.context.db.pool.query<{ full_name: string }>('select full_name from public.contacts where id = $1', [first]);
    contactName = rows[0]!.full_name;
    const done = randomUUID();
    const failed = randomUUID();
    await e2e.crm.insertTask({ id: randomUUID(), agentId, contactId: first!, title: 'Draft a follow-up email', status: 'in_progress' });
    await e2e.crm.insertTask({ id: done, agentId, contactId: first!, title: 'Summarise the last conversation', status: 'in_progress' });
    await e2e.crm.insertTask({ id: failed, agentId, contactId: second ?? first!, title: 'Enrich contact from company website', status: 'in_progress' });
    await e2e.crm.moveTask(done, 'in_progress', 'completed');
    await e2e.crm.moveTask(failed, 'in_progress', 'failed');
    await e2e.stack.context.db.pool.query('insert into public.conversation_notes (conversation_id, contact_id, body) values ($1, $2, $3)', [
      randomUUID(),
      first,
      'Customer asked for a callback tomorrow morning.',
    ]);
    ({ page } = await e2e.newPage());
  }, 180_000);

  afterAll(async () => {
    await e2e?.stop();
  }, 60_000);

  /** Screenshot and axe scan of the current view in both themes. */
  async function check(view: string): Promise<void> {
    const problems: string[] = [];
    for (const theme of THEMES) {
      await page.emulateMedia({ colorScheme: theme });
      await page.locator(`html[data-theme="${theme}"]`).waitFor({ state: 'attached' });
      await page.screenshot({ path: `${SCREENSHOTS}${view}-${theme}.png`, fullPage: true, animations: 'disabled' });
      const serious = (await axeViolations(page)).filter((v) => v.impact === 'serious' || v.impact === 'critical');
      if (serious.length > 0) problems.push(`${view} (${theme}):\n${describeViolations(serious)}`);
    }
    expect(problems, `axe found serious or critical violations:\n${problems.join('\n')}`).toEqual([]);
  }

  it('sign-in', { timeout: STEP }, async () => {
    await visible(page.getByRole('form', { name: 'Sign in to Beacon', exact: true }));
    await check('sign-in');
  });

  it('overview', { timeout: STEP }, async () => {
    const form = page.getByRole('form', { name: 'Sign in to Beacon', exact: true });
    await form.getByLabel('Email', { exact: true }).fill(e2e.agentA.email);
    await form.getByLabel('Password', { exact: true }).fill(e2e.agentA.password);
    await form.getByRole('button', { name: 'Sign in', exact: true }).click();
    await visible(page.getByRole('status', { name: /^Connection: Live/ }), 30_000);
    await visible(page.getByRole('region', { name: 'Recently finished', exact: true }).getByText('Summarise the last conversation'));
    await check('overview');
  });

  it('contact', { timeout: STEP }, async () => {
    await page.getByRole('button', { name: new RegExp(`^Open ${contactName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) }).first().click();
    await visible(page.getByRole('heading', { level: 1, name: contactName, exact: true }));
    await visible(page.getByRole('region', { name: 'Conversation changes', exact: true }).getByText('Customer asked for a callback tomorrow morning.'));
    await check('contact');
  });

  it('settings', { timeout: STEP }, async () => {
    await page.getByRole('button', { name: 'Settings', exact: true }).click();
    await visible(page.getByRole('switch', { name: 'Notifications', exact: true }));
    await check('settings');
  });
});
