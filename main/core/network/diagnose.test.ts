import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../../test/fakes/fake-clock.ts';
import { silentLogger } from '../ports.ts';
import { runConnectionTest } from './diagnose.ts';
import { BeaconNetwork } from './network.ts';
import type { NetworkPlatform } from './port.ts';

function platform(overrides: Partial<NetworkPlatform>): NetworkPlatform {
  return {
    resolveProxy: () => Promise.resolve('DIRECT'),
    bundledRoots: () => [],
    systemRoots: () => [],
    readText: () => Promise.reject(new Error('none')),
    lookup: () => Promise.resolve(['192.0.2.1']),
    proxySource: () => 'test settings',
    ...overrides,
  };
}

async function test(overrides: Partial<NetworkPlatform>) {
  const network = await BeaconNetwork.create({ platform: platform(overrides), logger: silentLogger });
  try {
    return await runConnectionTest({ url: 'https://abc.supabase.co', anonKey: 'k', network, clock: new FakeClock(0), auth: null });
  } finally {
    await network.close();
  }
}

describe('the connection test, first hops', () => {
  it('stops at name resolution with what to change, and tries nothing after it', async () => {
    const report = await test({ lookup: () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })) });
    expect(report).toMatchObject({ ok: false, failedAt: 'name-resolution' });
    expect(report.hops.map((h) => [h.id, h.status])).toEqual([
      ['name-resolution', 'failed'],
      ['proxy', 'skipped'],
      ['tls', 'skipped'],
      ['api-key', 'skipped'],
      ['sign-in', 'skipped'],
      ['rest', 'skipped'],
      ['realtime-join', 'skipped'],
      ['heartbeat', 'skipped'],
    ]);
    expect(report.hops[0]).toMatchObject({ detail: 'abc.supabase.co cannot be resolved (ENOTFOUND).', fix: expect.stringMatching(/proxy settings/) });
    expect(report.hops[1]!.ms).toBeNull();
  });

  it('resolves the proxy\'s name, not the project\'s, when a proxy is chosen', async () => {
    const looked: string[] = [];
    const report = await test({
      resolveProxy: () => Promise.resolve('PROXY proxy.corp:3128'),
      lookup: (host) => {
        looked.push(host);
        return Promise.reject(Object.assign(new Error('x'), { code: 'EAI_AGAIN' }));
      },
    });
    expect(looked).toEqual(['proxy.corp']);
    expect(report.hops[0]).toMatchObject({ status: 'failed', detail: "The proxy's name proxy.corp cannot be resolved (EAI_AGAIN)." });
  });

  it('fails at the proxy hop when the platform cannot decide (a broken PAC file)', async () => {
    const report = await test({ resolveProxy: () => Promise.reject(new Error('PAC script failed')) });
    expect(report.failedAt).toBe('proxy');
    expect(report.hops[0]!.status).toBe('ok');
    expect(report.hops[1]).toMatchObject({ status: 'failed', detail: expect.stringMatching(/could not be determined \(PAC script failed\)/), fix: expect.stringMatching(/PAC file/) });
  });
});
