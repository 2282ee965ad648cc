import { createHash } from 'node:crypto';
import { json, route, type Route } from './route';
import * as S from './schemas';

/** What the system routes report. */
export interface SystemRouteDependencies {
  /** True when the database answers. */
  readonly databaseUp: () => Promise<boolean>;
  readonly version: string;
  readonly region: string;
  /** The OpenAPI document (built from the same routes the API serves). */
  readonly openApi: () => unknown;
}

/** The routes of no context, without authentication: health and this API's description. */
export function systemRoutes(d: SystemRouteDependencies): Route[] {
  let openApiEtag: string | undefined;
  return [
    route({
      method: 'GET',
      path: '/health',
      operationId: 'getHealth',
      summary: 'Liveness and database reachability (no auth).',
      tag: 'system',
      auth: false,
      responses: {
        200: { description: 'Serving', schema: S.HealthResponse },
        503: {
          description: 'Database unreachable',
          schema: S.HealthResponse,
          headers: ['Retry-After'],
        },
      },
      problems: {},
      examples: {
        responses: {
          200: { status: 'ok', database: 'up', version: '0.1.0', region: 'local' },
          503: { status: 'unavailable', database: 'down', version: '0.1.0', region: 'local' },
        },
      },
      handle: async () => {
        const up = await d.databaseUp();
        return json(
          up ? 200 : 503,
          {
            status: up ? 'ok' : 'unavailable',
            database: up ? 'up' : 'down',
            version: d.version,
            region: d.region,
          },
          // A load balancer or client polling health backs off like for any other 503.
          { 'cache-control': 'no-store', ...(up ? {} : { 'retry-after': '1' }) },
        );
      },
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'getOpenApi',
      summary: 'This API’s OpenAPI 3.1 description (no auth).',
      tag: 'system',
      auth: false,
      responses: { 200: { description: 'OpenAPI document', headers: ['ETag'] } },
      problems: {},
      examples: {
        responses: {
          200: { openapi: '3.1.0', info: { title: 'Taskflow API', version: '0.1.0' }, paths: {} },
        },
      },
      openApi: {
        content: {
          200: {
            mediaType: 'application/json',
            schema: {
              type: 'object',
              required: ['openapi', 'info', 'paths'],
              properties: {
                openapi: { type: 'string', pattern: '^3\\.1\\.' },
                info: { type: 'object' },
                paths: { type: 'object' },
              },
            },
          },
        },
      },
      // The document changes only with a deployment: clients may keep it and revalidate (304).
      handle: () => {
        const document = d.openApi();
        openApiEtag ??= `"${createHash('sha256').update(JSON.stringify(document)).digest('base64url')}"`;
        return Promise.resolve(
          json(200, document, { etag: openApiEtag, 'cache-control': 'no-cache' }),
        );
      },
    }),
  ];
}
