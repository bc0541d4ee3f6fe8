/**
 * `npm run demo` and the Electron end-to-end tests point an unpackaged Beacon
 * at a local stack through the environment:
 *   BEACON_DEV_SUPABASE_URL + BEACON_DEV_ANON_KEY → a 'machine' config layer
 *   BEACON_DEV_EMAIL + BEACON_DEV_PASSWORD        → signs in automatically
 *   BEACON_DEV_PROXY_SERVER, BEACON_DEV_CA_BUNDLE → a fixed proxy and extra roots in that layer
 *                                                   (the proxy end-to-end test; IT uses the policy keys)
 * A packaged build ignores all of them: IT configures packaged builds by policy,
 * and no environment variable can sign a user in or swap their project.
 * The values are validated like any other config layer (resolveConfig).
 */
import type { ConfigLayer } from '../core/config/config.ts';

export interface DevOverrides {
  readonly layer?: ConfigLayer;
  readonly signIn?: { readonly email: string; readonly password: string };
}

export const DEV_ENV_ORIGIN = 'BEACON_DEV_* environment (unpackaged run)';

export function devOverrides(isPackaged: boolean, env: NodeJS.ProcessEnv): DevOverrides {
  if (isPackaged) return {};
  const url = env.BEACON_DEV_SUPABASE_URL?.trim();
  const anonKey = env.BEACON_DEV_ANON_KEY?.trim();
  const email = env.BEACON_DEV_EMAIL?.trim();
  const password = env.BEACON_DEV_PASSWORD;
  const proxyServer = env.BEACON_DEV_PROXY_SERVER?.trim();
  const caBundle = env.BEACON_DEV_CA_BUNDLE?.trim();
  const network = { ...(proxyServer ? { proxyMode: 'fixed', proxyServer } : {}), ...(caBundle ? { extraCaBundle: caBundle } : {}) };
  return {
    ...(url && anonKey ? { layer: { source: 'machine', origin: DEV_ENV_ORIGIN, values: { supabaseUrl: url, supabaseAnonKey: anonKey, ...network } } } : {}),
    ...(email && password ? { signIn: { email, password } } : {}),
  };
}
