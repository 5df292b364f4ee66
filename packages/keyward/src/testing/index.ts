/**
 * @module testing
 * Test-only helpers; lint forbids importing them outside tests.
 */
export { postgresTestUrl, postgresAvailable, skipUnlessPostgres, testSchemaName, dropSchema } from './postgres.js';
export { ccxtErrorFor, ccxtExchange, ccxtSign, type CcxtCall, type CcxtSigned } from './ccxt-oracle.js';
export { officialVectors, signVector, signedText, handleFor, type OfficialVector } from './adapter-vectors.js';
export { VirtualAuthenticator, type VirtualAuthenticatorOptions } from './virtual-authenticator.js';
