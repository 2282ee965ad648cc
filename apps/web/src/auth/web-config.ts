/** How the board signs in: the host's development sign-in, or an OpenID Connect provider. */
export type WebAuthConfig =
  | { readonly kind: 'dev' }
  | {
      readonly kind: 'oidc';
      /** The provider's authorization endpoint (Cognito: `https://<domain>/oauth2/authorize`). */
      readonly authorizeUrl: string;
      /** Its token endpoint, called from the browser (it must allow the board's origin). */
      readonly tokenUrl: string;
      /** Where Sign out goes (Cognito: `https://<domain>/logout`); absent: the board only forgets. */
      readonly logoutUrl?: string;
      /** The board's public client id (no secret: PKCE stands in for one). */
      readonly clientId: string;
      /** Always with `openid`: the ID token is what the API verifies. */
      readonly scopes: readonly string[];
    };

/**
 * The board's runtime configuration, read from `/config.json` at start: the local host serves
 * one, the web stack deploys one beside the board on AWS. One build runs everywhere.
 */
export interface WebConfig {
  /** '' = the API is on the board's origin; else an absolute URL without a trailing slash. */
  readonly apiUrl: string;
  readonly auth: WebAuthConfig;
  /**
   * Where the board follows a project live. Absent or '' = the API's Server-Sent Events stream
   * (the local host: it resumes where it left off). Else the absolute `wss://` URL of an API
   * Gateway WebSocket stage (`ws://` only for localhost), without a trailing slash: on AWS the
   * REST API cannot stream, and the WebSocket API carries the same events without resume.
   */
  readonly liveUrl?: string;
}

/** Where the board reads its configuration. */
export const WEB_CONFIG_PATH = '/config.json';

/** A configuration the board cannot start with; the message says which field and why. */
export class WebConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebConfigError';
  }
}

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An absolute http(s) URL, or a problem naming `field`. */
function absoluteUrl(value: unknown, field: string): string {
  if (typeof value !== 'string') throw new WebConfigError(`${field} must be a string`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WebConfigError(`${field} must be an absolute URL (got "${value}")`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new WebConfigError(`${field} must be an http(s) URL (got "${value}")`);
  return value;
}

/** Hosts a plain `ws://` URL may name: the developer's own machine, never the network. */
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** A WebSocket URL (`wss://`, or `ws://` on a loopback host) for `liveUrl`, or a problem. */
function liveUrlOf(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string')
    throw new WebConfigError('liveUrl must be a string ("" for the API’s own stream)');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new WebConfigError(`liveUrl must be an absolute wss:// URL (got "${value}")`);
  }
  const secure = url.protocol === 'wss:';
  const local = url.protocol === 'ws:' && LOOPBACK_HOSTS.has(url.hostname);
  if (!secure && !local)
    throw new WebConfigError(
      url.protocol === 'ws:'
        ? `liveUrl must be a wss:// URL: ws:// is for localhost only (got "${value}")`
        : `liveUrl must be a wss:// URL (got "${value}")`,
    );
  if (url.search !== '' || url.hash !== '')
    throw new WebConfigError(
      `liveUrl must have no query or fragment: the board adds projectId and ticket (got "${value}")`,
    );
  if (value.endsWith('/')) throw new WebConfigError('liveUrl must not end with a slash');
  return value;
}

function parseAuth(value: unknown): WebAuthConfig {
  if (!isRecord(value)) throw new WebConfigError('auth must be an object');
  if (value['kind'] === 'dev') return { kind: 'dev' };
  if (value['kind'] !== 'oidc') throw new WebConfigError('auth.kind must be "dev" or "oidc"');
  const clientId = value['clientId'];
  if (typeof clientId !== 'string' || clientId.trim() === '')
    throw new WebConfigError('auth.clientId must be a non-empty string');
  const scopes = value['scopes'];
  if (
    !Array.isArray(scopes) ||
    !scopes.every((scope): scope is string => typeof scope === 'string' && /^\S+$/.test(scope))
  )
    throw new WebConfigError('auth.scopes must be a list of scopes (strings without spaces)');
  if (!scopes.includes('openid'))
    throw new WebConfigError('auth.scopes must include "openid" (the API verifies the ID token)');
  const logoutUrl = value['logoutUrl'];
  return {
    kind: 'oidc',
    authorizeUrl: absoluteUrl(value['authorizeUrl'], 'auth.authorizeUrl'),
    tokenUrl: absoluteUrl(value['tokenUrl'], 'auth.tokenUrl'),
    ...(logoutUrl === undefined ? {} : { logoutUrl: absoluteUrl(logoutUrl, 'auth.logoutUrl') }),
    clientId,
    scopes,
  };
}

/** The configuration in `value`, checked field by field; else a {@link WebConfigError}. */
export function parseWebConfig(value: unknown): WebConfig {
  if (!isRecord(value)) throw new WebConfigError('the configuration must be a JSON object');
  const apiUrl = value['apiUrl'];
  if (typeof apiUrl !== 'string')
    throw new WebConfigError('apiUrl must be a string ("" for the board’s own origin)');
  if (apiUrl !== '') {
    absoluteUrl(apiUrl, 'apiUrl');
    if (apiUrl.endsWith('/')) throw new WebConfigError('apiUrl must not end with a slash');
  }
  const auth = parseAuth(value['auth']);
  const liveUrl = liveUrlOf(value['liveUrl']);
  return liveUrl === undefined ? { apiUrl, auth } : { apiUrl, auth, liveUrl };
}

/**
 * Reads and checks the board's configuration, never from a cache (it says where to sign in,
 * and changes with a deployment that keeps the board's files).
 */
export async function loadWebConfig(fetcher: typeof fetch = fetch): Promise<WebConfig> {
  let response: Response;
  try {
    response = await fetcher(WEB_CONFIG_PATH, {
      cache: 'no-cache',
      headers: { accept: 'application/json' },
    });
  } catch {
    throw new WebConfigError(`${WEB_CONFIG_PATH} could not be reached`);
  }
  if (!response.ok)
    throw new WebConfigError(`${WEB_CONFIG_PATH} answered ${String(response.status)}`);
  let body: unknown;
  try {
    body = JSON.parse(await response.text());
  } catch {
    throw new WebConfigError(`${WEB_CONFIG_PATH} is not JSON`);
  }
  return parseWebConfig(body);
}
