import type { TSchema } from '@sinclair/typebox';
import { ROUTES, type RouteSpec } from '../core/contract/routes.js';
import { ERROR_CODES } from '../core/errors.js';
import { ErrorSchema } from '../core/contract/schemas.js';

// TypeBox schemas are JSON Schema plus symbol-keyed metadata; JSON round-tripping drops the symbols.
const plain = (schema: TSchema): unknown => JSON.parse(JSON.stringify(schema));

/** The OpenAPI 3.1 document, generated from the one route table (core/contract/routes.ts). */
export function buildOpenApi(version = '0.1.0'): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [name, route] of Object.entries(ROUTES) as [string, RouteSpec][]) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    const parameters: unknown[] = [...route.path.matchAll(/:(\w+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    if (route.query) {
      const q = route.query as TSchema & { properties: Record<string, TSchema>; required?: string[] };
      for (const [key, schema] of Object.entries(q.properties)) {
        parameters.push({
          name: key,
          in: 'query',
          required: q.required?.includes(key) ?? false,
          schema: plain(schema),
        });
      }
    }
    const statuses = new Set<number>([400, ...(route.access === 'open' ? [] : [401, 403]), 404, 500]);
    const responses: Record<string, unknown> = {
      [route.response.status]: {
        description: 'success',
        ...(route.response.status === 204
          ? {}
          : { content: { 'application/json': { schema: plain(route.response.schema) } } }),
      },
    };
    for (const status of statuses) {
      responses[status] = {
        description: Object.entries(ERROR_CODES)
          .filter(([, v]) => v.status === status)
          .map(([code]) => code)
          .join(', '),
        content: { 'application/json': { schema: plain(ErrorSchema) } },
      };
    }
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: name,
      summary: route.summary,
      ...(route.access === 'open' ? { security: [] } : {}),
      'x-ffrtmp-access': route.access,
      parameters,
      ...(route.body
        ? { requestBody: { required: true, content: { 'application/json': { schema: plain(route.body) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'ffrtmp master API', version },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
