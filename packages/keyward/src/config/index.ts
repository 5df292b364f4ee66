/**
 * @module config
 * The only reader of process.env; hands out frozen configuration objects.
 */
export { loadCliEnvironment, processEnv, type CliEnvironment } from './load-config.js';
export { loadServerConfig, serverConfigSchema, envName, isLoopback, type ServerConfig, type ServerConfigSources } from './server-config.js';
