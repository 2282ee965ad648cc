import { randomBytes } from 'node:crypto';
import type { RequestContext } from '@taskflow/platform-ports';

/** A short random token that keeps names and e-mails of one test apart from the others. */
export function token(): string {
  return randomBytes(4).toString('hex');
}

/** The context of a request by `actorId`. */
export function as(
  actorId: string,
  correlationId: string | null = `corr-${token()}`,
): RequestContext {
  return { actorId, correlationId };
}
