import { SignJWT } from 'jose';

/** Issues Taskflow's own HS256 tokens (local development and the `token` command). */
export class TokenIssuer {
  private readonly key: Uint8Array;

  constructor(
    secret: string,
    private readonly issuer: string,
    private readonly audience: string,
  ) {
    this.key = new TextEncoder().encode(secret);
  }

  /** A token whose subject is the user's id, valid for `ttlSeconds`. */
  async issue(
    user: { id: string; email: string; name: string },
    ttlSeconds: number,
  ): Promise<string> {
    return new SignJWT({ email: user.email, name: user.name })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.id)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.key);
  }
}
