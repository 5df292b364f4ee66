/**
 * @module config
 * The only reader of process.env; hands out frozen configuration objects.
 */
export { loadCliEnvironment, type CliEnvironment } from './load-config.js';
