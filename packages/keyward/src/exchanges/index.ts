/**
 * @module exchanges
 * One adapter per exchange behind one interface. See README.md and docs/exchanges.md.
 */
export type { ExchangeAdapter, KeyPermissions, PermissionCheck, Refusal, RefusalKind, RenderedError, Tri } from './adapter.js';
export type { Action, Classification, OrderDetails } from './classification.js';
export { requestFromUrl, urlOf, type ExchangeRequest, type SignContext } from './request.js';
export { parseStrictJson } from './strict-json.js';
export { ADAPTERS, adapterFor } from './registry.js';
