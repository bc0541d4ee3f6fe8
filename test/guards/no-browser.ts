/**
 * Stands in for `playwright-core` in the unit project: a unit test that tries
 * to launch a browser fails with the rule it broke.
 */
function refuse(): never {
  throw new Error('unit tests launch no browser: name the file *.e2e.test.ts (see vitest.config.ts)');
}
export const chromium = { launch: refuse, launchPersistentContext: refuse, connect: refuse };
export const _electron = { launch: refuse };
export default { chromium, _electron };
