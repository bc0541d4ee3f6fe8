/**
 * BeaconCore end to end: the real supabase-js client over real sockets against
 * the local stack (PostgreSQL, logical replication, the Realtime protocol),
 * durable state on disk (JsonFileStore + FileSecretStore), task changes
 * committed by a superuser connection as the CRM backend does.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStack, type Stack } from '../../supabase/local/stack.ts';
import type { TaskStatus } from '../../main/core/domain/types.ts';
import type { NotificationRequest } from '../../main/core/ports.ts';
import { waitFor } from '../wait-for.ts';
import { CoreHarness, type Credentials } from './core-harness.ts';
import { CrmWriter, type OwnerFixture } from './crm-writer.ts';

let stack: Stack;
let writer: CrmWriter;
let ownerA: OwnerFixture;
let ownerB: OwnerFixture;
let userA: Credentials & { id: string };
const harnesses: CoreHarness[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  stack = await createStack();
  writer = CrmWriter.open(stack.dbUrl);
  const a = stack.demoUsers.find((u) => u.email === 'agent.a@beacon.local');
  const b = stack.demoUsers.find((u) => u.email === 'agent.b@beacon.local');
  if (!a || !b) throw new Error('the seed has no demo users A and B');
  userA = a;
  ownerA = await writer.owner(a.id);
  ownerB = await writer.owner(b.id);
});

afterEach(async () => {
  for (const harness of harnesses.splice(0)) await harness.stop();
  await writer.setNotificationsEnabled(userA.id, true);
});

afterAll(async () => {
  await writer?.close();
  await stack?.stop();
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

async function newDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'beacon-core-it-'));
  dirs.push(dir);
  return dir;
}

function harnessOn(dir: string): CoreHarness {
  const harness = new CoreHarness({ url: stack.url, anonKey: stack.anonKey, dir });
  harnesses.push(harness);
  return harness;
}

/** A fresh core for agent A on an empty state directory, live. */
async function liveCoreForA(dir?: string): Promise<CoreHarness> {
  const harness = harnessOn(dir ?? (await newDir()));
  await harness.start(userA);
  await harness.waitForHealth('live');
  return harness;
}

/** A task of the owner's, already in progress; `contactId` defaults to the owner's first contact. */
async function taskInProgress(owner: OwnerFixture, title: string, contactId = owner.contactIds[0]!): Promise<string> {
  const id = randomUUID();
  await writer.insertTask({ id, agentId: owner.aiAgentIds[0]!, contactId, title, status: 'in_progress' });
  return id;
}

async function finish(id: string, status: TaskStatus): Promise<void> {
  if (!(await writer.moveTask(id, 'in_progress', status))) throw new Error(`task ${id} was not in progress`);
}

/** Every task and contact id a notification request mentions. */
function idsIn(request: NotificationRequest): string[] {
  switch (request.kind) {
    case 'task':
      return [request.taskId, request.contactId];
    case 'summary':
      return [...request.tasks.flatMap((t) => [t.taskId, t.contactId]), ...(request.contactId ? [request.contactId] : [])];
    case 'conversation':
      return [request.contactId];
  }
}

describe('BeaconCore on the local stack', () => {
  it('the first run ever announces nothing from history, then announces what happens next', async () => {
    // History: finished before Beacon ever ran on this machine (the seed has more).
    const before = await taskInProgress(ownerA, 'Finished before the first run');
    await finish(before, 'completed');

    const harness = await liveCoreForA();
    await harness.reconcile();
    const afterward = await taskInProgress(ownerA, 'Finished after the first run');
    await finish(afterward, 'failed');
    await waitFor(() => harness.notifier.timesAnnounced(afterward) > 0, 'the new failure announced');
    await harness.stop(); // flushes anything still gathered

    expect(harness.notifier.announced()).toEqual([`${afterward}:failed`]);
    expect(harness.notifier.requests).toHaveLength(1);
  });

  it('a completed task is notified exactly once', async () => {
    const harness = await liveCoreForA();
    const id = await taskInProgress(ownerA, 'Latency probe');
    await waitFor(() => harness.core.model.activeCount > 0 && harness.core.model.view().contacts.some((c) => c.active.some((t) => t.id === id)), 'the task shown as active');

    // How fast is measured by `npm run bench:sync` (commit → notification), not asserted on a shared machine.
    await finish(id, 'completed');
    await waitFor(() => harness.notifier.firstShownAt(id), 'the notification');

    const request = harness.notifier.requests.find((r) => r.kind === 'task' && r.taskId === id);
    expect(request).toMatchObject({ kind: 'task', status: 'completed', contactId: ownerA.contactIds[0], urgency: 'normal' });
    // Seen again by a reconcile and a restart's flush: still once.
    await harness.reconcile();
    await harness.stop();
    expect(harness.notifier.timesAnnounced(id)).toBe(1);
  });

  it("agent A's core never shows or notifies agent B's tasks", async () => {
    const harness = await liveCoreForA();
    const touchedContacts = new Set<string>();
    harness.core.model.subscribe((change) => change.contacts.forEach((id) => touchedContacts.add(id)));

    const bTasks: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const id = await taskInProgress(ownerB, `B's task ${i}`, ownerB.contactIds[i]!);
      await finish(id, i % 2 === 0 ? 'completed' : 'failed');
      bTasks.push(id);
    }
    // A's marker, committed last: once it has arrived, B's would have too.
    const marker = await taskInProgress(ownerA, "A's marker");
    await finish(marker, 'completed');
    await waitFor(() => harness.notifier.timesAnnounced(marker) > 0, "A's marker announced");
    await harness.reconcile(); // and B's tasks are not in a snapshot either
    const view = harness.core.model.view();
    await harness.stop();

    const bIds = new Set([...bTasks, ...ownerB.contactIds]);
    expect(harness.notifier.requests.flatMap(idsIn).filter((id) => bIds.has(id))).toEqual([]);
    expect([...touchedContacts].filter((id) => bIds.has(id))).toEqual([]);
    const shownIds = view.contacts.flatMap((c) => [c.id, ...c.active.map((t) => t.id), ...c.finished.map((t) => t.id)]);
    expect(shownIds.filter((id) => bIds.has(id))).toEqual([]);
    expect(shownIds).toContain(marker);
  });

  it('notifications_enabled switched off elsewhere mutes at once (the tray still shows it); switching it on writes the profile', async () => {
    const harness = await liveCoreForA();
    const contactId = ownerA.contactIds[1]!;

    await writer.setNotificationsEnabled(userA.id, false); // another device
    await waitFor(() => harness.core.notificationsEnabled() === false, 'the profile change applied');
    expect(harness.core.model.header().profile?.notificationsEnabled).toBe(false);

    const muted = await taskInProgress(ownerA, 'Finished while muted', contactId);
    await finish(muted, 'failed');
    const shown = await waitFor(
      () => harness.core.model.contactView(contactId)?.finished.find((t) => t.id === muted && t.muted),
      'the muted task in the tray',
    );
    expect(shown).toMatchObject({ status: 'failed', muted: true, unseen: true });

    expect(await harness.core.setNotificationsEnabled(true)).toEqual({ ok: true });
    expect(await writer.notificationsEnabled(userA.id)).toBe(true);
    const next = await taskInProgress(ownerA, 'Finished after unmuting', contactId);
    await finish(next, 'completed');
    await waitFor(() => harness.notifier.timesAnnounced(next) > 0, 'the next task announced');
    await harness.reconcile();
    await harness.stop();

    // The muted one is recorded, not replayed later.
    expect(harness.notifier.announced()).toEqual([`${next}:completed`]);
  });

  it('a restart on the same state restores the session, repeats nothing, and sums up what finished meanwhile in one summary', async () => {
    const dir = await newDir();
    const first = harnessOn(dir);
    await first.start(userA);
    await first.waitForHealth('live');
    const early = await taskInProgress(ownerA, 'Finished before the restart');
    const pending = [
      await taskInProgress(ownerA, 'Away 1', ownerA.contactIds[2]!),
      await taskInProgress(ownerA, 'Away 2', ownerA.contactIds[3]!),
      await taskInProgress(ownerA, 'Away 3', ownerA.contactIds[3]!),
    ];
    await finish(early, 'completed');
    await waitFor(() => first.notifier.timesAnnounced(early) > 0, 'the early task announced');
    await first.stop();

    // Beacon is closed: three tasks finish, and one is created and finishes too.
    await finish(pending[0]!, 'completed');
    await finish(pending[1]!, 'failed');
    await finish(pending[2]!, 'completed');
    const unseen = await taskInProgress(ownerA, 'Away 4', ownerA.contactIds[4]!);
    await finish(unseen, 'completed');

    const second = harnessOn(dir);
    const { restored } = await second.start(); // no credentials: the stored session must do
    expect(restored).toMatchObject({ signedIn: true, email: userA.email });
    await second.waitForHealth('live');
    await waitFor(() => second.notifier.requests.some((r) => r.kind === 'summary' && r.reason === 'away'), 'the "while you were away" summary');
    await second.reconcile();
    await second.stop();

    const requests = second.notifier.requests;
    const away = requests.filter((r) => r.kind === 'summary' && r.reason === 'away');
    expect(away).toHaveLength(1);
    const listed = away[0]!.kind === 'summary' ? away[0]!.tasks.map((t) => `${t.taskId}:${t.status}`) : [];
    const expected = [`${pending[0]}:completed`, `${pending[1]}:failed`, `${pending[2]}:completed`, `${unseen}:completed`];
    expect([...listed].sort()).toEqual([...expected].sort());
    // Nothing else was announced by the second run: in particular not the early task again.
    expect(second.notifier.announced().filter((entry) => !expected.includes(entry))).toEqual([]);
    expect(second.notifier.timesAnnounced(early)).toBe(0);
  });
});
