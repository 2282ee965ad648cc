type JsonSchema = Record<string, unknown>;

/** A documented header: what it means, whether it is always sent, and its value's shape. */
export interface HeaderDoc {
  readonly description: string;
  /** Response headers: sent on every response that lists it. Request headers: always optional. */
  readonly required: boolean;
  readonly schema: JsonSchema;
}

/** A header whose value is a string of `shape`, sent on every response listing it if `required`. */
function stringHeader(description: string, shape: JsonSchema, required = true): HeaderDoc {
  return { description, required, schema: { type: 'string', ...shape } };
}

/**
 * Response headers, emitted once under `components/headers` (keyed by their wire name) and
 * referenced by every response that sends them. Values are checked as strings on the wire, so
 * each schema is a string with the pattern the server keeps to.
 */
export const RESPONSE_HEADERS: Readonly<Record<string, HeaderDoc>> = {
  'X-Request-Id': stringHeader(
    'The request’s id in the logs: the caller’s own `X-Request-Id` when it is 1–128 of `A-Za-z0-9._:-`, a new UUID otherwise.',
    { pattern: '^[A-Za-z0-9._:-]{1,128}$' },
  ),
  ETag: stringHeader(
    'A strong entity tag. For a resource with a `version`, that version quoted (`"3"`): what If-Match and If-None-Match take. For this document, a hash of its content.',
    { pattern: '^"[\\x21\\x23-\\x7e]+"$' },
  ),
  Location: stringHeader('Path of the resource created or changed.', {
    format: 'uri-reference',
    pattern: '^/',
  }),
  'Idempotent-Replayed': stringHeader(
    'Present when this is the stored first response to the same `Idempotency-Key` and body, replayed without a second write.',
    { enum: ['true'] },
    false,
  ),
  'Retry-After': stringHeader('Seconds to wait before retrying.', { pattern: '^[0-9]+$' }),
  'WWW-Authenticate': stringHeader('The authentication scheme to use (RFC 9110).', {
    pattern: '^Bearer\\b',
  }),
  Allow: stringHeader('The methods this path has, comma-separated.', {
    pattern: '^[A-Z]+(, ?[A-Z]+)*$',
  }),
  'Cache-Control': stringHeader(
    '`no-store` (authenticated data stays out of every cache) unless the resource says otherwise: `no-cache` for this document (revalidate with If-None-Match).',
    { pattern: '^no-(store|cache)\\b' },
  ),
  'X-Content-Type-Options': stringHeader('Browsers must not sniff another media type.', {
    enum: ['nosniff'],
  }),
  'Referrer-Policy': stringHeader('No URL (stream tickets ride in URLs) leaks as a referrer.', {
    enum: ['no-referrer'],
  }),
  'Content-Security-Policy': stringHeader(
    'A browser rendering a response may not run, load or frame anything.',
    { pattern: "default-src 'none'" },
  ),
};

/**
 * Headers the HTTP core adds to every response it sends (a header it starts adding everywhere is
 * one more name here, plus its entry in {@link RESPONSE_HEADERS}).
 */
export const CORE_RESPONSE_HEADERS: readonly string[] = [
  'X-Request-Id',
  'Cache-Control',
  'X-Content-Type-Options',
  'Referrer-Policy',
  'Content-Security-Policy',
];

/** Request headers a route can declare it reads (`Route.requestHeaders`), or an override adds. */
export const REQUEST_HEADERS: Readonly<Record<string, Omit<HeaderDoc, 'required'>>> = {
  'If-Match': {
    description:
      'ETag of the version the change is based on (`*` for any); a stale one answers 412 and changes nothing.',
    schema: { type: 'string', minLength: 1, examples: ['"3"'] },
  },
  'Idempotency-Key': {
    description:
      'Retry-safe key: the same key and body within 24 h returns the first response without a second write; another body answers 422.',
    schema: {
      type: 'string',
      pattern: '^[\\x21-\\x7e]{1,255}$',
      examples: ['6c1e0d9a-create-task'],
    },
  },
  'If-None-Match': {
    description:
      'ETags the client holds (`*` for any): when the current one is among them, 304 without a body.',
    schema: { type: 'string', minLength: 1, examples: ['"3"'] },
  },
  'Last-Event-ID': {
    description:
      'The `id:` of the last event received: the stream resumes right after it, with no gap and no repeat.',
    schema: {
      type: 'string',
      minLength: 1,
      examples: ['7342.0b4c3a8e-1f7d-4f11-9a57-3d1e2c4b5a69'],
    },
  },
};
