import type { Route } from './route';

/** The outcome of matching a request line against the routes. */
export type RouteMatch =
  | { readonly kind: 'found'; readonly route: Route; readonly params: Record<string, string> }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
}

/** Matches paths segment by segment; `{name}` segments capture. First declared route wins. */
export class Router {
  private readonly compiled: readonly CompiledRoute[];

  constructor(routes: readonly Route[]) {
    this.compiled = routes.map((route) => ({
      route,
      segments: route.path.split('/').filter(Boolean),
    }));
  }

  match(method: string, path: string): RouteMatch {
    const segments = path.split('/').filter(Boolean);
    const allowed: string[] = [];
    for (const { route, segments: pattern } of this.compiled) {
      const params = matchSegments(pattern, segments);
      if (params === null) continue;
      if (route.method === method.toUpperCase()) return { kind: 'found', route, params };
      allowed.push(route.method);
    }
    return allowed.length > 0
      ? { kind: 'method-not-allowed', allowed: [...new Set(allowed)] }
      : { kind: 'not-found' };
  }
}

function matchSegments(
  pattern: readonly string[],
  actual: readonly string[],
): Record<string, string> | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i += 1) {
    const expected = pattern[i] ?? '';
    const value = actual[i] ?? '';
    if (expected.startsWith('{')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(value);
      } catch {
        return null;
      }
      params[expected.slice(1, -1)] = decoded;
    } else if (expected !== value) {
      return null;
    }
  }
  return params;
}
