import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse as load } from 'yaml';

const require = createRequire(import.meta.url);
const root = fileURLToPath(new URL('..', import.meta.url));

function validator() {
  const schema = JSON.parse(readFileSync(require.resolve('app-builder-lib/scheme.json'), 'utf8')) as object;
  return new Ajv({ strict: false, allErrors: true }).compile(schema);
}

describe('electron-builder.yml', () => {
  it("passes electron-builder's own schema", () => {
    const validate = validator();
    const config = load(readFileSync(`${root}electron-builder.yml`, 'utf8'));
    expect(validate(config), JSON.stringify(validate.errors, null, 2)).toBe(true);
  });

  it('would catch a malformed config (the schema check is live)', () => {
    const validate = validator();
    expect(validate({ appId: 'x', asar: 'yes please', nsis: { perMachine: 'maybe' } })).toBe(false);
  });

  it('packs only the build output and package.json', () => {
    const config = load(readFileSync(`${root}electron-builder.yml`, 'utf8')) as { files: string[]; appId: string };
    expect(config.files).toEqual(['out/**/*', 'package.json']);
    expect(config.appId).toBe('com.beacon.desktop');
  });
});
