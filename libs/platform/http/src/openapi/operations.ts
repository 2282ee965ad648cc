type JsonSchema = Record<string, unknown>;

/** Security requirements an operation can have. */
export const SECURITY = {
  none: [],
  bearer: [{ bearerAuth: [] }],
  /** Either a bearer token or a stream ticket (browsers' EventSource cannot send headers). */
  bearerOrTicket: [{ bearerAuth: [] }, { streamTicket: [] }],
} as const;

/**
 * What the routes' own declarations cannot say about an operation, by operationId. Most
 * operations need nothing here: security follows `Route.auth`, responses are JSON, and every
 * response carries `X-Request-Id`.
 */
export interface OperationOverride {
  readonly security?: keyof typeof SECURITY;
  /** Request headers read by a transport rather than the route (see `REQUEST_HEADERS`). */
  readonly requestHeaders?: readonly string[];
  /** Query parameters already described by a security scheme, left out of `parameters`. */
  readonly securityParameters?: readonly string[];
  /** Non-JSON (or schema-less) success bodies, by status. */
  readonly content?: Readonly<Record<number, { mediaType: string; schema: JsonSchema }>>;
  /** False where responses do not pass the HTTP core that adds `CORE_RESPONSE_HEADERS`. */
  readonly coreHeaders?: boolean;
}

/** The overrides, by operationId. */
export const OPERATION_OVERRIDES: Readonly<Record<string, OperationOverride>> = {
  getOpenApi: {
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
  streamProjectEvents: {
    // The SSE transport authenticates itself (StreamGate), before the HTTP core.
    security: 'bearerOrTicket',
    requestHeaders: ['Last-Event-ID'],
    securityParameters: ['ticket'],
    content: {
      200: {
        mediaType: 'text/event-stream',
        schema: {
          type: 'string',
          description:
            'Server-Sent Events: first `retry:`, then `event: stream.open` once the stream is live; each event as `id:` (its resume position), `event:` (its type) and `data:` (its envelope as JSON); `: heartbeat` comments while idle; `event: stream.end` with a `reason` when the server ends it (membership revoked, shutdown).',
        },
      },
    },
  },
};
