type JsonSchema = Record<string, unknown>;

/** Security requirements an operation can have. */
export const SECURITY = {
  none: [],
  bearer: [{ bearerAuth: [] }],
  /** Either a bearer token or a stream ticket (browsers' EventSource cannot send headers). */
  bearerOrTicket: [{ bearerAuth: [] }, { streamTicket: [] }],
} as const;

/**
 * What a route's own declarations cannot say about its operation (`Route.openApi`). Most
 * operations need none: security follows `Route.auth`, responses are JSON, and every response
 * carries `X-Request-Id`.
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
