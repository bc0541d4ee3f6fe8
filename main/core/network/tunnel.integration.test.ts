/**
 * The tunnel against a real forward proxy (test/network/test-proxy.ts) and an
 * HTTPS + WSS server whose certificate comes from a CA this test makes. The
 * server's name exists only inside the proxy, so every success here went
 * through it; the proxy's log shows each CONNECT.
 */
import { createServer as createHttpsServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createTestCa, type TestCa } from '../../../test/network/test-ca.ts';
import { startTestProxy, type TestProxy } from '../../../test/network/test-proxy.ts';
import { NetworkFailure } from './failures.ts';
import { BeaconNetwork } from './network.ts';
import type { NetworkPlatform } from './port.ts';

const HOST = 'api.beacon.invalid';

let ca: TestCa;
let otherCa: TestCa;
let server: Server;
let wss: WebSocketServer;
let port: number;
let proxy: TestProxy;
let authProxy: TestProxy;

function platform(proxyPort: number, roots: { system?: string[]; extraPath?: string } = {}, credentials?: { username: string; password: string }): NetworkPlatform {
  return {
    resolveProxy: () => Promise.resolve(`PROXY 127.0.0.1:${proxyPort}; DIRECT`),
    bundledRoots: () => [],
    systemRoots: () => roots.system ?? [],
    readText: (path) => (path === '/it/corp-root.pem' ? Promise.resolve(`junk before\n${ca.certPem}`) : Promise.reject(Object.assign(new Error('nope'), { code: 'ENOENT' }))),
    proxyCredentials: () => Promise.resolve(credentials ?? null),
    lookup: () => Promise.resolve(['127.0.0.1']),
    proxySource: () => 'test',
  };
}

async function network(p: NetworkPlatform, extraCaBundle?: string): Promise<BeaconNetwork> {
  return BeaconNetwork.create({ platform: p, extraCaBundle, logger: { debug() {}, info() {}, warn() {}, error() {} }, connectTimeoutMs: 5_000 });
}

function echo(net: BeaconNetwork): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new net.WebSocket(`wss://${HOST}:${port}/socket`) as unknown as WebSocket;
    socket.onopen = () => socket.send('ping');
    socket.onmessage = (event) => {
      resolve(String(event.data));
      socket.close();
    };
    socket.onerror = (event) => reject((event as unknown as { error?: Error }).error ?? new Error('socket error'));
  });
}

beforeAll(async () => {
  ca = await createTestCa('Beacon Test Inspection Root');
  otherCa = await createTestCa('Some Other Root');
  const leaf = await ca.issue([HOST]);
  server = createHttpsServer({ cert: leaf.cert, key: leaf.key }, (req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url }));
  });
  wss = new WebSocketServer({ server });
  wss.on('connection', (socket) => socket.on('message', (data) => socket.send(`pong:${String(data)}`)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  proxy = await startTestProxy({ hosts: { [`${HOST}:${port}`]: port } });
  authProxy = await startTestProxy({ hosts: { [`${HOST}:${port}`]: port }, credentials: { username: 'agent', password: 's3cret' } });
});

afterAll(async () => {
  await proxy?.close();
  await authProxy?.close();
  for (const client of wss?.clients ?? []) client.terminate();
  wss?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('through a forward proxy (CONNECT)', () => {
  it('carries REST (fetch) and the WebSocket, trusting the root from the system store', async () => {
    const net = await network(platform(proxy.port, { system: [ca.certPem] }));
    const before = proxy.log.length;
    const response = await net.fetch(`https://${HOST}:${port}/rest/v1/x?select=id`);
    expect(await response.json()).toEqual({ path: '/rest/v1/x?select=id' });
    expect(await echo(net)).toBe('pong:ping');
    const tunnels = proxy.log.slice(before);
    expect(tunnels.map((t) => [t.target, t.status])).toEqual([
      [`${HOST}:${port}`, 200],
      [`${HOST}:${port}`, 200],
    ]);
    expect(tunnels.every((t) => t.bytesUp > 0 && t.bytesDown > 0)).toBe(true);
    await net.close();
  });

  it('trusts IT\'s PEM bundle (ExtraCaBundle) when the system store does not hold the root', async () => {
    const net = await network(platform(proxy.port, { system: [otherCa.certPem] }), '/it/corp-root.pem');
    expect(net.extraRootCount).toBe(1);
    expect((await net.fetch(`https://${HOST}:${port}/ok`)).status).toBe(200);
    expect(await echo(net)).toBe('pong:ping');
    await net.close();
  });

  it('reports an untrusted root in plain words with the issuer presented, for REST and the WebSocket', async () => {
    const net = await network(platform(proxy.port, { system: [otherCa.certPem] }));
    const failure = await net.fetch(`https://${HOST}:${port}/x`).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(NetworkFailure);
    expect((failure as NetworkFailure).kind).toBe('certificate');
    expect((failure as NetworkFailure).message).toBe(
      `The connection to ${HOST} is intercepted by a certificate Beacon does not trust: issued by Beacon Test Inspection Root (Beacon Test Networks).`,
    );
    expect((failure as NetworkFailure).fix).toMatch(/certificate store|ExtraCaBundle/);
    await expect(echo(net)).rejects.toThrow(/does not trust: issued by Beacon Test Inspection Root/);
    expect(net.problemMessage()).toMatch(/does not trust/);
    await net.close();
  });

  it('reports an unreadable CA bundle as a problem and keeps going', async () => {
    const net = await network(platform(proxy.port, { system: [ca.certPem] }), '/it/missing.pem');
    expect(net.trustProblems.join(' ')).toMatch(/could not be read \(ENOENT\)/);
    expect((await net.fetch(`https://${HOST}:${port}/ok`)).status).toBe(200);
    await net.close();
  });
});

describe('a proxy that demands Basic authentication', () => {
  it('signs in with the right credentials (asked once, then reused)', async () => {
    let asked = 0;
    const p = platform(authProxy.port, { system: [ca.certPem] }, { username: 'agent', password: 's3cret' });
    const net = await network({ ...p, proxyCredentials: (...args) => (asked++, p.proxyCredentials!(...args)) });
    const before = authProxy.log.length;
    expect((await net.fetch(`https://${HOST}:${port}/a`)).status).toBe(200);
    expect(await echo(net)).toBe('pong:ping');
    expect(asked).toBe(1);
    // One refused CONNECT without credentials, then every tunnel with them.
    expect(authProxy.log.slice(before).map((t) => [t.status, t.user])).toEqual([
      [407, null],
      [200, 'agent'],
      [200, 'agent'],
    ]);
    await net.close();
  });

  it('fails clearly with the wrong credentials and without any', async () => {
    const wrong = await network(platform(authProxy.port, { system: [ca.certPem] }, { username: 'agent', password: 'wrong' }));
    await expect(wrong.fetch(`https://${HOST}:${port}/a`)).rejects.toMatchObject({ kind: 'proxy-auth', message: expect.stringMatching(/refused Beacon's proxy sign-in \(user "agent"\)/) });
    await expect(echo(wrong)).rejects.toThrow(/refused Beacon's proxy sign-in/);
    await wrong.close();
    const none = await network(platform(authProxy.port, { system: [ca.certPem] }));
    await expect(none.fetch(`https://${HOST}:${port}/a`)).rejects.toMatchObject({ kind: 'proxy-auth', message: expect.stringMatching(/asks for a sign-in \(Basic\) and Beacon has no proxy credentials/) });
    await none.close();
  });
});

describe('when the proxy is the problem', () => {
  it('tells an unreachable proxy from one that refuses the tunnel', async () => {
    // A port nothing listens on: take one, then close it.
    const { createServer } = await import('node:net');
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const dead = await network(platform(deadPort, { system: [ca.certPem] }));
    await expect(dead.fetch(`https://${HOST}:${port}/x`)).rejects.toMatchObject({ kind: 'proxy-unreachable', message: expect.stringMatching(new RegExp(`Cannot reach the proxy 127\\.0\\.0\\.1:${deadPort} \\(ECONNREFUSED\\)`)) });
    await dead.close();

    // The proxy cannot reach this one (it maps unknown names to a closed port) and answers with an error status.
    const refused = await network(platform(proxy.port, { system: [ca.certPem] }));
    await expect(refused.fetch('https://elsewhere.beacon.invalid/x')).rejects.toMatchObject({ kind: 'proxy-refused', message: expect.stringMatching(/refused to connect to elsewhere\.beacon\.invalid:443 \(HTTP 5\d\d\)/) });
    await refused.close();
  });
});
