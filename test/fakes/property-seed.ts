/**
 * The seed for fast-check property tests: BEACON_PROPERTY_SEED when set (to
 * replay a failure), otherwise a fresh one. Printed by every test that uses it.
 */
export function propertySeed(label: string, env: NodeJS.ProcessEnv = process.env): number {
  const given = env.BEACON_PROPERTY_SEED;
  const seed = given !== undefined && given.trim() !== '' && Number.isInteger(Number(given)) ? Number(given) | 0 : (Math.random() * 0x7fffffff) | 0;
  console.log(`${label}: fast-check seed ${seed} (replay with BEACON_PROPERTY_SEED=${seed})`);
  return seed;
}
