/** A request as every transport (Express, API Gateway) hands it to the API. */
export interface HttpRequest {
  readonly method: string;
  /** Path without query string, e.g. `/tasks/123`. */
  readonly path: string;
  /** Query parameters; a parameter given twice has several values. */
  readonly query: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Raw body bytes or text, or null when there is none. */
  readonly body: Buffer | string | null;
}

/** A response for the transport to write. `body` is JSON-serialisable, or undefined for none. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: unknown;
}

/** Largest accepted request body, in bytes. */
export const MAX_BODY_BYTES = 1024 * 1024;
