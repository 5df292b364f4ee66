/**
 * @module api
 * The app API of `keyward serve`: JSON over HTTP, problem+json errors, cookie sessions with CSRF,
 * per-address rate limits, and an OpenAPI description built from the route declarations.
 * See README.md and docs/server.md.
 */
export { createApiApp, clientAddress, SESSION_COOKIE, DEVICE_COOKIE, API_BODY_LIMIT, type ApiHttpOptions } from './http.js';
export { createSessionService, addressAllowed, FRESH_MS, type ActiveSession, type SessionService } from './sessions.js';
export { route, registerRoutes, openApiDocument, type Access, type RouteDef, type RouteContext } from './route.js';
export { problemOf, problemFromError, type Problem } from './problem.js';
export { authRoutes } from './auth-routes.js';
export { securityRoutes } from './security-routes.js';
export { tokenRoutes, type TokenHooks } from './token-routes.js';
export { credentialRoutes, judgePermissions, type CheckOutcome, type CredentialOps } from './credential-routes.js';
export { passkeyRoutes } from './passkey-routes.js';
export { tradingRoutes } from './trading-routes.js';
export { openApiRoute } from './openapi-route.js';
export type { ApiDeps, ApiKeys, KeyRing, NotifyKind } from './deps.js';
