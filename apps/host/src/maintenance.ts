import { IDEMPOTENCY_RETENTION_MS } from '@taskflow/platform-http';
import type { Host } from './composition';

/** How often expired idempotency keys are deleted. */
export const PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * Deletes idempotency records past their 24 h retention, now and then every hour. Expired rows
 * are already ignored by lookups; this only keeps the table from growing without bound.
 * Returns a function that stops the schedule.
 */
export function scheduleIdempotencyPurge(host: Host, intervalMs = PURGE_INTERVAL_MS): () => void {
  const purge = (): void => {
    const notBefore = new Date(Date.now() - IDEMPOTENCY_RETENTION_MS);
    host.persistence.idempotency.purgeExpired(notBefore).then(
      (deleted) => {
        if (deleted > 0) host.logger.info({ deleted }, 'expired idempotency keys purged');
      },
      (error: unknown) => {
        host.logger.warn({ err: error }, 'idempotency purge failed; retrying next round');
      },
    );
  };
  purge();
  const timer = setInterval(purge, intervalMs);
  // Never keep the process alive just for housekeeping.
  timer.unref();
  return () => {
    clearInterval(timer);
  };
}
