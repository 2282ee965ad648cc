import { openLambdaPersistence } from '@taskflow/app-composition';
import {
  createTelemetry,
  lambdaHandler,
  LAMBDA_NEEDS,
  loadLambdaConfig,
} from '@taskflow/platform-lambda-runtime';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import { SampleUsers } from '@taskflow/users-application';
import type { CdkCustomResourceEvent, CdkCustomResourceResponse } from 'aws-lambda';
import { migrate } from '@taskflow/app-composition/migrate';

/** The least the migrator waits for a connection, whatever DATABASE_CONNECT_TIMEOUT_MS says. */
export const MIGRATOR_CONNECT_TIMEOUT_MS = 60_000;

/** Physical id of the schema resource: stable, so an update never reads as a replacement. */
export const SCHEMA_RESOURCE_ID = 'taskflow-schema';

/**
 * Whether this deployment wants the sample users: the resource's `SampleData` property, which
 * the stack sets from `config.sampleData`. CloudFormation passes every property as a string, so
 * only 'true' and 'false' are accepted; anything else fails the event with a reason, rather than
 * guessing whether data should be written. No property at all means none: that is what a
 * rollback to a template from before the property existed sends, and failing it would leave
 * the stack in UPDATE_ROLLBACK_FAILED.
 */
export function sampleDataOf(properties: Readonly<Record<string, unknown>>): boolean {
  const value = properties['SampleData'];
  if (value === 'true') return true;
  if (value === 'false' || value === undefined) return false;
  throw new Error(
    `invalid resource property SampleData: expected 'true' or 'false', got ${JSON.stringify(value)}`,
  );
}

/**
 * The database schema as a CloudFormation custom resource (the CDK Provider framework's
 * onEvent handler): Create and Update apply every pending migration step, so a deployment
 * upgrades the schema before the new code serves traffic; Delete keeps the data (removing a
 * stack never drops tables). With `SampleData` 'true', Create and Update then register the
 * sample users that are missing (`SampleUsersCreated` in `Data` says how many), through the
 * same use case as a first sign-in, so each gets its one `user.created` outbox event; users
 * are never changed or removed. A failure fails the deployment with its reason.
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
    return {
      telemetry: createTelemetry('migrator'),
      persistence,
      sampleUsers: new SampleUsers(persistence.users, systemClock, uuidV7Generator),
    };
  },
  async (
    { telemetry, persistence, sampleUsers },
    event: CdkCustomResourceEvent,
  ): Promise<CdkCustomResourceResponse> => {
    const { logger } = telemetry;
    logger.setCorrelationId(event.RequestId);
    if (event.RequestType === 'Delete') {
      logger.info('schema kept: a deleted stack never drops data');
      return { PhysicalResourceId: event.PhysicalResourceId, Data: { Applied: 0 } };
    }
    // Read before anything is written: a bad property fails the event with nothing applied.
    const sampleData = sampleDataOf(event.ResourceProperties);
    const report = await migrate(persistence);
    logger.info('migrations applied', {
      requestType: event.RequestType,
      applied: report.applied,
      alreadyApplied: report.alreadyApplied,
    });
    let sampleUsersCreated = 0;
    if (sampleData) {
      // The CloudFormation request id correlates the users' events with this deployment.
      const samples = await sampleUsers.ensure(event.RequestId);
      sampleUsersCreated = samples.created.length;
      logger.info('sample users ensured', {
        created: samples.created.map((u) => u.email),
        kept: samples.kept.map((u) => u.email),
      });
    }
    return {
      PhysicalResourceId: SCHEMA_RESOURCE_ID,
      Data: {
        Applied: report.applied.length,
        Steps: report.applied.length + report.alreadyApplied,
        SampleUsersCreated: sampleUsersCreated,
      },
    };
  },
);
