import { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { ApiLogger } from '@taskflow/http-api';
import type { QueryTracer } from '@taskflow/persistence-postgres';
import type { RelayObserver } from '@taskflow/relay';
import * as AWSXRay from 'aws-xray-sdk-core';

/** CloudWatch namespace of every Taskflow metric. */
export const METRICS_NAMESPACE = 'Taskflow';

/** Structured JSON logs and EMF metrics of one function (Powertools). */
export interface Telemetry {
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** Logger and metrics named after the function's role (`api`, `processor`...). */
export function createTelemetry(service: string): Telemetry {
  return {
    logger: new Logger({ serviceName: `taskflow-${service}` }),
    metrics: new Metrics({ namespace: METRICS_NAMESPACE, serviceName: `taskflow-${service}` }),
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

/**
 * Turns on X-Ray where Lambda active tracing is enabled. Outside a traced invocation (the
 * cold start's module scope, tests) there is no segment: nothing is recorded, nothing logged.
 */
export function configureTracing(): void {
  AWSXRay.setContextMissingStrategy('IGNORE_ERROR');
}

/** Traces an AWS SDK v3 client's calls as X-Ray subsegments when `enabled`. */
export function traceClient<T extends Parameters<typeof AWSXRay.captureAWSv3Client>[0]>(
  client: T,
  enabled: boolean,
): T {
  return enabled ? AWSXRay.captureAWSv3Client(client) : client;
}

/**
 * One X-Ray subsegment per SQL statement (`database@host`, namespace remote, with SQL data),
 * closed with the error when the statement fails. Without a current segment it only runs.
 */
export function xrayQueryTracer(databaseUrl: string): QueryTracer {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const name = `${database}@${url.hostname}`;
  const user = decodeURIComponent(url.username);
  // Never the password: only where the statement went.
  const target = `postgresql://${url.host}/${database}`;
  return async (statement, run) => {
    const parent = AWSXRay.getSegment();
    if (parent === undefined) return run();
    const subsegment = parent.addNewSubsegment(name);
    subsegment.namespace = 'remote';
    subsegment.addSqlData(new AWSXRay.database.SqlData(undefined, 'pg', user, target, statement));
    try {
      const result = await run();
      subsegment.close();
      return result;
    } catch (error) {
      subsegment.close(error instanceof Error ? error : String(error));
      throw error;
    }
  };
}
