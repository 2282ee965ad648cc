import {
  createTelemetry,
  lambdaHandler,
  LAMBDA_NEEDS,
  loadLambdaConfig,
  openLambdaPersistence,
} from '@taskflow/lambda-runtime';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';

/** The least the migrator waits for a connection, whatever DATABASE_CONNECT_TIMEOUT_MS says. */
export const MIGRATOR_CONNECT_TIMEOUT_MS = 60_000;

/** Physical id of the schema resource: stable, so an update never reads as a replacement. */
export const SCHEMA_RESOURCE_ID = 'taskflow-schema';

/**
 * The database schema as a CloudFormation custom resource (the CDK Provider framework's
 * onEvent handler): Create and Update apply every pending migration step, so a deployment
 * upgrades the schema before the new code serves traffic; Delete keeps the data (removing a
 * stack never drops tables). A failure fails the deployment with its reason.
 */
export const { handler, ready } = lambdaHandler(
  async () => {
    const loaded = loadLambdaConfig(process.env, LAMBDA_NEEDS.migrator);
    // No statement deadline, on the server or the client: waiting for another migrator's lock,
    // or building an index on a large table, may take longer than any request should. Getting a
    // connection may too (an auto-paused Aurora Serverless cluster resumes in about 15 s), and a
    // deployment that fails for it rolls back.
    const config = {
      ...loaded,
      database: {
        ...loaded.database,
        statementTimeoutMs: 0,
        queryTimeoutMs: 0,
        connectTimeoutMs: Math.max(loaded.database.connectTimeoutMs, MIGRATOR_CONNECT_TIMEOUT_MS),
      },
    };
    const persistence = await openLambdaPersistence(config);
    return { telemetry: createTelemetry('migrator'), persistence };
  },
  async (
    { telemetry, persistence },
    event: CdkCustomResourceEvent,
  ): Promise<CdkCustomResourceResponse> => {
    const { logger } = telemetry;
    logger.setCorrelationId(event.RequestId);
    if (event.RequestType === 'Delete') {
      logger.info('schema kept: a deleted stack never drops data');
      return { PhysicalResourceId: event.PhysicalResourceId, Data: { Applied: 0 } };
    }
    const report = await persistence.migrate();
    logger.info('migrations applied', {
      requestType: event.RequestType,
      applied: report.applied,
      alreadyApplied: report.alreadyApplied,
    });
    return {
      PhysicalResourceId: SCHEMA_RESOURCE_ID,
      Data: {
        Applied: report.applied.length,
        Steps: report.applied.length + report.alreadyApplied,
      },
    };
  },
);
