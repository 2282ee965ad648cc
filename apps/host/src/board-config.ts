import type { HostConfig } from './config';

/**
 * The board's runtime configuration, as `/config.json` serves it: the same contract the web
 * stack deploys beside the board on AWS (`apps/web/src/auth/web-config.ts` reads it).
 */
export interface BoardConfig {
  /** '' = the API is on the board's origin; else an absolute URL without a trailing slash. */
  readonly apiUrl: string;
  readonly auth:
    | { readonly kind: 'dev' }
    | {
        readonly kind: 'oidc';
        readonly authorizeUrl: string;
        readonly tokenUrl: string;
        readonly logoutUrl?: string;
        readonly clientId: string;
        readonly scopes: readonly string[];
      };
}

/**
 * What the host tells its board: sign in at the configured identity provider, else with the
 * development sign-in when it is served; null when the board has no way to sign in (then
 * `/config.json` is not served and the board says so).
 */
export function boardConfigOf(
  config: Pick<HostConfig, 'webOidc' | 'devSignIn'>,
): BoardConfig | null {
  const oidc = config.webOidc;
  if (oidc !== null)
    return {
      apiUrl: '',
      auth: {
        kind: 'oidc',
        authorizeUrl: oidc.authorizeUrl,
        tokenUrl: oidc.tokenUrl,
        ...(oidc.logoutUrl === null ? {} : { logoutUrl: oidc.logoutUrl }),
        clientId: oidc.clientId,
        scopes: oidc.scopes,
      },
    };
  return config.devSignIn ? { apiUrl: '', auth: { kind: 'dev' } } : null;
}
