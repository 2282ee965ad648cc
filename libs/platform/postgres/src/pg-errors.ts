/** SQLSTATE codes the adapter reacts to. */
export const SQLSTATE = {
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  invalidTextRepresentation: '22P02',
} as const;

/** The SQLSTATE and constraint of a pg error, whether raw or wrapped by TypeORM. */
export function pgErrorOf(error: unknown): { code: string; constraint: string | null } | null {
  const candidate = (error as { driverError?: unknown } | null)?.driverError ?? error;
  if (typeof candidate !== 'object' || candidate === null) return null;
  const { code, constraint } = candidate as { code?: unknown; constraint?: unknown };
  if (typeof code !== 'string') return null;
  return { code, constraint: typeof constraint === 'string' ? constraint : null };
}

/** True for a unique violation of the named constraint. */
export function isUniqueViolation(error: unknown, constraint: string): boolean {
  const pgError = pgErrorOf(error);
  return pgError?.code === SQLSTATE.uniqueViolation && pgError.constraint === constraint;
}

/**
 * True when the engine aborted the statement or transaction because of a concurrent one and
 * running it again is the remedy: Aurora DSQL's optimistic concurrency (40001: OC000, OC001),
 * PostgreSQL's serialization failures (40001) and deadlocks (40P01).
 */
export function isRetryableConflict(error: unknown): boolean {
  const code = pgErrorOf(error)?.code;
  return code === SQLSTATE.serializationFailure || code === SQLSTATE.deadlockDetected;
}
