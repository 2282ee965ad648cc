/**
 * Reads started before the app's code has loaded (the board's first page, its project), for the
 * API client to take instead of sending them again: the start-up script is small, so they go out
 * while the rest of the app is still being fetched and parsed. Each is taken once, by the same
 * token and URL; one not taken is simply dropped with the page.
 */
const started = new Map<string, Promise<Response>>();

const keyOf = (token: string, url: string): string => `${token} ${url}`;

/** Starts `GET url` with the bearer `token`, as the API client would send it. */
export function startRead(token: string, url: string): void {
  const response = fetch(url, {
    headers: { accept: 'application/json', authorization: `Bearer ${token}` },
  });
  // A failure is the taker's to see (the client's own error handling); none goes unhandled.
  response.catch(() => undefined);
  started.set(keyOf(token, url), response);
}

/** The response of a read {@link startRead} started with this token and URL, once; else undefined. */
export function takeRead(token: string, url: string): Promise<Response> | undefined {
  const key = keyOf(token, url);
  const response = started.get(key);
  started.delete(key);
  return response;
}
