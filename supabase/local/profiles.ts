/**
 * Named sets of defaults for the local stack. `supabase-cli` is what
 * `supabase start` uses for a local project (port 54321, the well-known demo
 * JWT secret and demo keys, email signups on without confirmation), so code
 * written against the Supabase CLI's local stack runs unchanged against
 * `npm run stack -- --profile supabase-cli`. These values are public demo
 * constants, never secrets.
 */
import type { KeyOptions } from './project-keys.ts';
import type { AuthSettings } from './context.ts';

export interface StackProfile {
  readonly port: number;
  readonly keys: KeyOptions;
  readonly auth: Partial<AuthSettings>;
}

export const PROFILE_NAMES = ['supabase-cli'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export const PROFILES: Readonly<Record<ProfileName, StackProfile>> = {
  'supabase-cli': {
    port: 54321,
    keys: {
      jwtSecret: 'super-secret-jwt-token-with-at-least-32-characters-long',
      anonKey:
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0',
      serviceRoleKey:
        'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
      publishableKey: 'sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH',
      secretKey: 'sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz',
      userTokenAlgorithm: 'HS256',
    },
    // supabase/config.toml defaults: enable_signup = true, enable_confirmations = false,
    // minimum_password_length = 6, refresh_token_reuse_interval = 10.
    auth: { disableSignup: false, autoconfirm: true, passwordMinLength: 6, refreshTokenReuseIntervalSeconds: 10 },
  },
};
