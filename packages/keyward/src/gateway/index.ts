/**
 * @module gateway
 * The signing reverse proxy. See README.md for the request path.
 */
export { createPipeline, type Pipeline, type PipelineDeps, type SigningCredential } from './pipeline.js';
export { createGatewayServer } from './gateway-server.js';
export { createForwarder, readBody, readJson, type Forwarder } from './forward.js';
export { createMarketData, fetchVia, type MarketData } from './market-data.js';
export { createUsageTracker, type UsageTracker } from './usage.js';
export { canonicalise, MAX_BODY_BYTES } from './canonicalise.js';
