import { z } from 'zod';
import { componentName, componentSchemas, schemaRef } from './openapi/components';
import { REQUEST_EXAMPLES, RESPONSE_EXAMPLES, problemExample } from './openapi/examples';
import { CORE_RESPONSE_HEADERS, REQUEST_HEADERS, RESPONSE_HEADERS } from './openapi/headers';
import { OPERATION_OVERRIDES, type OperationOverride, SECURITY } from './openapi/operations';
import { PROBLEM_DESCRIPTIONS, type ProblemStatus, problemCodesOf } from './openapi/problems';
import type { Route, RouteResponse } from './route';

export { FEATURE_PROBLEMS, OPERATION_PROBLEMS, problemCodesOf } from './openapi/problems';

type JsonSchema = Record<string, unknown>;

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

const TAGS = [
  { name: 'system', description: 'Health and this description; no authentication.' },
  { name: 'users', description: 'People who can be members of projects.' },
  {
    name: 'projects',
    description: 'Projects and their members with roles (owner, editor, viewer).',
  },
  { name: 'tasks', description: 'Tasks of projects, their audit trail and their comments.' },
  { name: 'live', description: 'A project’s events as they commit, over Server-Sent Events.' },
];

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  // The document declares the dialect once (jsonSchemaDialect); per-schema $schema is noise.
  delete json['$schema'];
  return json;
};

/** A response schema: a `$ref` to its component when it has a name, inline otherwise. */
const responseSchema = (schema: z.ZodType): JsonSchema => {
  const name = componentName(schema);
  return name === undefined ? toSchema(schema, 'output') : schemaRef(name);
};

const headerRef = (name: string): JsonSchema => {
  if (RESPONSE_HEADERS[name] === undefined) throw new Error(`headers.ts does not document ${name}`);
  return { $ref: `#/components/headers/${name}` };
};

const headersOf = (names: readonly string[]): JsonSchema =>
  Object.fromEntries([...new Set(names)].map((name) => [name, headerRef(name)]));

function parametersOf(
  schema: z.ZodType | undefined,
  location: 'path' | 'query',
  leaveOut: readonly string[],
): JsonSchema[] {
  if (!schema) return [];
  const json = toSchema(schema, 'input');
  const properties = (json['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((json['required'] ?? []) as string[]);
  return Object.entries(properties)
    .filter(([name]) => !leaveOut.includes(name))
    .map(([name, property]) => ({
      name,
      in: location,
      required: location === 'path' || required.has(name),
      schema: property,
      ...(typeof property['description'] === 'string'
        ? { description: property['description'] }
        : {}),
    }));
}

/** The success (and other non-problem) responses a route declares. */
function declaredResponse(
  route: Route,
  status: number,
  response: RouteResponse,
  override: OperationOverride,
  common: readonly string[],
): JsonSchema {
  const content = override.content?.[status];
  const example = RESPONSE_EXAMPLES[route.operationId]?.[status];
  const schema = content?.schema ?? (response.schema ? responseSchema(response.schema) : undefined);
  const replayable = status < 300 && route.requestHeaders?.includes('Idempotency-Key') === true;
  return {
    description: response.description,
    headers: headersOf([
      ...common,
      ...(response.headers ?? []),
      ...(replayable ? ['Idempotent-Replayed'] : []),
    ]),
    ...(schema
      ? {
          content: {
            [content?.mediaType ?? 'application/json']: {
              schema,
              ...(example === undefined ? {} : { example }),
            },
          },
        }
      : {}),
  };
}

/** A problem response: the Problem schema narrowed to this status and these codes. */
function problemResponseDoc(
  status: keyof typeof PROBLEM_DESCRIPTIONS,
  codes: readonly string[],
  description: string,
  common: readonly string[],
): JsonSchema {
  const extraHeaders =
    status === 401 ? ['WWW-Authenticate'] : status === 503 ? ['Retry-After'] : [];
  return {
    description,
    headers: headersOf([...common, ...extraHeaders]),
    content: {
      [PROBLEM_MEDIA_TYPE]: {
        schema: {
          ...schemaRef('Problem'),
          type: 'object',
          properties: { status: { const: status }, code: { enum: codes } },
        },
        examples: Object.fromEntries(
          codes.map((code) => [code, { value: problemExample(status, code) }]),
        ),
      },
    },
  };
}

function operationOf(route: Route): JsonSchema {
  const override = OPERATION_OVERRIDES[route.operationId] ?? {};
  const common = override.coreHeaders === false ? [] : CORE_RESPONSE_HEADERS;
  const problems = problemCodesOf(route);
  const responses: Record<string, JsonSchema> = {};
  for (const [key, response] of Object.entries(route.responses)) {
    const status = Number(key);
    if (problems.has(status as ProblemStatus)) continue;
    responses[key] = declaredResponse(route, status, response, override, common);
  }
  for (const [status, codes] of problems) {
    const description = route.responses[status]?.description ?? PROBLEM_DESCRIPTIONS[status];
    responses[String(status)] = problemResponseDoc(status, codes, description, common);
  }
  // The core answers 304 to a GET whose If-None-Match holds the ETag its 200 would carry.
  const revalidable = route.method === 'GET' && route.responses[200]?.headers?.includes('ETag');
  if (revalidable) {
    responses['304'] = {
      description: 'Not Modified: the ETag sent is current; no body',
      headers: headersOf([...common, 'ETag']),
    };
  }
  const requestHeaders = [
    ...(route.requestHeaders ?? []),
    ...(revalidable ? ['If-None-Match'] : []),
    ...(override.requestHeaders ?? []),
  ];
  const requestExample = REQUEST_EXAMPLES[route.operationId];
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    parameters: [
      ...parametersOf(route.params, 'path', []),
      ...parametersOf(route.query, 'query', override.securityParameters ?? []),
      ...requestHeaders.map((name) => {
        const doc = REQUEST_HEADERS[name];
        if (doc === undefined) throw new Error(`headers.ts does not document ${name}`);
        return { name, in: 'header', required: false, ...doc };
      }),
    ],
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: toSchema(route.body, 'input'),
                ...(requestExample === undefined ? {} : { example: requestExample }),
              },
            },
          },
        }
      : {}),
    responses,
    security: SECURITY[override.security ?? (route.auth ? 'bearer' : 'none')],
  };
}

/**
 * The OpenAPI 3.1 document of the given routes, built from the schemas that validate them and
 * the documentation beside them (openapi/*.ts: named schemas, problem codes per operation,
 * headers, examples, overrides). Problem responses list exactly the `code`s the operation can
 * answer, so a client can switch on them.
 *
 * Where a change to the API goes: a new problem code → `OPERATION_PROBLEMS` (one operation) or
 * `FEATURE_PROBLEMS` (every route with that feature); a request header → `REQUEST_HEADERS` and
 * `Route.requestHeaders`; a response header → `RESPONSE_HEADERS` and the response's `headers`
 * (or `CORE_RESPONSE_HEADERS` when the core sends it on every response); a new status such as
 * 304 → the route's `responses`; a named shape → `NAMED` in openapi/components.ts; examples →
 * openapi/examples.ts. The host's contract test fails until each is produced and conforms.
 */
export function buildOpenApi(routes: readonly Route[], info: { version: string }): JsonSchema {
  const paths: Record<string, JsonSchema> = {};
  for (const route of routes) {
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: operationOf(route),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Taskflow API',
      version: info.version,
      description: [
        'Event-driven, real-time collaborative task management.',
        '',
        'Errors are RFC 9457 problem documents (`application/problem+json`) with a stable `code`; each operation lists the codes it can answer. Every response carries `X-Request-Id`. A method a path does not list answers 405 with `Allow` (`components/responses/MethodNotAllowed`). A request the HTTP server refuses before any route is known (headers over its limit: 431; too slow to arrive: 408; not parseable HTTP: 400) gets a problem document too, without `X-Request-Id`.',
      ].join('\n'),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [{ url: '/', description: 'The host that serves this document' }],
    tags: TAGS,
    paths,
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: 'A Taskflow token, or one of the configured identity provider.',
        },
        streamTicket: {
          type: 'apiKey',
          in: 'query',
          name: 'ticket',
          description:
            'A stream ticket from POST /projects/{id}/stream-tickets, for EventSource clients that cannot send headers: valid, and reusable by reconnects, until the bearer token it was issued on expires (at most 12 h).',
        },
      },
      schemas: componentSchemas(),
      headers: Object.fromEntries(
        Object.entries(RESPONSE_HEADERS).map(([name, doc]) => [name, doc]),
      ),
      responses: {
        MethodNotAllowed: {
          description: 'The path exists but not with this method; `Allow` lists its methods.',
          headers: headersOf([...CORE_RESPONSE_HEADERS, 'Allow']),
          content: {
            [PROBLEM_MEDIA_TYPE]: {
              schema: {
                ...schemaRef('Problem'),
                type: 'object',
                properties: { status: { const: 405 }, code: { enum: ['METHOD_NOT_ALLOWED'] } },
              },
              example: problemExample(405, 'METHOD_NOT_ALLOWED'),
            },
          },
        },
      },
    },
  };
}
