import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveBundleRequest } from './bundle-request.ts';

const root = '/opt/Beacon/resources/app.asar/out/renderer';

describe('resolveBundleRequest', () => {
  it.each([
    ['app://bundle/', 'index.html', 'text/html; charset=utf-8'],
    ['app://bundle/index.html', 'index.html', 'text/html; charset=utf-8'],
    ['app://bundle/assets/index-abc.js', 'assets/index-abc.js', 'text/javascript; charset=utf-8'],
    ['app://bundle/assets/a%20b.css', 'assets/a b.css', 'text/css; charset=utf-8'],
  ])('serves %s from the renderer build', (url, file, type) => {
    expect(resolveBundleRequest(root, url)).toEqual({ ok: true, file: join(root, file), contentType: type });
  });

  it.each(['app://bundle/../../etc/passwd', 'app://bundle/%2e%2e/%2e%2e/etc/passwd', 'app://bundle/assets/../../../x'])(
    'keeps %s inside the bundle (the URL parser removes the dot segments)',
    (url) => {
      const result = resolveBundleRequest(root, url);
      expect(result.ok && result.file.startsWith(`${root}/`)).toBe(true);
    },
  );

  it.each([
    ['app://bundle/assets/..%2f..%2f..%2fetc/passwd', 400],
    ['app://bundle/%E0%A4%A', 400],
    ['app://bundle/a%00.html', 400],
    ['app://bundle.evil/index.html', 404],
    ['app://other/index.html', 404],
    ['https://bundle/index.html', 404],
    ['not a url', 400],
  ])('refuses %s with %i', (url, status) => {
    const result = resolveBundleRequest(root, url);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.status).toBe(status);
  });
});
