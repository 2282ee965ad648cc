/** The scopes the board asks the hosted UI for: the ID token's `email` and `name` claims. */
export const BOARD_SCOPES = ['openid', 'email', 'profile'] as const;

/**
 * `config.json`, which the board reads at start-up to find the API and its sign-in. The web
 * app sends `redirect_uri = location.origin + '/auth/callback'` and, on logout,
 * `logout_uri = location.origin + '/'` (both registered on the user pool client).
 */
export interface BoardConfig {
  /** The API's base URL without a trailing slash; `""` would mean the board's own origin. */
  readonly apiUrl: string;
  /**
   * The realtime stack's WebSocket stage (`wss://<id>.execute-api.<region>.<suffix>/<stage>`):
   * the REST API's SSE route answers 501 on AWS, so the board follows projects here.
   */
  readonly liveUrl: string;
  readonly auth: {
    readonly kind: 'oidc';
    readonly authorizeUrl: string;
    readonly tokenUrl: string;
    readonly logoutUrl: string;
    readonly clientId: string;
    readonly scopes: readonly string[];
  };
}

/**
 * What {@link boardConfig} is made from: the API's base URL, the WebSocket stage's URL and the
 * user pool's web client.
 */
export interface BoardConfigSource {
  readonly apiUrl: string;
  readonly liveUrl: string;
  /** The hosted UI's base URL (`https://<prefix>.auth.<region>.amazoncognito.com`). */
  readonly hostedUiUrl: string;
  readonly clientId: string;
}

/** The board's `config.json` (values may be deploy-time tokens; the web stack resolves them). */
export function boardConfig(source: BoardConfigSource): BoardConfig {
  const { hostedUiUrl } = source;
  return {
    apiUrl: source.apiUrl,
    liveUrl: source.liveUrl,
    auth: {
      kind: 'oidc',
      authorizeUrl: `${hostedUiUrl}/oauth2/authorize`,
      tokenUrl: `${hostedUiUrl}/oauth2/token`,
      logoutUrl: `${hostedUiUrl}/logout`,
      clientId: source.clientId,
      scopes: [...BOARD_SCOPES],
    },
  };
}
