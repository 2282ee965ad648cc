import type { Route } from './route';

/** The outcome of matching a request line against the routes. */
export type RouteMatch =
  | {
      readonly kind: 'found';
      readonly route: Route;
      readonly params: Record<string, string>;
      /** Path parameters whose percent-encoding is broken (their raw text is in `params`). */
      readonly malformed: readonly string[];
    }
  | { readonly kind: 'method-not-allowed'; readonly allowed: readonly string[] }
  | { readonly kind: 'not-found' };

interface CompiledRoute {
  readonly route: Route;
  readonly segments: readonly string[];
}

/**
 * Matches paths segment by segment; `{name}` segments capture. First declared route wins.
 * HEAD is served by the GET route of a path (RFC 9110 §9.3.2).
 */
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
    const wanted = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const allowed: string[] = [];
    for (const { route, segments: pattern } of this.compiled) {
      const matched = matchSegments(pattern, segments);
      if (matched === null) continue;
      if (route.method === wanted) return { kind: 'found', route, ...matched };
      allowed.push(route.method);
    }
    return allowed.length > 0
      ? { kind: 'method-not-allowed', allowed: withImplied(allowed) }
      : { kind: 'not-found' };
  }

  /** The methods a path answers (with HEAD and OPTIONS), or null when no route has the path. */
  methodsOf(path: string): readonly string[] | null {
    const segments = path.split('/').filter(Boolean);
    const methods = this.compiled
      .filter(({ segments: pattern }) => matchSegments(pattern, segments) !== null)
      .map(({ route }) => route.method);
    return methods.length > 0 ? withImplied(methods) : null;
  }
}

function withImplied(methods: readonly string[]): readonly string[] {
  const all = new Set(methods);
  if (all.has('GET')) all.add('HEAD');
  all.add('OPTIONS');
  return [...all];
}

function matchSegments(
  pattern: readonly string[],
  actual: readonly string[],
): { params: Record<string, string>; malformed: string[] } | null {
  if (pattern.length !== actual.length) return null;
  const params: Record<string, string> = {};
  const malformed: string[] = [];
  for (let i = 0; i < pattern.length; i += 1) {
    const expected = pattern[i] ?? '';
    const value = actual[i] ?? '';
    if (expected.startsWith('{')) {
      const name = expected.slice(1, -1);
      try {
        params[name] = decodeURIComponent(value);
      } catch {
        // The path has this route's shape: answer 400 naming the parameter, not "no route".
        params[name] = value;
        malformed.push(name);
      }
    } else if (expected !== value) {
      return null;
    }
  }
  return { params, malformed };
}
