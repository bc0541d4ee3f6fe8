/**
 * The IT policy templates in build/policy/ against the app's own policy schema
 * (main/core/config/config.ts): every template names exactly the keys Beacon reads, the Group
 * Policy ADMX and its ADML agree, and every example value is one Beacon accepts and locks.
 */
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse as parsePlist } from 'plist';
import { CONFIG_KEYS, DEFAULT_CONFIG, POLICY_KEY_NAMES, fromPolicyNames, resolveConfig, type ConfigKey } from '../../main/core/config/config.ts';
import { APP_ID } from '../../main/core/app-id.ts';

const policyDir = fileURLToPath(new URL('../../build/policy/', import.meta.url));
const read = (name: string) => readFileSync(`${policyDir}${name}`, 'utf8');

const POLICY_NAMES = CONFIG_KEYS.map((key) => POLICY_KEY_NAMES[key]).sort();
const BOOLEAN_NAMES = CONFIG_KEYS.filter((key) => typeof DEFAULT_CONFIG[key] === 'boolean')
  .map((key) => POLICY_KEY_NAMES[key])
  .sort();
const WINDOWS_POLICY_KEY = 'Software\\Policies\\Beacon';

type Attrs = Record<string, string>;
interface AdmxPolicy extends Attrs {
  name: string;
  key: string;
  class: string;
  displayName: string;
  explainText: string;
}

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  isArray: (tag, _path, _leaf, isAttribute) => !isAttribute && ['policy', 'string', 'presentation', 'textBox', 'text', 'decimal', 'definition', 'category'].includes(tag),
});

function parseXml(name: string): Record<string, unknown> {
  const text = read(name);
  const valid = XMLValidator.validate(text);
  expect(valid, `${name} is not well-formed XML: ${JSON.stringify(valid)}`).toBe(true);
  return xml.parse(text) as Record<string, unknown>;
}

interface Admx {
  policyDefinitions: {
    supportedOn: { definitions: { definition: Attrs[] } };
    categories: { category: Attrs[] };
    policies: {
      policy: (AdmxPolicy & {
        parentCategory: Attrs;
        supportedOn: Attrs;
        elements?: { text?: Attrs[] };
        enabledValue?: { decimal: Attrs[] };
        disabledValue?: { decimal: Attrs[] };
        presentation?: string;
        valueName?: string;
      })[];
    };
  };
}
interface Adml {
  policyDefinitionResources: {
    resources: {
      stringTable: { string: (Attrs & { '#text'?: string })[] };
      presentationTable: { presentation: (Attrs & { textBox?: Attrs[] })[] };
    };
  };
}

const admx = () => parseXml('beacon.admx') as unknown as Admx;
const adml = () => parseXml('en-US/beacon.adml') as unknown as Adml;

/** `$(string.Foo)` → `Foo`. */
function ref(kind: 'string' | 'presentation', value: string | undefined): string {
  const match = new RegExp(`^\\$\\(${kind}\\.([A-Za-z0-9_]+)\\)$`).exec(value ?? '');
  expect(match, `"${value}" is not a $(${kind}.…) reference`).not.toBeNull();
  return match![1]!;
}

/** The values a template sets, validated the way Beacon validates policy. */
function expectAcceptedAndLocked(origin: string, values: Record<string, unknown>) {
  const resolved = resolveConfig([{ source: 'policy', origin, values: fromPolicyNames(values) }]);
  expect(resolved.problems).toEqual([]);
  const lockedNames = [...resolved.locked].map((key: ConfigKey) => POLICY_KEY_NAMES[key]).sort();
  expect(lockedNames).toEqual(Object.keys(values).sort());
}

/** A minimal reader for the .reg format regedit writes: [key] lines, "name"="string" and "name"=dword:hex. */
function parseRegFile(text: string): Map<string, Record<string, string | number>> {
  const keys = new Map<string, Record<string, string | number>>();
  let current: Record<string, string | number> | undefined;
  const lines = text.split(/\r?\n/);
  expect(lines[0]).toBe('Windows Registry Editor Version 5.00');
  for (const line of lines.slice(1)) {
    if (line.trim() === '' || line.startsWith(';')) continue;
    const key = /^\[(.+)\]$/.exec(line);
    if (key) {
      current = {};
      keys.set(key[1]!, current);
      continue;
    }
    const value = /^"((?:[^"\\]|\\.)*)"=(?:"((?:[^"\\]|\\.)*)"|dword:([0-9a-fA-F]{8}))$/.exec(line);
    expect(value, `unrecognised .reg line: ${line}`).not.toBeNull();
    expect(current, 'a value before any [key]').toBeDefined();
    const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
    current![unescape(value![1]!)] = value![3] !== undefined ? Number.parseInt(value![3], 16) : unescape(value![2]!);
  }
  return keys;
}

describe('Group Policy template (beacon.admx + en-US/beacon.adml)', () => {
  it('defines one policy per policy key, for machine and user, under Software\\Policies\\Beacon', () => {
    const policies = admx().policyDefinitions.policies.policy;
    expect(policies.map((p) => p.name).sort()).toEqual(POLICY_NAMES);
    for (const policy of policies) {
      expect(policy.key, policy.name).toBe(WINDOWS_POLICY_KEY);
      expect(policy.class, `${policy.name}: "Both" puts it under HKLM and HKCU`).toBe('Both');
    }
  });

  it('writes each value under the name Beacon reads, as a DWORD 1/0 for switches and a string otherwise', () => {
    for (const policy of admx().policyDefinitions.policies.policy) {
      if (BOOLEAN_NAMES.includes(policy.name)) {
        expect(policy.valueName, policy.name).toBe(policy.name);
        expect(policy.enabledValue?.decimal.map((d) => d.value)).toEqual(['1']);
        expect(policy.disabledValue?.decimal.map((d) => d.value)).toEqual(['0']);
        expect(policy.elements, `${policy.name} is a plain switch`).toBeUndefined();
      } else {
        const texts = policy.elements?.text ?? [];
        expect(texts.map((t) => t.valueName), policy.name).toEqual([policy.name]);
        expect(policy.presentation, `${policy.name} needs a dialog to type the value`).toBeDefined();
      }
    }
  });

  it('refers only to categories and platforms it defines', () => {
    const doc = admx().policyDefinitions;
    const categories = new Set(doc.categories.category.map((c) => c.name));
    const platforms = new Set(doc.supportedOn.definitions.definition.map((d) => d.name));
    for (const policy of doc.policies.policy) {
      expect(categories.has(policy.parentCategory.ref!), policy.name).toBe(true);
      expect(platforms.has(policy.supportedOn.ref!), policy.name).toBe(true);
    }
  });

  it('has every string and dialog it references in the ADML, and the ADML has nothing unused', () => {
    const doc = admx().policyDefinitions;
    const resources = adml().policyDefinitionResources.resources;
    const strings = new Map(resources.stringTable.string.map((s) => [s.id!, (s['#text'] ?? '').trim()]));
    const presentations = new Map(resources.presentationTable.presentation.map((p) => [p.id!, p]));

    const usedStrings = new Set<string>();
    const useString = (value: string | undefined) => {
      const id = ref('string', value);
      expect(strings.get(id), `ADML string "${id}"`).toBeTruthy();
      usedStrings.add(id);
    };
    doc.categories.category.forEach((c) => useString(c.displayName));
    doc.supportedOn.definitions.definition.forEach((d) => useString(d.displayName));

    const usedPresentations = new Set<string>();
    for (const policy of doc.policies.policy) {
      useString(policy.displayName);
      useString(policy.explainText);
      if (policy.presentation === undefined) continue;
      const id = ref('presentation', policy.presentation);
      const presentation = presentations.get(id);
      expect(presentation, `ADML presentation "${id}"`).toBeDefined();
      usedPresentations.add(id);
      const elementIds = (policy.elements?.text ?? []).map((t) => t.id).sort();
      expect((presentation!.textBox ?? []).map((t) => t.refId).sort(), `controls of presentation "${id}"`).toEqual(elementIds);
    }
    expect([...strings.keys()].filter((id) => !usedStrings.has(id))).toEqual([]);
    expect([...presentations.keys()].filter((id) => !usedPresentations.has(id))).toEqual([]);
  });

  it('has an example .reg file with the same keys and values Beacon accepts', () => {
    const keys = parseRegFile(read('beacon-example.reg'));
    expect([...keys.keys()]).toEqual([`HKEY_LOCAL_MACHINE\\${WINDOWS_POLICY_KEY}`]);
    const values = keys.get(`HKEY_LOCAL_MACHINE\\${WINDOWS_POLICY_KEY}`)!;
    expect(Object.keys(values).sort()).toEqual(POLICY_NAMES);
    for (const name of BOOLEAN_NAMES) expect([0, 1], name).toContain(values[name]);
    expectAcceptedAndLocked('beacon-example.reg', values);
  });
});

describe('macOS configuration profile (com.beacon.desktop.mobileconfig)', () => {
  const settings = () => {
    const profile = parsePlist(read('com.beacon.desktop.mobileconfig')) as Record<string, unknown>;
    expect(profile.PayloadType).toBe('Configuration');
    const payloads = profile.PayloadContent as Record<string, unknown>[];
    const forBeacon = payloads.filter((p) => p.PayloadType === APP_ID);
    expect(forBeacon, `one payload for the managed-preferences domain ${APP_ID}`).toHaveLength(1);
    return Object.fromEntries(Object.entries(forBeacon[0]!).filter(([key]) => !key.startsWith('Payload')));
  };

  it('sets exactly the policy keys, booleans as plist booleans', () => {
    const values = settings();
    expect(Object.keys(values).sort()).toEqual(POLICY_NAMES);
    for (const name of BOOLEAN_NAMES) expect(typeof values[name], name).toBe('boolean');
  });

  it('holds example values Beacon accepts and locks', () => {
    expectAcceptedAndLocked('com.beacon.desktop.mobileconfig', settings());
  });
});

describe('Linux policy file (policy.json for /etc/beacon/policy.json)', () => {
  const values = () => JSON.parse(read('policy.json')) as Record<string, unknown>;

  it('sets exactly the policy keys', () => {
    expect(Object.keys(values()).sort()).toEqual(POLICY_NAMES);
  });

  it('holds example values Beacon accepts and locks', () => {
    expectAcceptedAndLocked('/etc/beacon/policy.json', values());
  });
});

describe('the policy check itself', () => {
  it('reports a service-role key given as anon key (the examples are really validated)', () => {
    const serviceRole = `eyJhbGciOiJIUzI1NiJ9.${Buffer.from(JSON.stringify({ role: 'service_role' })).toString('base64url')}.c2ln`;
    const resolved = resolveConfig([{ source: 'policy', origin: 'test', values: fromPolicyNames({ SupabaseAnonKey: serviceRole }) }]);
    expect(resolved.problems.map((p) => p.key)).toEqual(['supabaseAnonKey']);
    expect(resolved.locked.size).toBe(0);
  });
});
