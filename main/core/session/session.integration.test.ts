/**
 * Session with the real supabase-js client against the local stack's auth.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createStack, type Stack } from '../../../supabase/local/stack.ts';
import { MemorySecretStore } from '../storage/memory-store.ts';
import { RecordingLogger } from '../../../test/fakes/recording-logger.ts';
import { waitFor } from '../../../test/wait-for.ts';
import { Session, type SessionEvent, type SessionOptions } from './session.ts';

const STORAGE_KEY = 'beacon.test.session';
// Above supabase-js's 90 s refresh margin (below it every getSession refreshes), and short
// enough that supabase-js refreshes within seconds of signing in.
const TTL_SECONDS = 95;

let stack: Stack;
const sessions: Session[] = [];

function newSession(overrides: Partial<SessionOptions> = {}): { session: Session; events: SessionEvent[]; store: MemorySecretStore; logger: RecordingLogger } {
  const store = (overrides.secretStore as MemorySecretStore | undefined) ?? new MemorySecretStore();
  const logger = new RecordingLogger();
  const session = new Session({
    url: stack.url,
    anonKey: stack.anonKey,
    secretStore: store,
    WebSocket: globalThis.WebSocket,
    logger,
    storageKey: STORAGE_KEY,
    ...overrides,
  });
  const events: SessionEvent[] = [];
  session.onEvent((event) => events.push(event));
  sessions.push(session);
  return { session, events, store, logger };
}

async function stored(store: MemorySecretStore): Promise<{ access_token: string; refresh_token: string } | undefined> {
  const raw = await store.get(STORAGE_KEY);
  return raw ? (JSON.parse(raw) as { access_token: string; refresh_token: string }) : undefined;
}

const userA = () => stack.demoUsers[0]!;

beforeAll(async () => {
  stack = await createStack({ accessTokenTtlSeconds: TTL_SECONDS, auth: { refreshTokenReuseIntervalSeconds: 0 } });
});

afterEach(async () => {
  for (const session of sessions.splice(0)) await session.stop();
});

afterAll(async () => {
  await stack?.stop();
});

describe('Session', () => {
  it('signs in, keeps the tokens in the secret store only, and exposes just signedIn/email/displayName', async () => {
    const { session, events, store } = newSession();
    expect(await session.start()).toEqual({ signedIn: false, email: null, displayName: null });

    const result = await session.signIn(userA().email, userA().password);
    expect(result).toEqual({ ok: true, state: { signedIn: true, email: userA().email, displayName: 'Avery Adams' } });
    expect(Object.keys(session.state()).sort()).toEqual(['displayName', 'email', 'signedIn']);
    expect(JSON.stringify(session.state())).not.toMatch(/eyJ/);
    expect(session.userId()).toBe(userA().id);
    expect(events).toEqual([{ type: 'signed-in', userId: userA().id, email: userA().email }]);
    expect((await stored(store))?.access_token).toMatch(/^eyJ/);
  });

  it.each([
    { name: 'wrong password', email: () => userA().email, password: 'not-the-password', kind: 'wrong-credentials', message: /wrong email or password/i },
    { name: 'unknown user', email: () => 'nobody@beacon.local', password: 'x', kind: 'wrong-credentials', message: /wrong email or password/i },
    { name: 'empty password', email: () => userA().email, password: '', kind: 'invalid-input', message: /password/i },
  ])('sign-in failure in plain words: $name', async ({ email, password, kind, message }) => {
    const { session, store } = newSession();
    const result = await session.signIn(email(), password);
    expect(result).toMatchObject({ ok: false, kind });
    expect(result.ok ? '' : result.message).toMatch(message);
    expect(session.state().signedIn).toBe(false);
    expect(await stored(store)).toBeUndefined();
  });

  it('says so when the server cannot be reached', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const { session } = newSession({ url: `http://127.0.0.1:${port}` });
    const result = await session.signIn(userA().email, userA().password);
    expect(result).toMatchObject({ ok: false, kind: 'network' });
    expect(result.ok ? '' : result.message).toMatch(/cannot reach the server/i);
  });

  it('says so when the server fails', async () => {
    const failing: Server = createServer((_req, res) => {
      res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'down for maintenance' }));
    });
    await new Promise<void>((resolve) => failing.listen(0, '127.0.0.1', resolve));
    try {
      const { session } = newSession({ url: `http://127.0.0.1:${(failing.address() as AddressInfo).port}` });
      const result = await session.signIn(userA().email, userA().password);
      expect(result).toMatchObject({ ok: false, kind: 'server' });
      expect(result.ok ? '' : result.message).toMatch(/server had a problem/i);
    } finally {
      await new Promise<void>((resolve) => failing.close(() => resolve()));
    }
  });

  it('restores the stored session on the next start without the password', async () => {
    const first = newSession();
    await first.session.signIn(userA().email, userA().password);
    await first.session.stop();

    const second = newSession({ secretStore: first.store });
    const state = await second.session.start();
    expect(state).toMatchObject({ signedIn: true, email: userA().email });
    expect(second.events[0]).toEqual({ type: 'signed-in', userId: userA().id, email: userA().email });
    expect(second.session.stats().auth).toBeLessThanOrEqual(1); // at most the refresh of a nearly expired token
  });

  it('refreshes automatically and stores the new tokens', async () => {
    const { session, events, store } = newSession({ heartbeatIntervalMs: 1_000 });
    await session.signIn(userA().email, userA().password);
    const before = await stored(store);
    // supabase-js checks the token on every realtime heartbeat (and on its 30 s ticker); with a
    // 95 s TTL the token is inside its 90 s refresh margin after 5 s, so a heartbeat refreshes it.
    session.client.realtime.connect();
    await waitFor(() => events.some((e) => e.type === 'token-refreshed'), 'a refresh', 15_000);
    const after = await stored(store);
    expect(after?.refresh_token).not.toBe(before?.refresh_token);
    expect(after?.access_token).not.toBe(before?.access_token);
    expect(session.state().signedIn).toBe(true);
  }, 20_000);

  it('a refused refresh (token already used elsewhere) ends in signed-out with the reason', async () => {
    const { session, events, store } = newSession();
    await session.signIn(userA().email, userA().password);
    const tokens = await stored(store);
    // Someone else redeems the refresh token, and then the one it got: this session's copy is now two
    // rotations old. GoTrue still answers the token just before the active one (a refresh that raced
    // another) and older ones within its reuse interval; this stack's interval is 0, so it is refused.
    const redeem = async (refreshToken: string): Promise<string> => {
      const response = await fetch(`${stack.url}/auth/v1/token?grant_type=refresh_token`, {
        method: 'POST',
        headers: { apikey: stack.anonKey, 'content-type': 'application/json' },
        body: JSON.stringify({ refresh_token: refreshToken }),
      });
      expect(response.status).toBe(200);
      return ((await response.json()) as { refresh_token: string }).refresh_token;
    };
    await redeem(await redeem(tokens!.refresh_token));

    const refreshed = await session.refresh();
    expect(refreshed).toMatchObject({ ok: false, kind: 'refused' });
    const ended = await waitFor(() => events.find((e) => e.type === 'signed-out'), 'signed-out');
    expect(ended).toEqual({ type: 'signed-out', reason: expect.stringMatching(/used somewhere else|no longer valid/i) });
    expect(session.state()).toEqual({ signedIn: false, email: null, displayName: null });
    expect(await stored(store)).toBeUndefined();
  });

  it('a stored session whose refresh token was revoked is not restored, and says why', async () => {
    const first = newSession();
    await first.session.signIn(userA().email, userA().password);
    await first.session.stop();
    const tokens = await stored(first.store);
    await fetch(`${stack.url}/auth/v1/logout?scope=global`, {
      method: 'POST',
      headers: { apikey: stack.anonKey, authorization: `Bearer ${tokens!.access_token}` },
    });

    // TTL 95 s is inside the 90 s margin soon after sign-in: restoring refreshes, and the server refuses.
    const second = newSession({ secretStore: first.store });
    await second.session.start();
    const ended = await waitFor(() => second.events.find((e) => e.type === 'signed-out'), 'signed-out on restore');
    expect(ended).toMatchObject({ reason: expect.stringMatching(/no longer valid|sign in again/i) });
    expect(second.session.state().signedIn).toBe(false);
    expect(await stored(first.store)).toBeUndefined();
  });

  it('signs out: the stored session is erased and the event says so', async () => {
    const { session, events, store } = newSession();
    await session.signIn(userA().email, userA().password);
    await session.signOut();
    expect(events.at(-1)).toEqual({ type: 'signed-out', reason: 'Signed out.' });
    expect(session.state().signedIn).toBe(false);
    expect(await stored(store)).toBeUndefined();
  });

  it('takes the display name from the profile the sync engine reads', async () => {
    const { session } = newSession();
    const states: unknown[] = [];
    session.onState((state) => states.push(state));
    await session.signIn(userA().email, userA().password);
    session.noteProfile({ displayName: 'Avery A.' });
    expect(session.state().displayName).toBe('Avery A.');
    expect(states.at(-1)).toEqual({ signedIn: true, email: userA().email, displayName: 'Avery A.' });
  });
});
