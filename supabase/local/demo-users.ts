/** The demo agents supabase/seed.sql creates, with their (public, demo-only) passwords. */
export interface DemoUser {
  readonly email: string;
  readonly password: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  { email: 'agent.a@beacon.local', password: 'beacon-demo-a' },
  { email: 'agent.b@beacon.local', password: 'beacon-demo-b' },
];
