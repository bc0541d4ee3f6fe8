/**
 * AppService against the local stack: the real supabase-js client over real
 * sockets, PostgreSQL with RLS, the Realtime protocol. What the tray window
 * gets through the contract: sign-in, the view feed, the notifications switch
 * live in both directions, sign-out, a project chosen by the user.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStack, type Stack } from '../../../supabase/local/stack.ts';
import { waitFor } from '../../../test/wait-for.ts';
import { BeaconCore } from '../beacon-core.ts';
import type { AppState, EventMap, EventName } from '../ipc/contract.ts';
import type { TrayView, ViewHeader } from '../model/view-types.ts';
import { MemorySecretStore, MemoryStore } from '../storage/memory-store.ts';
import { RecordingNotifier } from '../../../test/fakes/recording-notifier.ts';
import { CrmWriter } from '../../../test/integration/crm-writer.ts';
import { AppService } from './app-service.ts';
import { MemoryPreferences } from './memory-preferences.ts';

let stack: Stack;
let writer: CrmWriter;
let agentA: { email: string; password: string; id: string };
const services: AppService[] = [];

beforeAll(async () => {
  stack = await createStack();
  writer = CrmWriter.open(stack.dbUrl);
  const a = stack.demoUsers.find((u) => u.email === 'agent.a@beacon.local');
  if (!a) throw new Error('the seed has no demo agent A');
  agentA = a;
});

afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
  await writer.setNotificationsEnabled(agentA.id, true);
});

afterAll(async () => {
  await writer?.close();
  await stack?.stop();
});

function build(preferences = new MemoryPreferences(), machine = true) {
  const events: Array<{ event: EventName; payload: unknown }> = [];
  const service = new AppService({
    configLayers: machine ? [{ source: 'machine', origin: 'test', values: { supabaseUrl: stack.url, supabaseAnonKey: stack.anonKey } }] : [],
    preferences,
    createCore: (project) =>
      BeaconCore.create({
        url: project.url,
        anonKey: project.anonKey,
        store: new MemoryStore(),
        secrets: new MemorySecretStore(),
        notifier: new RecordingNotifier(),
        WebSocket: globalThis.WebSocket as never,
      }),
    openExternal: async () => ({ ok: true }),
    viewIntervalMs: 20,
  });
  service.subscribe(<E extends EventName>(event: E, payload: EventMap[E]) => events.push({ event, payload }));
  services.push(service);
  const header = (): ViewHeader | null => service.viewHeader();
  const lastState = (): AppState => service.appState();
  const lastSnapshot = (): TrayView | undefined =>
    events
      .filter((e) => e.event === 'view')
      .map((e) => e.payload as EventMap['view'])
      .filter((m) => m.type === 'view-snapshot')
      .at(-1)?.view;
  return { service, events, header, lastState, lastSnapshot };
}

describe('AppService on the local stack', () => {
  it('signs in, goes live, feeds the view, and follows the notifications switch both ways', async () => {
    const { service, header, lastState } = build();
    await service.start();
    expect(lastState().session.signedIn).toBe(false);

    expect(await service.invoke('signIn', { email: agentA.email, password: 'wrong password' })).toEqual({
      ok: false,
      message: 'Wrong email or password.',
      field: 'password',
    });
    expect(await service.invoke('signIn', { email: agentA.email, password: agentA.password })).toEqual({ ok: true });
    await waitFor(() => lastState().health.state === 'live', 'health live');
    expect(lastState().session).toMatchObject({ signedIn: true, email: agentA.email });
    expect(JSON.stringify(lastState())).not.toMatch(/access_token|refresh_token|eyJ/);
    await waitFor(() => header()?.profile?.email === agentA.email, 'the profile in the view header');
    expect(header()!.activeCount).toBeGreaterThan(0);

    // From the window to the database…
    expect(await service.invoke('setNotificationsEnabled', { enabled: false })).toEqual({ ok: true });
    expect(await writer.notificationsEnabled(agentA.id)).toBe(false);
    // …and from the database to the window.
    await writer.setNotificationsEnabled(agentA.id, true);
    await waitFor(() => header()?.profile?.notificationsEnabled === true, 'the switch to follow the database');

    await service.invoke('signOut');
    await waitFor(() => lastState().health.state === 'signed-out', 'signed out');
    expect(lastState().session.signedIn).toBe(false);
  });

  it('sends a fresh full view when the window asks for one (after a reload)', async () => {
    const { service, lastSnapshot } = build();
    await service.start();
    await service.invoke('signIn', { email: agentA.email, password: agentA.password });
    await waitFor(() => (lastSnapshot()?.contacts.length ?? 0) > 0 || (service.viewHeader()?.activeCount ?? 0) > 0, 'a populated view');
    const before = lastSnapshot()?.version ?? 0;
    await service.invoke('requestView');
    const after = lastSnapshot()!;
    expect(after.version).toBeGreaterThan(before);
    expect(after.contacts.length).toBeGreaterThan(0);
    expect(after.header.profile?.email).toBe(agentA.email);
  });

  it("signs in to a project the user typed in and keeps it for next time", async () => {
    const preferences = new MemoryPreferences();
    const { service, lastState } = build(preferences, false);
    await service.start();
    const response = await service.invoke('signIn', { email: agentA.email, password: agentA.password, supabaseUrl: stack.url, supabaseAnonKey: stack.anonKey });
    expect(response).toEqual({ ok: true });
    await waitFor(() => lastState().health.state === 'live', 'health live');
    expect(preferences.get().userConfig).toEqual({ supabaseUrl: stack.url, supabaseAnonKey: stack.anonKey });
    expect(lastState().project.supabaseUrl).toBe(stack.url);
  });
});
