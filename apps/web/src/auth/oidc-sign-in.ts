import { codeChallengeS256, fromBase64url, randomToken } from './pkce';
import type { WebAuthConfig } from './web-config';

/** The board's OIDC settings (the `oidc` kind of {@link WebAuthConfig}). */
export type OidcConfig = Extract<WebAuthConfig, { kind: 'oidc' }>;

/** The storage a sign-in in flight is kept in: the tab's session storage in the browser. */
export type SignInStore = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

/** Where the provider sends the browser back, on the board's own origin. */
export const CALLBACK_PATH = '/auth/callback';

/** The key of the sign-in in flight in session storage. */
export const PENDING_SIGN_IN_KEY = 'taskflow.oidc.pending';

/** A sign-in older than this is refused at the callback: the person started it too long ago. */
export const PENDING_SIGN_IN_MAX_AGE_MS = 10 * 60 * 1000;

/** How far the provider's clock may lag this one when checking the ID token's `exp`. */
const CLOCK_SKEW_MS = 60 * 1000;

/** What a sign-in in flight remembers between the redirect and the callback. */
interface PendingSignIn {
  readonly state: string;
  readonly verifier: string;
  readonly nonce: string;
  /** The board's place (its `#/…` hash) to come back to. */
  readonly returnTo: string;
  readonly startedAt: number;
}

/** Why a callback cannot complete the sign-in; each has a sentence for the person. */
export type SignInErrorCode =
  | 'PROVIDER_ERROR'
  | 'STATE_MISSING'
  | 'STATE_MISMATCH'
  | 'SIGN_IN_EXPIRED'
  | 'CODE_MISSING'
  | 'TOKEN_UNREACHABLE'
  | 'TOKEN_REFUSED'
  | 'ID_TOKEN_MISSING'
  | 'ID_TOKEN_MALFORMED'
  | 'NONCE_MISMATCH'
  | 'AUDIENCE_MISMATCH'
  | 'ID_TOKEN_EXPIRED';

/** A sign-in that did not complete; `code` is stable, the message is for the person. */
export class SignInError extends Error {
  constructor(
    readonly code: SignInErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignInError';
  }
}

/** A completed exchange: the ID token the API verifies, and when it expires. */
export interface OidcTokens {
  readonly idToken: string;
  readonly expiresAt: string;
  /** The `#/…` place the person was at when they started signing in. */
  readonly returnTo: string;
}

/**
 * Starts a sign-in: a fresh state, PKCE verifier and nonce are kept in `store` (the tab's
 * session storage, never a URL or a cookie), and the authorization URL to send the browser to
 * is returned (authorization code flow, S256 challenge).
 */
export async function beginSignIn(
  config: OidcConfig,
  origin: string,
  store: SignInStore,
  options: { readonly returnTo?: string; readonly now?: number } = {},
): Promise<string> {
  const pending: PendingSignIn = {
    state: randomToken(),
    verifier: randomToken(),
    nonce: randomToken(),
    returnTo: safeReturnTo(options.returnTo ?? ''),
    startedAt: options.now ?? Date.now(),
  };
  store.setItem(PENDING_SIGN_IN_KEY, JSON.stringify(pending));
  const url = new URL(config.authorizeUrl);
  const params = {
    response_type: 'code',
    client_id: config.clientId,
    redirect_uri: `${origin}${CALLBACK_PATH}`,
    scope: config.scopes.join(' '),
    state: pending.state,
    code_challenge: await codeChallengeS256(pending.verifier),
    code_challenge_method: 'S256',
    nonce: pending.nonce,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.toString();
}

/**
 * Completes a sign-in at the callback: the provider's answer (`search`, the callback URL's
 * query) must carry the state this tab sent; the code is exchanged with the PKCE verifier at
 * the token endpoint, and the ID token's nonce, audience and expiry are checked (its signature
 * is the API's to verify). The sign-in in flight is used up whatever the outcome: a callback
 * cannot be replayed. Throws a {@link SignInError}.
 */
export async function completeSignIn(
  config: OidcConfig,
  origin: string,
  search: string,
  store: SignInStore,
  options: { readonly fetcher?: typeof fetch; readonly now?: number } = {},
): Promise<OidcTokens> {
  const now = options.now ?? Date.now();
  const params = new URLSearchParams(search);
  const pending = takePending(store);
  const error = params.get('error');
  if (error !== null) {
    const description = params.get('error_description');
    throw new SignInError(
      'PROVIDER_ERROR',
      `The identity provider did not sign you in (${error}${description === null ? '' : `: ${description}`}).`,
    );
  }
  if (pending === null)
    throw new SignInError(
      'STATE_MISSING',
      'This sign-in was not started in this tab, or it was already used.',
    );
  const state = params.get('state');
  if (state === null || state !== pending.state)
    throw new SignInError(
      'STATE_MISMATCH',
      'The answer of the identity provider does not belong to the sign-in this tab started.',
    );
  if (now - pending.startedAt > PENDING_SIGN_IN_MAX_AGE_MS)
    throw new SignInError('SIGN_IN_EXPIRED', 'This sign-in took too long.');
  const code = params.get('code');
  if (code === null || code === '')
    throw new SignInError('CODE_MISSING', 'The identity provider sent no authorization code.');
  const idToken = await exchangeCode(config, origin, code, pending.verifier, options.fetcher);
  const claims = idTokenClaims(idToken);
  if (claims['nonce'] !== pending.nonce)
    throw new SignInError('NONCE_MISMATCH', 'The ID token was not issued for this sign-in.');
  const audience = claims['aud'];
  if (!(
    audience === config.clientId ||
    (Array.isArray(audience) && audience.includes(config.clientId))
  ))
    throw new SignInError('AUDIENCE_MISMATCH', 'The ID token was issued to another application.');
  const exp = claims['exp'];
  if (typeof exp !== 'number' || exp * 1000 + CLOCK_SKEW_MS <= now)
    throw new SignInError('ID_TOKEN_EXPIRED', 'The ID token has already expired.');
  return { idToken, expiresAt: new Date(exp * 1000).toISOString(), returnTo: pending.returnTo };
}

/**
 * Where Sign out sends the browser: the provider's logout endpoint, which ends its own session
 * and comes back to the board (Cognito's `client_id` and `logout_uri`); null without one.
 */
export function signOutUrl(config: OidcConfig, origin: string): string | null {
  if (config.logoutUrl === undefined) return null;
  const url = new URL(config.logoutUrl);
  url.searchParams.set('client_id', config.clientId);
  url.searchParams.set('logout_uri', `${origin}/`);
  return url.toString();
}

/** The sign-in in flight, removed from the store (null when none, or unreadable). */
function takePending(store: SignInStore): PendingSignIn | null {
  const raw = store.getItem(PENDING_SIGN_IN_KEY);
  store.removeItem(PENDING_SIGN_IN_KEY);
  if (raw === null) return null;
  try {
    const value = JSON.parse(raw) as Partial<PendingSignIn>;
    return typeof value.state === 'string' &&
      typeof value.verifier === 'string' &&
      typeof value.nonce === 'string' &&
      typeof value.startedAt === 'number'
      ? {
          state: value.state,
          verifier: value.verifier,
          nonce: value.nonce,
          returnTo: safeReturnTo(value.returnTo ?? ''),
          startedAt: value.startedAt,
        }
      : null;
  } catch {
    return null;
  }
}

// Only the board's own hash routes: the place to return to never names another page or origin.
function safeReturnTo(hash: string): string {
  return /^#\/[\w\-/?=&%.~+,]*$/.test(hash) ? hash : '';
}

async function exchangeCode(
  config: OidcConfig,
  origin: string,
  code: string,
  verifier: string,
  fetcher: typeof fetch = fetch,
): Promise<string> {
  let response: Response;
  try {
    response = await fetcher(config.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        client_id: config.clientId,
        code,
        redirect_uri: `${origin}${CALLBACK_PATH}`,
        code_verifier: verifier,
      }).toString(),
    });
  } catch {
    throw new SignInError('TOKEN_UNREACHABLE', 'The identity provider could not be reached.');
  }
  let body: Readonly<Record<string, unknown>> = {};
  try {
    const parsed: unknown = JSON.parse(await response.text());
    if (typeof parsed === 'object' && parsed !== null) body = parsed as Record<string, unknown>;
  } catch {
    // A body that is not JSON says nothing more than the status.
  }
  if (!response.ok) {
    const error = typeof body['error'] === 'string' ? body['error'] : String(response.status);
    throw new SignInError(
      'TOKEN_REFUSED',
      `The identity provider refused to complete the sign-in (${error}).`,
    );
  }
  const idToken = body['id_token'];
  if (typeof idToken !== 'string' || idToken === '')
    throw new SignInError(
      'ID_TOKEN_MISSING',
      'The identity provider sent no ID token (is the openid scope allowed?).',
    );
  return idToken;
}

/** The claims of a JWT's payload, unverified (the API checks the signature). */
export function idTokenClaims(token: string): Readonly<Record<string, unknown>> {
  const parts = token.split('.');
  try {
    if (parts.length !== 3) throw new Error('not a JWT');
    const payload: unknown = JSON.parse(new TextDecoder().decode(fromBase64url(parts[1] ?? '')));
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload))
      throw new Error('not a claims object');
    return payload as Record<string, unknown>;
  } catch {
    throw new SignInError(
      'ID_TOKEN_MALFORMED',
      'The identity provider sent an unreadable ID token.',
    );
  }
}
