import { describe, expect, it } from 'vitest';
import { MemorySecretStore } from '../storage/memory-store.ts';
import { silentLogger } from '../ports.ts';
import { StoredProxyCredentials } from './proxy-credentials.ts';

const challenge = (host: string, port = 3128) => ({ host, port, scheme: 'basic', realm: 'corp' });

describe('proxy credentials the user typed in', () => {
  it('remembers which proxy asked, stores the answer for that proxy only, and keeps it', async () => {
    const secrets = new MemorySecretStore();
    let asked = 0;
    const store = new StoredProxyCredentials({ secrets, logger: silentLogger, onAsked: () => asked++ });
    expect(await store.save({ username: 'u', password: 'p' })).toBe(false);
    expect(await store.get(challenge('proxy.corp'))).toBeNull();
    expect(await store.get(challenge('proxy.corp'))).toBeNull();
    expect(asked).toBe(1);
    expect(store.pendingProxy()).toBe('proxy.corp:3128');
    expect(await store.save({ username: 'agent', password: 'pw' })).toBe(true);
    expect(store.pendingProxy()).toBeNull();
    expect(await store.get(challenge('proxy.corp'))).toEqual({ username: 'agent', password: 'pw' });
    // Never to another proxy.
    expect(await store.get(challenge('evil.example', 8080))).toBeNull();
    // Survives a restart (the secret store), and can be removed.
    const again = new StoredProxyCredentials({ secrets, logger: silentLogger });
    expect(await again.get(challenge('proxy.corp'))).toEqual({ username: 'agent', password: 'pw' });
    await again.clear();
    expect(await again.get(challenge('proxy.corp'))).toBeNull();
  });
});
