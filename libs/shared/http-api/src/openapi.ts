import { z } from 'zod';
import type { Route } from './route';
import { ProblemSchema } from './schemas';

type JsonSchema = Record<string, unknown>;

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  // The document declares the dialect once (jsonSchemaDialect); per-schema $schema is noise.
  delete json['$schema'];
  return json;
};

const ERROR_RESPONSES: Readonly<Record<string, string>> = {
  400: 'Malformed or invalid input; `errors` names each field',
  401: 'Missing, invalid or expired bearer token',
  403: 'Member without the role this action needs',
  404: 'Unknown, or not visible to the caller',
  409: 'Conflicts with the current state',
  412: 'If-Match names a version that is no longer current',
  413: 'Body larger than 1 MB',
  415: 'Body is not JSON',
  422: 'Idempotency-Key reused with a different request',
};

const HEADER_DOCS: Readonly<Record<string, { description: string; schema: JsonSchema }>> = {
  'If-Match': {
    description: 'ETag of the version the change is based on; stale → 412.',
    schema: { type: 'string' },
  },
  'Idempotency-Key': {
    description:
      'Retry-safe key: the same key and body within 24 h returns the first response without a second write.',
    schema: { type: 'string', minLength: 1, maxLength: 255 },
  },
};

function parametersOf(schema: z.ZodType | undefined, location: 'path' | 'query'): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: location,
    required: location === 'path' || required.has(name),
    schema: property,
    ...(typeof property['description'] === 'string'
      ? { description: property['description'] }
      : {}),
  }));
}

/** The OpenAPI 3.1 document of the given routes, built from the schemas that validate them. */
export function buildOpenApi(routes: readonly Route[], info: { version: string }): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of routes) {
    const responses: Record<string, JsonSchema> = {};
    for (const [status, response] of Object.entries(route.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema
          ? { content: { 'application/json': { schema: toSchema(response.schema, 'output') } } }
          : {}),
        ...(response.headers
          ? {
              headers: Object.fromEntries(
                response.headers.map((h) => [h, { schema: { type: 'string' } }]),
              ),
            }
          : {}),
      };
    }
    const applicable = route.auth ? Object.keys(ERROR_RESPONSES) : [];
    for (const status of applicable) {
      if (status === '412' && !route.requestHeaders?.includes('If-Match')) continue;
      if (status === '422' && !route.requestHeaders?.includes('Idempotency-Key')) continue;
      if ((status === '413' || status === '415') && !route.body) continue;
      responses[status] = { $ref: `#/components/responses/Problem${status}` };
    }
    const operation: JsonSchema = {
      operationId: route.operationId,
      summary: route.summary,
      tags: [route.tag],
      parameters: [
        ...parametersOf(route.params, 'path'),
        ...parametersOf(route.query, 'query'),
        ...(route.requestHeaders ?? []).map((name) => ({
          name,
          in: 'header',
          required: false,
          ...HEADER_DOCS[name],
        })),
      ],
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: toSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses,
      security: route.auth ? [{ bearerAuth: [] }] : [],
    };
    paths[route.path] = { ...paths[route.path], [route.method.toLowerCase()]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Taskflow API',
      version: info.version,
      description:
        'Event-driven, real-time collaborative task management. Errors are RFC 9457 problem documents.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    paths,
    components: {
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Problem: toSchema(ProblemSchema, 'output') },
      responses: Object.fromEntries(
        Object.entries(ERROR_RESPONSES).map(([status, description]) => [
          `Problem${status}`,
          {
            description,
            content: {
              'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } },
            },
          },
        ]),
      ),
    },
  };
}
