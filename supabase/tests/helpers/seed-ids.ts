/** The ids and demo credentials seed.sql creates (see the pattern documented there). */

export type Owner = 'a' | 'b';

export const AGENTS = {
  a: { id: 'a0000000-0000-4000-8000-000000000001', email: 'agent.a@beacon.local', password: 'beacon-demo-a' },
  b: { id: 'b0000000-0000-4000-8000-000000000001', email: 'agent.b@beacon.local', password: 'beacon-demo-b' },
} as const;

const SEED_KIND = {
  aiAgent: 1,
  contact: 2,
  task: 3,
  metadata: 4,
  note: 5,
  label: 6,
  conversation: 7,
} as const;

export type SeedKind = keyof typeof SEED_KIND;

export function seedId(owner: Owner, kind: SeedKind, n: number): string {
  return `${owner}${SEED_KIND[kind]}000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}
