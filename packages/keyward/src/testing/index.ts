/**
 * @module testing
 * Test-only helpers; lint forbids importing them outside tests.
 */
export { postgresTestUrl, postgresAvailable, skipUnlessPostgres, testSchemaName, dropSchema } from './postgres.js';
