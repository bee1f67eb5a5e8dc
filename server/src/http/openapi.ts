import { type OpenAPIRegistry, OpenApiGeneratorV3 } from '@asteasolutions/zod-to-openapi';

// The OpenAPI document, built from the same route declarations (defineRoute) that validate
// requests. `npm run generate` writes it to server/openapi.json, from which the web app's types
// come, and `npm run lint` checks that file with redocly's recommended rules.

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

/**
 * OpenAPI 3.0 ignores `nullable` without a `type` (an untyped schema already admits any value,
 * null included), and linters flag it: zod-to-openapi writes it for z.unknown(), so it goes.
 */
function dropUntypedNullable(node: unknown): void {
  if (Array.isArray(node)) node.forEach(dropUntypedNullable);
  else if (node && typeof node === 'object') {
    const schema = node as Record<string, unknown>;
    if (
      schema.nullable === true &&
      !('type' in schema) &&
      !('$ref' in schema) &&
      !('allOf' in schema) &&
      !('oneOf' in schema) &&
      !('anyOf' in schema)
    ) {
      delete schema.nullable;
    }
    Object.values(schema).forEach(dropUntypedNullable);
  }
}

/** The main API's document, or with `about` another one served elsewhere (the OGC API's at /ogc). */
export function openApiDocument(
  registry: OpenAPIRegistry,
  about?: { title: string; description: string; server: string },
): OpenApiDocument {
  registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'API token from POST /auth/tokens',
  });
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'sg_session',
    description: 'Session cookie from POST /auth/login; writes made with it must send the X-CSRF-Token header',
  });
  const document = new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: about?.title ?? 'Safeground API',
      version: '1',
      license: { name: 'MIT', url: 'https://opensource.org/licenses/MIT' },
      description:
        about?.description ??
        'Contaminated areas (hazards), land releases and remaining area per country for humanitarian mine action. ' +
          'GeoJSON follows RFC 7946. Areas are geodesic on the WGS 84 ellipsoid, in m² on features and km² in summaries.',
    },
    servers: [{ url: about?.server ?? '/', description: 'the server that serves this document' }],
  });
  dropUntypedNullable(document);
  return document;
}
