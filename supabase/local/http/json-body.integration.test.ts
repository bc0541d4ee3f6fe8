/**
 * Bad request bodies over raw HTTP: JSON nested too deeply (which would blow
 * the stack further down) and bodies over the size limit are refused with the
 * error shape of the API they were sent to — PostgREST's on /rest/v1,
 * GoTrue's on /auth/v1 — and the server keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../auth/test-server.ts';
import { DEFAULT_JSON_DEPTH_LIMIT, exceedsJsonDepth } from './json-body.ts';
import { REST_BODY_LIMIT_BYTES } from '../rest/request-body.ts';

const deepArray = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;
const deepObject = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;

describe('exceedsJsonDepth', () => {
  it('counts nesting of arrays and objects, not brackets inside strings', () => {
    expect(exceedsJsonDepth(deepArray(3), 3)).toBe(false);
    expect(exceedsJsonDepth(deepArray(4), 3)).toBe(true);
    expect(exceedsJsonDepth(deepObject(4), 3)).toBe(true);
    expect(exceedsJsonDepth(JSON.stringify({ a: '[[[[[[{{{{', b: 'esc \\" [[[[' }), 1)).toBe(false);
    expect(exceedsJsonDepth('[1,[2],[3],[4]]', 2)).toBe(false);
  });
});

describe('bad JSON bodies over HTTP', () => {
  let server: TestServer;
  const serviceHeaders = () => ({ apikey: server.context.keys.serviceRoleKey, 'content-type': 'application/json' });

  beforeAll(async () => {
    server = await startTestServer();
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('answers deeply nested JSON on /rest/v1 with a PostgREST 400', async () => {
    for (const body of [deepArray(100_000), `{"title":${deepObject(50_000)}}`, `[${deepArray(DEFAULT_JSON_DEPTH_LIMIT)}]`]) {
      const response = await fetch(`${server.url}/rest/v1/contacts`, { method: 'POST', headers: serviceHeaders(), body });
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({
        code: 'PGRST102',
        message: 'Empty or invalid json',
        details: `JSON nested deeper than ${DEFAULT_JSON_DEPTH_LIMIT} levels`,
        hint: null,
      });
    }
    // RPC bodies go the same way.
    const rpc = await fetch(`${server.url}/rest/v1/rpc/anything`, { method: 'POST', headers: serviceHeaders(), body: deepObject(10_000) });
    expect(rpc.status).toBe(400);
    expect(await rpc.json()).toMatchObject({ code: 'PGRST102' });
  });

  it('answers a body over the size limit on /rest/v1 with a 400 in PostgREST\'s shape', async () => {
    const huge = JSON.stringify({ title: 'x'.repeat(REST_BODY_LIMIT_BYTES + 1) });
    const response = await fetch(`${server.url}/rest/v1/contacts`, { method: 'POST', headers: serviceHeaders(), body: huge });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ code: 'PGRST102', message: 'Empty or invalid json', details: `Request body exceeds ${REST_BODY_LIMIT_BYTES} bytes`, hint: null });
  });

  it('answers deeply nested or huge JSON on /auth/v1 with GoTrue errors', async () => {
    const post = (path: string, body: string, extra: Record<string, string> = {}) =>
      fetch(`${server.url}/auth/v1${path}`, { method: 'POST', headers: { apikey: server.context.keys.anonKey, 'content-type': 'application/json', ...extra }, body });
    const deep = await post('/token?grant_type=password', `{"email":${deepArray(20_000)}}`);
    expect(deep.status).toBe(400);
    expect(await deep.json()).toEqual({
      code: 400,
      error_code: 'bad_json',
      msg: `Could not parse request body as JSON: JSON nested deeper than ${DEFAULT_JSON_DEPTH_LIMIT} levels`,
    });
    const deepSignup = await post('/signup', deepObject(10_000), { 'x-supabase-api-version': '2024-01-01' });
    expect(deepSignup.status).toBe(400);
    expect(await deepSignup.json()).toMatchObject({ code: 'bad_json' });

    const huge = await post('/signup', JSON.stringify({ email: 'a@b.c', password: 'x'.repeat(200_000) }));
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ code: 413, error_code: 'request_too_large' });
  });

  it('still serves afterwards', async () => {
    const response = await fetch(`${server.url}/rest/v1/contacts?select=id&limit=1`, { headers: serviceHeaders() });
    expect(response.status).toBe(200);
  });
});
