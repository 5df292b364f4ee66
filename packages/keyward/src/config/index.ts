/**
 * @module config
 * The only reader of process.env; hands out frozen configuration objects.
 */
export { loadCliEnvironment, processEnv, type CliEnvironment } from './load-config.js';
