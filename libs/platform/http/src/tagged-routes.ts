import { etagOf } from './preconditions';
import { json, route, type Route } from './route';
import type { HttpResponse } from './http-types';

/** A route of {@link authenticatedRoute}: everything but the tag and `auth`, said once for all. */
export type TaggedRouteDefinition<P, Q, B> = Omit<Route<P, Q, B>, 'tag' | 'auth'>;

/**
 * Declares the authenticated routes of one OpenAPI tag (a context's routes): what the returned
 * function gets is a {@link route} but for its `tag` and `auth: true`.
 */
export function authenticatedRoute(
  tag: string,
): <P = undefined, Q = undefined, B = undefined>(
  definition: TaggedRouteDefinition<P, Q, B>,
) => Route {
  return (definition) => route({ ...definition, tag, auth: true });
}

/** A JSON response of a versioned resource, with its version as the ETag (after `headers`). */
export function versionedJson(
  status: number,
  resource: { readonly version: number },
  headers: Record<string, string> = {},
): HttpResponse {
  return json(status, resource, { ...headers, etag: etagOf(resource.version) });
}
