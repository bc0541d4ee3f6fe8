/**
 * AppService without a server: request validation, project choice and locks,
 * settings, CRM links. The core is the real BeaconCore pointed at a loopback
 * port nothing listens on, so sign-in fails the way an unreachable server does.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { BeaconCore } from '../beacon-core.ts';
import type { ConfigLayer } from '../config/config.ts';
import type { AppState, EventMap, EventName } from '../ipc/contract.ts';
import { MemorySecretStore, MemoryStore } from '../storage/memory-store.ts';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { RecordingNotifier } from '../../../test/fakes/recording-notifier.ts';
import { AppService, type AppServiceOptions, type ExternalOpenResult, type Project } from './app-service.ts';
import { MemoryPreferences } from './memory-preferences.ts';
import { ONE_HOUR_MS } from './pause.ts';

const UNREACHABLE = 'http://127.0.0.1:9';
const ANON_KEY = `${Buffer.from('{"alg":"HS256"}').toString('base64url')}.${Buffer.from('{"role":"anon"}').toString('base64url')}.sig`;
const CONTACT = '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

const services: AppService[] = [];

afterEach(async () => {
  for (const service of services.splice(0)) await service.stop();
});

function policy(values: Record<string, unknown>): ConfigLayer {
  return { source: 'policy', origin: 'test policy', values };
}

interface Built {
  service: AppService;
  preferences: MemoryPreferences;
  opened: string[];
  launchAtLogin: boolean[];
  projects: Project[];
  events: Array<{ event: EventName; payload: unknown }>;
  clock: FakeClock;
  lastState(): AppState;
}

function build(options: Partial<AppServiceOptions> & { openResult?: ExternalOpenResult } = {}): Built {
  const clock = new FakeClock(Date.UTC(2026, 10, 21, 9, 0));
  const preferences = (options.preferences as MemoryPreferences | undefined) ?? new MemoryPreferences();
  const opened: string[] = [];
  const launchAtLogin: boolean[] = [];
  const projects: Project[] = [];
  const events: Array<{ event: EventName; payload: unknown }> = [];
  const service = new AppService({
    configLayers: [],
    preferences,
    clock,
    createCore: async (project) => {
      projects.push(project);
      return BeaconCore.create({
        url: project.url,
        anonKey: project.anonKey,
        store: new MemoryStore(),
        secrets: new MemorySecretStore(),
        notifier: new RecordingNotifier(),
        WebSocket: globalThis.WebSocket as never,
        clock,
      });
    },
    openExternal: async (url) => {
      opened.push(url);
      return options.openResult ?? { ok: true };
    },
    applyLaunchAtLogin: (enabled) => {
      launchAtLogin.push(enabled);
    },
    ...options,
  });
  service.subscribe(<E extends EventName>(event: E, payload: EventMap[E]) => events.push({ event, payload }));
  services.push(service);
  const lastState = () => {
    const states = events.filter((e) => e.event === 'appState');
    const last = states.at(-1);
    if (!last) throw new Error('no app state was pushed');
    return last.payload as AppState;
  };
  return { service, preferences, opened, launchAtLogin, projects, events, clock, lastState };
}

describe('AppService: requests from the window', () => {
  it('answers a malformed request with a typed refusal naming the field, before anything runs', async () => {
    const { service, opened } = build({ configLayers: [policy({ crmContactUrlTemplate: 'https://crm.example.com/c/{contactId}' })] });
    expect(await service.invoke('openInCrm', { contactId: '../../etc/passwd' })).toEqual({ ok: false, message: expect.any(String), field: 'contactId' });
    expect(await service.invoke('openInCrm', { contactId: CONTACT, extra: 1 })).toMatchObject({ ok: false, field: null });
    expect(await service.invoke('signIn', { email: 'not-an-email', password: 'x' })).toEqual({
      ok: false,
      message: 'Enter an email address like name@example.com.',
      field: 'email',
    });
    expect(await service.invoke('updateSettings', { theme: 'neon' })).toMatchObject({ ok: false, field: 'theme' });
    expect(await service.invoke('updateSettings', { quietHours: { start: '25:00', end: '07:00' } })).toMatchObject({
      ok: false,
      field: 'quietHours',
      message: expect.stringMatching(/HH:MM/),
    });
    expect(opened).toEqual([]);
  });

  it('rejects a malformed call that answers with data (no person typed it)', async () => {
    const { service } = build();
    await expect(service.invoke('contactViewed', { contactId: 'nope' })).rejects.toThrow(/invalid request: contactViewed: contactId/);
  });

  it('without a configured project, says so and asks for the URL at sign-in', async () => {
    const { service, lastState } = build();
    await service.start();
    expect(lastState().health).toMatchObject({ state: 'signed-out', reason: 'No Supabase project is configured yet.' });
    expect(lastState().project).toEqual({ supabaseUrl: null, hasAnonKey: false });
    const response = await service.invoke('signIn', { email: 'a@b.co', password: 'pw' });
    expect(response).toEqual({ ok: false, message: expect.stringMatching(/Supabase project URL/), field: 'supabaseUrl' });
  });

  it('refuses a different project URL when IT locked it, and shows the lock', async () => {
    const { service, lastState, projects } = build({ configLayers: [policy({ supabaseUrl: UNREACHABLE, supabaseAnonKey: ANON_KEY })] });
    await service.start();
    expect(lastState().locked).toEqual(expect.arrayContaining(['supabaseUrl', 'supabaseAnonKey']));
    const response = await service.invoke('signIn', { email: 'a@b.co', password: 'pw', supabaseUrl: 'https://other.supabase.co' });
    expect(response).toEqual({ ok: false, message: expect.stringMatching(/set by your IT department/), field: 'supabaseUrl' });
    expect(projects).toHaveLength(1);
  });

  it('explains a bad user-entered URL in plain words and keeps the field to focus', async () => {
    const { service } = build();
    await service.start();
    const response = await service.invoke('signIn', { email: 'a@b.co', password: 'pw', supabaseUrl: 'http://crm.example.com', supabaseAnonKey: ANON_KEY });
    expect(response).toEqual({ ok: false, message: expect.stringMatching(/^The Supabase URL must use https/), field: 'supabaseUrl' });
  });

  it("signs in to the user's chosen project, remembers it, and reports an unreachable server plainly", async () => {
    const { service, preferences, projects, lastState } = build();
    await service.start();
    const response = await service.invoke('signIn', { email: 'a@b.co', password: 'pw', supabaseUrl: UNREACHABLE, supabaseAnonKey: ANON_KEY });
    expect(response).toEqual({ ok: false, message: 'Cannot reach the server. Check your network connection and try again.', field: null });
    expect(projects).toEqual([{ url: UNREACHABLE, anonKey: ANON_KEY }]);
    expect(preferences.get().userConfig).toEqual({ supabaseUrl: UNREACHABLE, supabaseAnonKey: ANON_KEY });
    expect(lastState()).toMatchObject({ busy: false, project: { supabaseUrl: UNREACHABLE, hasAnonKey: true } });
  });
});

describe('AppService: settings', () => {
  it('pauses for an hour and resumes, visible in the app state', async () => {
    const { service, lastState, clock } = build({ configLayers: [policy({ supabaseUrl: UNREACHABLE, supabaseAnonKey: ANON_KEY })] });
    await service.start();
    expect(await service.invoke('pauseNotifications', { choice: 'one-hour' })).toEqual({ ok: true });
    expect(lastState().settings.pausedUntil).toBe(clock.now() + ONE_HOUR_MS);
    expect(service.currentCore()?.notificationSettings().pausedUntil).toBe(clock.now() + ONE_HOUR_MS);
    await service.invoke('pauseNotifications', { choice: 'resume' });
    expect(lastState().settings.pausedUntil).toBeNull();
  });

  it('keeps quiet hours and conversation opt-ins in the core, merging partial updates', async () => {
    const { service, lastState } = build({ configLayers: [policy({ supabaseUrl: UNREACHABLE, supabaseAnonKey: ANON_KEY })] });
    await service.start();
    await service.invoke('updateSettings', { quietHours: { start: '22:00', end: '07:00' }, conversationKinds: { note: true } });
    await service.invoke('updateSettings', { conversationKinds: { 'label-added': true } });
    const settings = lastState().settings;
    expect(settings.quietHours).toEqual({ start: '22:00', end: '07:00' });
    expect(settings.conversationKinds).toMatchObject({ note: true, 'label-added': true, metadata: false });
  });

  it('applies launch at login unless IT locked it, and stores the theme', async () => {
    const free = build();
    await free.service.start();
    expect(await free.service.invoke('updateSettings', { launchAtLogin: true, theme: 'dark' })).toEqual({ ok: true });
    expect(free.launchAtLogin).toEqual([true]);
    expect(free.lastState().settings).toMatchObject({ launchAtLogin: true, theme: 'dark' });

    const locked = build({ configLayers: [policy({ launchAtLogin: true })] });
    await locked.service.start();
    expect(locked.lastState().locked).toContain('launchAtLogin');
    expect(await locked.service.invoke('updateSettings', { launchAtLogin: false })).toEqual({
      ok: false,
      message: expect.stringMatching(/IT department/),
      field: 'launchAtLogin',
    });
    expect(locked.launchAtLogin).toEqual([]);
    expect(locked.service.appState().settings.launchAtLogin).toBe(true);
  });

  it('checks a whole settings change before writing any of it: a refused part leaves everything as it was', async () => {
    // Locked launch at login beside a theme change: nothing is written.
    const locked = build({ configLayers: [policy({ launchAtLogin: true })] });
    await locked.service.start();
    expect(await locked.service.invoke('updateSettings', { theme: 'dark', launchAtLogin: false })).toMatchObject({ ok: false, field: 'launchAtLogin' });
    expect(locked.preferences.get().theme).toBe('system');

    // Notification settings need a project; the theme and launch at login beside them are not written either.
    const unconnected = build();
    await unconnected.service.start();
    const refused = await unconnected.service.invoke('updateSettings', { theme: 'dark', launchAtLogin: true, quietHours: { start: '22:00', end: '07:00' } });
    expect(refused).toMatchObject({ ok: false, field: 'quietHours' });
    expect(unconnected.preferences.get()).toMatchObject({ theme: 'system', launchAtLogin: false });
    expect(unconnected.launchAtLogin).toEqual([]);
  });
});

describe('AppService: CRM links and focus', () => {
  it('opens the CRM link built from the template, only through the external opener', async () => {
    const { service, opened } = build({ configLayers: [policy({ crmContactUrlTemplate: 'https://crm.example.com/contacts/{contactId}' })] });
    await service.start();
    expect(service.appState().crmLinks).toBe(true);
    expect(await service.invoke('openInCrm', { contactId: CONTACT })).toEqual({ ok: true });
    expect(opened).toEqual([`https://crm.example.com/contacts/${CONTACT}`]);
  });

  it('says why when no template is configured or the opener refuses', async () => {
    const none = build();
    await none.service.start();
    expect(await none.service.invoke('openInCrm', { contactId: CONTACT })).toEqual({ ok: false, message: expect.stringMatching(/No CRM link is configured/) });
    expect(none.opened).toEqual([]);

    const refused = build({ configLayers: [policy({ crmContactUrlTemplate: 'https://crm.example.com/c/{contactId}' })], openResult: { ok: false, reason: 'host not allowed' } });
    await refused.service.start();
    expect(await refused.service.invoke('openInCrm', { contactId: CONTACT })).toEqual({ ok: false, message: 'The CRM link was not opened: host not allowed' });
  });

  it('turns a focus request into a focusContact event for the window', async () => {
    const { service, events } = build();
    await service.start();
    service.focusContact(CONTACT);
    expect(events.filter((e) => e.event === 'focusContact').map((e) => e.payload)).toEqual([{ contactId: CONTACT }]);
  });

  it('reports ignored policy values as notices naming their source', async () => {
    const { service } = build({ configLayers: [policy({ supabaseUrl: 'ftp://nope' })] });
    await service.start();
    expect(service.appState().notices).toEqual([
      expect.objectContaining({ level: 'warning', text: expect.stringMatching(/from policy.*ignored/) }),
    ]);
  });
});

describe('AppService: the connection test (Settings → Troubleshooting)', () => {
  const report = { url: UNREACHABLE, ok: true, failedAt: null, hops: [] };

  it('runs it for the configured project, with the current session when there is one', async () => {
    const inputs: unknown[] = [];
    const { service } = build({
      configLayers: [policy({ supabaseUrl: UNREACHABLE, supabaseAnonKey: ANON_KEY })],
      connectionTest: async (input) => {
        inputs.push(input);
        return report;
      },
    });
    await service.start();
    expect(await service.invoke('runConnectionTest', undefined)).toEqual({ ok: true, report });
    expect(inputs).toEqual([{ url: UNREACHABLE, anonKey: ANON_KEY, accessToken: null }]);
  });

  it('says why it cannot run: no project, not available, or it threw', async () => {
    const none = build({ connectionTest: async () => report });
    await none.service.start();
    expect(await none.service.invoke('runConnectionTest', undefined)).toEqual({ ok: false, message: expect.stringMatching(/No Supabase project is configured/) });
    const unavailable = build({ configLayers: [policy({ supabaseUrl: UNREACHABLE, supabaseAnonKey: ANON_KEY })] });
    expect(await unavailable.service.invoke('runConnectionTest', undefined)).toEqual({ ok: false, message: 'The connection test is not available here.' });
    const broken = build({ configLayers: [policy({ supabaseUrl: UNREACHABLE, supabaseAnonKey: ANON_KEY })], connectionTest: () => Promise.reject(new Error('boom')) });
    expect(await broken.service.invoke('runConnectionTest', undefined)).toEqual({ ok: false, message: 'The connection test could not run. See the log for details.' });
  });
});

describe('AppService: proxy sign-in', () => {
  it('hands the credentials to the shell and refreshes the notices', async () => {
    const saved: unknown[] = [];
    const { service, events } = build({ saveProxyCredentials: async (c) => (saved.push(c), { ok: true }) });
    await service.start();
    const before = events.length;
    expect(await service.invoke('setProxyCredentials', { username: ' agent ', password: 'pw' })).toEqual({ ok: true });
    expect(saved).toEqual([{ username: 'agent', password: 'pw' }]);
    expect(events.length).toBeGreaterThan(before);
    expect(await service.invoke('setProxyCredentials', { username: '', password: 'pw' })).toEqual({ ok: false, message: 'Enter the proxy user name.', field: 'username' });
  });

  it('says when it is not available or could not be stored', async () => {
    expect(await build().service.invoke('setProxyCredentials', { username: 'a', password: 'b' })).toEqual({ ok: false, message: 'Proxy sign-in is not available here.' });
    const broken = build({ saveProxyCredentials: () => Promise.reject(new Error('keychain locked')) });
    expect(await broken.service.invoke('setProxyCredentials', { username: 'a', password: 'b' })).toEqual({ ok: false, message: 'The proxy sign-in could not be stored on this computer.' });
  });
});
