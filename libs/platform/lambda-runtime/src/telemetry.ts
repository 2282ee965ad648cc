import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { ApiLogger } from '@taskflow/platform-http';
import type { RelayObserver } from '@taskflow/platform-relay';

/** CloudWatch namespace of every Taskflow metric. */
export const METRICS_NAMESPACE = 'Taskflow';

/** Structured JSON logs and EMF metrics of one function (Powertools). */
export interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/**
 * Logger and metrics named after the function's role (`api`, `processor`...). The metrics go to
 * `POWERTOOLS_METRICS_NAMESPACE` when the deployment sets one (the CDK app gives each stage its
 * own, `Taskflow/<project>-<stage>`, so two stages in one account and region never share a
 * metric or an alarm), else to `Taskflow`.
 */
export function createTelemetry(service: string, env: NodeJS.ProcessEnv = process.env): Telemetry {
  const namespace = env['POWERTOOLS_METRICS_NAMESPACE'];
  return {
    logger: new Logger({ serviceName: `taskflow-${service}` }),
    metrics: new Metrics({
      namespace: namespace === undefined || namespace === '' ? METRICS_NAMESPACE : namespace,
      serviceName: `taskflow-${service}`,
    }),
  };
}

/** The HTTP API's logger interface (pino's argument order) over a Powertools logger. */
export function apiLogger(logger: Logger): ApiLogger {
  return {
    error: (fields, message) => {
      logger.error(message, { ...fields });
    },
    warn: (fields, message) => {
      logger.warn(message, { ...fields });
    },
  };
}

/** Relay outcomes as metrics (events published, publish failures, outbox lag) and logs. */
export function relayTelemetry({ logger, metrics }: Telemetry): RelayObserver {
  return {
    published: (count, path) => {
      metrics.addMetric(
        path === 'fast' ? 'EventsPublishedFast' : 'EventsPublishedSweep',
        MetricUnit.Count,
        count,
      );
      metrics.addMetric('EventsPublished', MetricUnit.Count, count);
    },
    failed: (failures, path) => {
      metrics.addMetric('PublishFailures', MetricUnit.Count, failures.length);
      logger.warn('events not published yet; will retry', {
        path,
        failures: failures.slice(0, 10),
      });
    },
    lag: (ms) => {
      metrics.addMetric('OutboxLag', MetricUnit.Milliseconds, ms);
    },
    error: (error, path) => {
      metrics.addMetric('PublishErrors', MetricUnit.Count, 1);
      logger.warn('publishing failed; the sweeper retries', { path, error });
    },
  };
}
