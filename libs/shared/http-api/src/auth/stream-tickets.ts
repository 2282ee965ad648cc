import { SignJWT, jwtVerify, errors as joseErrors } from 'jose';
import { AuthenticationError } from './token-verifier';

/** Audience that makes a ticket useless anywhere but a stream. */
const TICKET_AUDIENCE = 'taskflow-stream';

/**
 * Short-lived tickets that open one project's event stream. Browsers' EventSource cannot send
 * headers, and a long-lived bearer token in a URL ends up in logs and histories: a ticket is
 * bound to one user and one project and expires within a minute.
 */
export class StreamTickets {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly issuer: string,
    private readonly ttlSeconds = 60,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** A ticket for `userId` to follow `projectId`. */
  async issue(userId: string, projectId: string): Promise<{ ticket: string; expiresAt: string }> {
    const expiresAt = Math.floor(Date.now() / 1000) + this.ttlSeconds;
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
