import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AuthenticationError } from './token-verifier';

/** Audience that makes a ticket useless anywhere but a stream. */
const TICKET_AUDIENCE = 'taskflow-stream';

/** Longest a ticket lives, whatever the session behind it: it travels in URLs. */
export const STREAM_TICKET_MAX_TTL_S = 12 * 60 * 60;

/**
 * Tickets that open one project's event stream. Browsers' EventSource cannot send headers, and
 * a bearer token in a URL would open every route to whoever reads a log: a ticket opens nothing
 * but this one user's stream of this one project. It stays valid, and reusable, for as long as
 * the session it was issued from (the bearer token's `exp`, at most 12 h), because EventSource
 * reconnects by itself with the same URL after every network loss or server restart; a member
 * removed from the project is still refused at every (re)connect, and cut off live.
 */
export class StreamTickets {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly issuer: string,
    private readonly maxTtlSeconds = STREAM_TICKET_MAX_TTL_S,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** A ticket for `userId` to follow `projectId`, valid until the session ends (`notAfterMs`). */
  async issue(
    userId: string,
    projectId: string,
    notAfterMs: number,
  ): Promise<{ ticket: string; expiresAt: string }> {
    const nowS = Math.floor(Date.now() / 1000);
    const expiresAt = Math.max(
      nowS + 1,
      Math.min(Math.floor(notAfterMs / 1000), nowS + this.maxTtlSeconds),
    );
    const ticket = await new SignJWT({ pid: projectId })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(userId)
      .setIssuer(this.issuer)
      .setAudience(TICKET_AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(expiresAt)
      .sign(this.key);
    return { ticket, expiresAt: new Date(expiresAt * 1000).toISOString() };
  }

  /** The user a ticket admits to `projectId`, or an `AuthenticationError`. */
  async verify(ticket: string, projectId: string): Promise<string> {
    try {
      const { payload } = await jwtVerify(ticket, this.key, {
        algorithms: ['HS256'],
        issuer: this.issuer,
        audience: TICKET_AUDIENCE,
        requiredClaims: ['sub', 'exp', 'pid'],
      });
      if (payload['pid'] !== projectId || typeof payload.sub !== 'string') {
        throw new AuthenticationError('TOKEN_INVALID', 'the ticket is for another project');
      }
      return payload.sub;
    } catch (error) {
      if (error instanceof AuthenticationError) throw error;
      if (error instanceof joseErrors.JWTExpired)
        throw new AuthenticationError('TOKEN_EXPIRED', 'the stream ticket has expired');
      throw new AuthenticationError('TOKEN_INVALID', 'the stream ticket is not valid');
    }
  }
}
