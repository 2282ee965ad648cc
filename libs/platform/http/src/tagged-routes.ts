import { etagOf } from './preconditions';
import type { z } from 'zod';
import { json, route, type Route, type RouteResponse } from './route';
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

/**
 * The documented 201 of a route that creates a resource: its schema, the `Location` of the new
 * resource and, for a versioned one, its `ETag`.
 */
export function createdResponse(schema: z.ZodType, versioned = true): RouteResponse {
  return {
    description: 'Created',
    schema,
    headers: versioned ? ['Location', 'ETag'] : ['Location'],
  };
}

/** The documented answer with a versioned resource: its schema and its version as the `ETag`. */
export function versionedResponse(description: string, schema: z.ZodType): RouteResponse {
  return { description, schema, headers: ['ETag'] };
}
