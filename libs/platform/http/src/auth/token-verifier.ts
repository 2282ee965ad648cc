import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';

/** Who a valid token speaks for, until when (`expiresAtMs`, the token's `exp`). */
export type VerifiedIdentity = (
  | /** A token Taskflow issued itself: `sub` is the user id. */
    { readonly kind: 'local'; readonly userId: string }
    /** A token of an external identity provider (Cognito): the user is found by e-mail. */
  | {
      readonly kind: 'external';
      readonly subject: string;
      readonly email: string;
      readonly name: string | null;
    }
) & { readonly expiresAtMs: number };

/** Which tokens are accepted. */
export interface TokenVerifierConfig {
  /** Shared secret for HS256 tokens issued by Taskflow (null: none accepted). */
  readonly hs256Secret: string | null;
  readonly issuer: string;
  readonly audience: string;
  /** RS256 tokens of an external provider, keys fetched (and cached) from a JWKS URL. */
  readonly jwks: {
    readonly url: string;
    readonly issuer: string;
    readonly audience: string | null;
  } | null;
}

/**
 * A missing, malformed, expired or untrusted token, or a valid one for a user Taskflow does not
 * know (`USER_UNKNOWN`); answered 401.
 */
export class AuthenticationError extends Error {
  constructor(
    readonly code: 'TOKEN_MISSING' | 'TOKEN_INVALID' | 'TOKEN_EXPIRED' | 'USER_UNKNOWN',
    message: string,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

const BEARER = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*)$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Tokens remembered as verified, at most. */
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * How far a token's `iat` may lie ahead of this clock, in seconds: issuers' clocks drift, but a
 * token issued further in the future was minted to outlive its apparent lifetime.
 */
export const TOKEN_CLOCK_SKEW_SECONDS = 60;

/**
 * Verifies `Authorization: Bearer <JWT>` headers with `jose`. A token verified once is
 * remembered until it expires: every request of a client carries the same token, and checking
 * its signature again (the key is re-imported into WebCrypto each time) was a sixth of the
 * host's CPU per request. Stateless tokens cannot be revoked before `exp` anyway.
 */
export class TokenVerifier {
  private readonly secret: Uint8Array | null;
  private readonly remoteKeys: ReturnType<typeof createRemoteJWKSet> | null;
  private readonly verified = new Map<string, VerifiedIdentity>();

  /** @param now - the clock, in epoch milliseconds (tests move it). */
  constructor(
    private readonly config: TokenVerifierConfig,
    private readonly now: () => number = () => Date.now(),
  ) {
    if (config.hs256Secret === null && config.jwks === null) {
      throw new Error('token verifier needs an HS256 secret, a JWKS URL, or both');
    }
    this.secret = config.hs256Secret === null ? null : new TextEncoder().encode(config.hs256Secret);
    this.remoteKeys = config.jwks === null ? null : createRemoteJWKSet(new URL(config.jwks.url));
  }

  /** The identity behind the header, or an `AuthenticationError`. */
  async verify(authorization: string | undefined): Promise<VerifiedIdentity> {
    if (authorization === undefined || authorization.trim() === '') {
      throw new AuthenticationError('TOKEN_MISSING', 'send Authorization: Bearer <token>');
    }
    const token = BEARER.exec(authorization.trim())?.[1];
    if (token === undefined) {
      throw new AuthenticationError(
        'TOKEN_INVALID',
        'the Authorization header is not a Bearer JWT',
      );
    }
    // Only tokens that passed every check are remembered, and each check (signature, `exp`,
    // `nbf`, `iat` not ahead) can only stay passed as time goes on, bar `exp`, checked here.
    const remembered = this.verified.get(token);
    if (remembered !== undefined) {
      if (remembered.expiresAtMs > this.now()) return remembered;
      this.verified.delete(token);
    }
    const identity = await this.verifySignature(token);
    // Oldest entry out first: Map iteration follows insertion order.
    if (this.verified.size >= VERIFIED_CACHE_SIZE)
      this.verified.delete(this.verified.keys().next().value ?? '');
    this.verified.set(token, identity);
    return identity;
  }

  private async verifySignature(token: string): Promise<VerifiedIdentity> {
    const currentDate = new Date(this.now());
    try {
      if (this.secret !== null && this.isLocal(token)) {
        const { payload } = await jwtVerify(token, this.secret, {
          algorithms: ['HS256'],
          issuer: this.config.issuer,
          audience: this.config.audience,
          requiredClaims: ['sub', 'exp'],
          currentDate,
        });
        refuseIssuedAhead(payload, currentDate);
        if (typeof payload.sub !== 'string' || !UUID.test(payload.sub)) {
          throw new AuthenticationError('TOKEN_INVALID', 'the token subject is not a user id');
        }
        return { kind: 'local', userId: payload.sub.toLowerCase(), expiresAtMs: expiryOf(payload) };
      }
      if (this.remoteKeys !== null && this.config.jwks !== null) {
        const { payload } = await jwtVerify(token, this.remoteKeys, {
          algorithms: ['RS256'],
          issuer: this.config.jwks.issuer,
          ...(this.config.jwks.audience === null ? {} : { audience: this.config.jwks.audience }),
          requiredClaims: ['sub', 'exp'],
          currentDate,
        });
        refuseIssuedAhead(payload, currentDate);
        return { ...externalIdentity(payload), expiresAtMs: expiryOf(payload) };
      }
      throw new AuthenticationError(
        'TOKEN_INVALID',
        'the token was not issued by a trusted issuer',
      );
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      if (error instanceof joseErrors.JWTExpired)
        throw new AuthenticationError('TOKEN_EXPIRED', 'the token has expired');
      throw new AuthenticationError('TOKEN_INVALID', 'the token is not valid');
    }
  }

  private isLocal(token: string): boolean {
    // The header's alg picks the key; a token claiming HS256 never reaches the RSA keys.
    try {
      const header = JSON.parse(
        Buffer.from(token.split('.')[0] ?? '', 'base64url').toString('utf8'),
      ) as { alg?: unknown };
      return header.alg === 'HS256';
    } catch {
      return false;
    }
  }
}

// jose checks `iat` against the clock only with `maxTokenAge`, which would also cap lifetimes.
function refuseIssuedAhead(payload: JWTPayload, now: Date): void {
  if (
    payload.iat !== undefined &&
    payload.iat * 1000 > now.getTime() + TOKEN_CLOCK_SKEW_SECONDS * 1000
  ) {
    throw new AuthenticationError('TOKEN_INVALID', 'the token is issued in the future (iat)');
  }
}

// `exp` is a required claim, checked by jwtVerify before this runs.
function expiryOf(payload: JWTPayload): number {
  return (payload.exp ?? 0) * 1000;
}

// The user is found by e-mail, so the token must say who its holder is and that the address
// is theirs. Cognito marks its ID tokens `token_use: id` (access tokens carry no `email` and no
// `aud`, only `client_id`) and says `email_verified`; a provider that sends neither claim is
// trusted as it is, one that sends them is held to them.
function externalIdentity(
  payload: JWTPayload,
): Omit<Extract<VerifiedIdentity, { kind: 'external' }>, 'expiresAtMs'> {
  const email = payload['email'];
  if (typeof payload.sub !== 'string' || typeof email !== 'string' || email.length === 0) {
    throw new AuthenticationError('TOKEN_INVALID', 'the token carries no e-mail claim');
  }
  const tokenUse = payload['token_use'];
  if (tokenUse !== undefined && tokenUse !== 'id') {
    throw new AuthenticationError('TOKEN_INVALID', 'send the ID token, not the access token');
  }
  const verified = payload['email_verified'];
  if (verified !== undefined && verified !== true && verified !== 'true') {
    throw new AuthenticationError('TOKEN_INVALID', 'the token’s e-mail address is not verified');
  }
  const name = payload['name'];
  return {
    kind: 'external',
    subject: payload.sub,
    email,
    name: typeof name === 'string' ? name : null,
  };
}
