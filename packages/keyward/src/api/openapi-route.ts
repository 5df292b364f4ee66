// GET /api/v1/openapi.json: the OpenAPI 3.1 description, built from the same route declarations
// that registered the routes, so it cannot describe a route the server does not have.
import { openApiDocument, route, type RouteDef } from './route.js';

export function openApiRoute(routes: readonly RouteDef[]): RouteDef {
  let doc: unknown = null;
  const self: RouteDef = route({
    method: 'GET', url: '/api/v1/openapi.json', tag: 'meta', access: 'none',
    summary: 'This OpenAPI description',
    handler: async () => (doc ??= openApiDocument([...routes, self], { title: 'Keyward app API', version: '1' })),
  });
  return self;
}
