/**
 * Beacon's configuration: which Supabase project, and the options IT may set.
 * Resolved per key from, in order, OS policy, a machine-wide file, the user's
 * settings and the defaults. Every value is validated; an invalid value is
 * reported with the source it came from and the next source is used instead,
 * so a typo in one place never crashes Beacon. Values set by policy are locked.
 */
import { z } from 'zod';

export type ConfigSource = 'policy' | 'machine' | 'user' | 'default';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** `new URL` that never throws. */
function parseUrl(value: string): URL | null {
  try {
    return URL.canParse(value) ? new URL(value) : null;
  } catch {
    return null;
  }
}

/** https for remote projects; plain http only for a local stack on loopback. */
export const supabaseUrlSchema = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const url = parseUrl(value);
    if (!url) {
      ctx.addIssue({ code: 'custom', message: 'is not a URL' });
      return z.NEVER;
    }
    if (!(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))) {
      ctx.addIssue({ code: 'custom', message: 'must use https (plain http is only accepted for a local stack on 127.0.0.1/localhost)' });
    }
    if (url.username !== '' || url.password !== '') ctx.addIssue({ code: 'custom', message: 'must not contain credentials' });
    if (url.search !== '' || url.hash !== '') ctx.addIssue({ code: 'custom', message: 'must not contain a query or fragment' });
    return url.origin + url.pathname.replace(/\/+$/, '');
  });

const base64url = /^[A-Za-z0-9_-]+$/;

/** A legacy anon JWT (header.payload.signature with role anon) or a new publishable key. */
export const anonKeySchema = z
  .string()
  .trim()
  .refine((key) => {
    if (/^sb_publishable_[A-Za-z0-9_-]{10,}$/.test(key)) return true;
    const parts = key.split('.');
    if (parts.length !== 3 || !parts.every((p) => p.length > 0 && base64url.test(p))) return false;
    try {
      const payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { role?: unknown };
      return payload.role === 'anon';
    } catch {
      return false;
    }
  }, 'is not an anon key (expected a JWT whose role is "anon", or an sb_publishable_ key); never configure the service-role key');

/** `{contactId}` is replaced by the contact's id; the result must be an https URL (e.g. `https://crm.example.com/contacts/{contactId}`). */
export const crmUrlTemplateSchema = z
  .string()
  .trim()
  .superRefine((t, ctx) => {
    if (!t.includes('{contactId}')) {
      ctx.addIssue({ code: 'custom', message: 'must contain {contactId}' });
      return;
    }
    const url = parseUrl(t.replaceAll('{contactId}', '00000000-0000-0000-0000-000000000000'));
    if (!url) ctx.addIssue({ code: 'custom', message: 'is not a URL template (it must start with https://, e.g. https://crm.example.com/contacts/{contactId})' });
    else if (url.protocol !== 'https:') ctx.addIssue({ code: 'custom', message: 'must be an https URL' });
  });

/** How Beacon picks a proxy: the OS's settings (incl. its PAC/WPAD), none, one fixed proxy, or a PAC file. */
export const PROXY_MODES = ['system', 'direct', 'fixed', 'pac'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];
export const proxyModeSchema = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.enum(PROXY_MODES, { error: `must be one of ${PROXY_MODES.join(', ')}` }));

/** `host:port` or `http://host:port` (an http or https proxy); no credentials (Beacon asks for them, or IT's proxy uses Windows sign-in). */
export const proxyServerSchema = z
  .string()
  .trim()
  .transform((value) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`))
  .refine((value) => URL.canParse(value), 'is not host:port or a proxy URL')
  .transform((value) => new URL(value))
  .refine((url) => url.protocol === 'http:' || url.protocol === 'https:', 'must be an http:// or https:// proxy')
  .refine((url) => url.username === '' && url.password === '', 'must not contain credentials')
  .refine((url) => (url.pathname === '/' || url.pathname === '') && url.search === '' && url.hash === '', 'must be only scheme, host and port')
  .refine((url) => url.hostname !== '', 'needs a host name')
  .transform((url) => `${url.protocol}//${url.host}`);

/** Hosts that never go through the proxy, separated by `;` or `,`: `*.corp.example`, `.corp.example`, `host:port`, `10.0.0.0/8`, `<local>`. */
export const proxyBypassListSchema = z
  .string()
  .trim()
  .max(4096)
  .refine((value) => value.split(/[;,\s]+/).every((rule) => rule === '' || /^(<local>|<-loopback>|[A-Za-z0-9*.\-_[\]:/]+)$/.test(rule)), 'holds an entry that is not a host, *.domain, host:port, IP range or <local>')
  .transform((value) =>
    value
      .split(/[;,\s]+/)
      .filter((rule) => rule !== '')
      .join(';'),
  );

/** The PAC file IT publishes: an https (or http, as WPAD servers often are) URL. */
export const proxyPacUrlSchema = z
  .string()
  .trim()
  .refine((value) => URL.canParse(value), 'is not a URL')
  .refine((value) => ['https:', 'http:'].includes(new URL(value).protocol), 'must be an http:// or https:// URL')
  .refine((value) => new URL(value).username === '' && new URL(value).password === '', 'must not contain credentials');

/** A PEM file IT installs with extra root certificates (e.g. a TLS-inspection root): an absolute path. */
export const extraCaBundleSchema = z
  .string()
  .trim()
  .max(1024)
  .refine((value) => value.startsWith('/') || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith('\\\\'), 'must be an absolute path')
  .refine((value) => !value.includes('\0'), 'must be a path');

const booleanLike = z.union([z.boolean(), z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true'), z.literal(0).transform(() => false), z.literal(1).transform(() => true)]);

export const configFields = {
  supabaseUrl: supabaseUrlSchema,
  supabaseAnonKey: anonKeySchema,
  crmContactUrlTemplate: crmUrlTemplateSchema,
  disableAutoUpdate: booleanLike,
  allowInsecureTokenStorage: booleanLike,
  launchAtLogin: booleanLike,
  proxyMode: proxyModeSchema,
  proxyServer: proxyServerSchema,
  proxyBypassList: proxyBypassListSchema,
  proxyPacUrl: proxyPacUrlSchema,
  extraCaBundle: extraCaBundleSchema,
} as const;

export type ConfigKey = keyof typeof configFields;
export const CONFIG_KEYS = Object.keys(configFields) as ConfigKey[];

export interface BeaconConfig {
  supabaseUrl: string | undefined;
  supabaseAnonKey: string | undefined;
  crmContactUrlTemplate: string | undefined;
  disableAutoUpdate: boolean;
  allowInsecureTokenStorage: boolean;
  launchAtLogin: boolean;
  proxyMode: ProxyMode;
  proxyServer: string | undefined;
  proxyBypassList: string | undefined;
  proxyPacUrl: string | undefined;
  extraCaBundle: string | undefined;
}

export const DEFAULT_CONFIG: BeaconConfig = {
  supabaseUrl: undefined,
  supabaseAnonKey: undefined,
  crmContactUrlTemplate: undefined,
  disableAutoUpdate: false,
  allowInsecureTokenStorage: false,
  launchAtLogin: false,
  proxyMode: 'system',
  proxyServer: undefined,
  proxyBypassList: undefined,
  proxyPacUrl: undefined,
  extraCaBundle: undefined,
};

/** The names IT uses in policy (registry values, plist keys, policy.json). */
export const POLICY_KEY_NAMES: Record<ConfigKey, string> = {
  supabaseUrl: 'SupabaseUrl',
  supabaseAnonKey: 'SupabaseAnonKey',
  crmContactUrlTemplate: 'CrmContactUrlTemplate',
  disableAutoUpdate: 'DisableAutoUpdate',
  allowInsecureTokenStorage: 'AllowInsecureTokenStorage',
  launchAtLogin: 'LaunchAtLogin',
  proxyMode: 'ProxyMode',
  proxyServer: 'ProxyServer',
  proxyBypassList: 'ProxyBypassList',
  proxyPacUrl: 'ProxyPacUrl',
  extraCaBundle: 'ExtraCaBundle',
};

export interface ConfigLayer {
  readonly source: Exclude<ConfigSource, 'default'>;
  /** Where it was read from, for messages: a file path, a registry key. */
  readonly origin: string;
  /** Raw values by config key (policy readers map PascalCase names with POLICY_KEY_NAMES first). */
  readonly values: Readonly<Record<string, unknown>>;
}

export interface ConfigProblem {
  readonly key: string;
  readonly source: ConfigSource;
  readonly origin: string;
  readonly message: string;
}

export interface ResolvedConfig {
  readonly config: BeaconConfig;
  /** Which source each value came from. */
  readonly sources: Readonly<Record<ConfigKey, ConfigSource>>;
  /** Keys set by policy: the UI shows them read-only and user settings cannot change them. */
  readonly locked: ReadonlySet<ConfigKey>;
  /** Invalid or unknown values that were ignored, each naming its source. */
  readonly problems: readonly ConfigProblem[];
}

const precedence: Record<Exclude<ConfigSource, 'default'>, number> = { policy: 0, machine: 1, user: 2 };

/** A layer's raw values, read defensively: a layer that is not a plain object, or a value whose getter throws, becomes a problem. */
function readLayer(layer: ConfigLayer, problems: ConfigProblem[]): Record<string, unknown> {
  const origin = safeText(layer.origin);
  const values = layer.values as unknown;
  if (typeof values !== 'object' || values === null || Array.isArray(values)) {
    if (values !== undefined && values !== null) problems.push({ key: '*', source: layer.source, origin, message: `settings from ${layer.source} (${origin}) are not a set of named values; ignored` });
    return {};
  }
  const out: Record<string, unknown> = {};
  let keys: string[];
  try {
    keys = Object.keys(values);
  } catch {
    problems.push({ key: '*', source: layer.source, origin, message: `settings from ${layer.source} (${origin}) could not be read; ignored` });
    return {};
  }
  for (const key of keys) {
    try {
      out[key] = (values as Record<string, unknown>)[key];
    } catch {
      problems.push({ key, source: layer.source, origin, message: `${key} from ${layer.source} (${origin}) could not be read; ignored` });
    }
  }
  return out;
}

function safeText(value: unknown): string {
  try {
    return typeof value === 'string' ? value : String(value);
  } catch {
    return '(unknown)';
  }
}

/**
 * Never throws: every bad value of every layer (wrong type, malformed URL,
 * a value whose getter throws, a layer that is not an object) becomes a
 * reported problem and the next source is used.
 */
export function resolveConfig(layers: readonly ConfigLayer[]): ResolvedConfig {
  const problems: ConfigProblem[] = [];
  const valid = (Array.isArray(layers) ? layers : []).filter(
    (layer): layer is ConfigLayer => typeof layer === 'object' && layer !== null && (layer.source === 'policy' || layer.source === 'machine' || layer.source === 'user'),
  );
  const ordered = [...valid].sort((a, b) => precedence[a.source] - precedence[b.source]).map((layer) => ({ source: layer.source, origin: safeText(layer.origin), values: readLayer(layer, problems) }));
  const config: Record<string, unknown> = { ...DEFAULT_CONFIG };
  const sources = Object.fromEntries(CONFIG_KEYS.map((k) => [k, 'default'])) as Record<ConfigKey, ConfigSource>;
  const locked = new Set<ConfigKey>();

  for (const layer of ordered) {
    for (const key of Object.keys(layer.values)) {
      if (!(key in configFields)) problems.push({ key, source: layer.source, origin: layer.origin, message: `unknown setting "${key}" ignored` });
    }
  }
  for (const key of CONFIG_KEYS) {
    for (const layer of ordered) {
      const raw = layer.values[key];
      if (raw === undefined || raw === null || raw === '') continue;
      let parsed: { success: true; data: unknown } | { success: false; error: { issues: ReadonlyArray<{ message: string }> } };
      try {
        parsed = configFields[key].safeParse(raw);
      } catch (error) {
        parsed = { success: false, error: { issues: [{ message: `could not be checked (${error instanceof Error ? error.message : 'unknown error'})` }] } };
      }
      if (!parsed.success) {
        const reason = parsed.error.issues.map((i) => i.message).join('; ');
        problems.push({ key, source: layer.source, origin: layer.origin, message: `${key} from ${layer.source} (${layer.origin}) ${reason}; ignored` });
        continue;
      }
      config[key] = parsed.data;
      sources[key] = layer.source;
      if (layer.source === 'policy') locked.add(key);
      break;
    }
  }
  return { config: config as unknown as BeaconConfig, sources, locked, problems };
}

/** Maps IT's PascalCase policy names to config keys; unknown names are kept for the problem report. */
export function fromPolicyNames(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const byPolicyName = new Map(Object.entries(POLICY_KEY_NAMES).map(([key, name]) => [name.toLowerCase(), key]));
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [byPolicyName.get(name.toLowerCase()) ?? name, value]));
}

/** The CRM link for a contact, or undefined when IT configured no template. */
export function crmContactUrl(template: string | undefined, contactId: string): string | undefined {
  if (!template || !z.uuid().safeParse(contactId).success) return undefined;
  return template.replaceAll('{contactId}', encodeURIComponent(contactId));
}
