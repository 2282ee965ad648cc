import { z } from 'zod';
import { Components, type NamedSchema, schemaRef } from './openapi/components';
import { CORE_PROBLEM_DETAILS, problemExample } from './openapi/examples';
import { CORE_RESPONSE_HEADERS, REQUEST_HEADERS, RESPONSE_HEADERS } from './openapi/headers';
import { SECURITY } from './openapi/operations';
import { PROBLEM_DESCRIPTIONS, type ProblemStatus, problemCodesOf } from './openapi/problems';
import type { Route, RouteResponse } from './route';
import * as S from './schemas';

export type { NamedSchema } from './openapi/components';
export { examplePage } from './openapi/examples';
export type { OperationOverride } from './openapi/operations';
export {
  FEATURE_PROBLEMS,
  type ProblemCodes,
  type ProblemStatus,
  problemCodesOf,
} from './openapi/problems';

type JsonSchema = Record<string, unknown>;

const PROBLEM_MEDIA_TYPE = 'application/problem+json';

/** A tag of the document: the name routes give (`Route.tag`) and what it groups. */
export interface OpenApiTag {
  readonly name: string;
  readonly description: string;
}

/**
 * What a context adds to the document besides its routes' own declarations (`Route.problems`,
 * `Route.examples`, `Route.openApi`): the tags its routes use, the shapes that get a name, and
 * what its problem codes typically say.
 */
export interface OpenApiDocumentation {
  /** In document order. */
  readonly tags?: readonly OpenApiTag[];
  /** Registered once under `components/schemas`; every use of one becomes a `$ref`. */
  readonly schemas?: readonly NamedSchema[];
  /** The example `detail` of each problem code its use cases raise. */
  readonly problemDetails?: Readonly<Record<string, string>>;
}

/** The HTTP core's part: the system tag, the health and problem shapes, the core's codes. */
const CORE_DOCUMENTATION: OpenApiDocumentation = {
  tags: [{ name: 'system', description: 'Health and this description; no authentication.' }],
  schemas: [
    [S.HealthResponse, 'Health'],
    [S.ProblemSchema, 'Problem'],
  ],
  problemDetails: CORE_PROBLEM_DETAILS,
};

/** Everything one document is built from, beyond the routes. */
interface DocumentParts {
  readonly components: Components;
  readonly problemDetails: Readonly<Record<string, string>>;
}

const toSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonSchema => {
  const json = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  // The document declares the dialect once (jsonSchemaDialect); per-schema $schema is noise.
  delete json['$schema'];
  return json;
};

/** A response schema: a `$ref` to its component when it has a name, inline otherwise. */
const responseSchema = (schema: z.ZodType, components: Components): JsonSchema => {
  const name = components.nameOf(schema);
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
  common: readonly string[],
  components: Components,
): JsonSchema {
  const content = route.openApi?.content?.[status];
  const example = route.examples?.responses?.[status];
  const schema =
    content?.schema ?? (response.schema ? responseSchema(response.schema, components) : undefined);
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
  problemDetails: Readonly<Record<string, string>>,
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
          codes.map((code) => [code, { value: problemExample(status, code, problemDetails) }]),
        ),
      },
    },
  };
}

function operationOf(route: Route, parts: DocumentParts): JsonSchema {
  const override = route.openApi ?? {};
  const common = override.coreHeaders === false ? [] : CORE_RESPONSE_HEADERS;
  const problems = problemCodesOf(route);
  const responses: Record<string, JsonSchema> = {};
  for (const [key, response] of Object.entries(route.responses)) {
    const status = Number(key);
    if (problems.has(status as ProblemStatus)) continue;
    responses[key] = declaredResponse(route, status, response, common, parts.components);
  }
  for (const [status, codes] of problems) {
    const description = route.responses[status]?.description ?? PROBLEM_DESCRIPTIONS[status];
    responses[String(status)] = problemResponseDoc(
      status,
      codes,
      description,
      common,
      parts.problemDetails,
    );
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
  const requestExample = route.examples?.request;
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
 * The OpenAPI 3.1 document of the given routes, built from the schemas that validate them, what
 * they declare for the document (`Route.problems`, `examples`, `openApi`) and each context's
 * {@link OpenApiDocumentation} (tags, named schemas, what its problem codes say). Problem
 * responses list exactly the `code`s the operation can answer, so a client can switch on them.
 *
 * Where a change to the API goes: a new problem code → the route's `problems` (one operation)
 * or `FEATURE_PROBLEMS` (every route with that feature), and its example detail → its context's
 * `problemDetails`; a request header → `REQUEST_HEADERS` and `Route.requestHeaders`; a response
 * header → `RESPONSE_HEADERS` and the response's `headers` (or `CORE_RESPONSE_HEADERS` when the
 * core sends it on every response); a new status such as 304 → the route's `responses`; a named
 * shape → its context's `schemas`; examples → the route's `examples`. The host's contract test
 * fails until each is produced and conforms.
 *
 * @throws when a route declares no `problems`, uses a tag no documentation describes, or can
 *   answer a problem code no documentation explains.
 */
export function buildOpenApi(
  routes: readonly Route[],
  info: { version: string },
  documentation: readonly OpenApiDocumentation[] = [],
): JsonSchema {
  const all = [CORE_DOCUMENTATION, ...documentation];
  const tags = all.flatMap((d) => d.tags ?? []);
  const parts: DocumentParts = {
    components: new Components(all.flatMap((d) => d.schemas ?? [])),
    problemDetails: Object.fromEntries(all.flatMap((d) => Object.entries(d.problemDetails ?? {}))),
  };
  const paths: Record<string, JsonSchema> = {};
  for (const route of routes) {
    if (!tags.some((tag) => tag.name === route.tag)) {
      throw new Error(
        `route ${route.operationId} has the tag ${route.tag}, which nothing describes`,
      );
    }
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: operationOf(route, parts),
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
    tags,
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
      schemas: parts.components.schemas(),
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
              example: problemExample(405, 'METHOD_NOT_ALLOWED', parts.problemDetails),
            },
          },
        },
      },
    },
  };
}
