import { resolve } from 'node:path';
import { MIGRATION_STEPS } from '@taskflow/persistence-postgres';
import {
  type TestDatabase,
  cdkCustomResourceEvent,
  createTestDatabase,
  invokeBundle,
  lambdaContext,
} from '@taskflow/testing';
import { Client } from 'pg';
import { SCHEMA_RESOURCE_ID } from './main';

const BUNDLE = resolve(__dirname, '../../../dist/apps/migrator/index.js');

describe('migrator Lambda (CloudFormation custom resource, CDK Provider onEvent)', () => {
  let database: TestDatabase;
  let env: Record<string, string>;
  let main: typeof import('./main');
  const saved = { ...process.env };

  const tables = async (): Promise<string[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ name: string }>(
        `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1`,
      );
      return rows.map((r) => r.name);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    database = await createTestDatabase('lambda_migrator');
    // No JWT_SECRET, no bus: the migrator needs only the database.
    env = {
      DATABASE_URL: database.url,
      DATABASE_SSL: 'disable',
      AWS_REGION: 'eu-west-1',
      AWS_LAMBDA_FUNCTION_NAME: 'taskflow-migrator',
    };
    Object.assign(process.env, env, {
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
    });
    main = await import('./main');
  });

  afterAll(async () => {
    process.env = saved;
    await (await main.ready()).persistence.close();
    await database.drop();
  });

  it('Create applies every step and answers a stable physical id', async () => {
    const response = await main.handler(cdkCustomResourceEvent('Create'), lambdaContext());

    expect(response).toEqual({
      PhysicalResourceId: SCHEMA_RESOURCE_ID,
      Data: { Applied: MIGRATION_STEPS.length, Steps: MIGRATION_STEPS.length },
    });
    expect(await tables()).toEqual(
      expect.arrayContaining(['tasks', 'outbox', 'schema_migrations']),
    );
  });

  it('Update applies only what is pending (nothing here) and keeps the physical id', async () => {
    const response = await main.handler(cdkCustomResourceEvent('Update'), lambdaContext());
    expect(response).toEqual({
      PhysicalResourceId: SCHEMA_RESOURCE_ID,
      Data: { Applied: 0, Steps: MIGRATION_STEPS.length },
    });
  });

  it('Delete keeps every table (removing a stack never drops data)', async () => {
    const before = await tables();
    const response = await main.handler(cdkCustomResourceEvent('Delete'), lambdaContext());
    expect(response).toEqual({ PhysicalResourceId: SCHEMA_RESOURCE_ID, Data: { Applied: 0 } });
    expect(await tables()).toEqual(before);
  });

  it('the built bundle migrates a fresh database in a fresh process; an unreachable one fails the deployment', async () => {
    const fresh = await createTestDatabase('lambda_migrator_bundle');
    try {
      const run = await invokeBundle(BUNDLE, [cdkCustomResourceEvent('Create')], {
        ...env,
        DATABASE_URL: fresh.url,
      });
      expect(run.invocations).toEqual([
        expect.objectContaining({
          ok: true,
          value: expect.objectContaining({
            Data: expect.objectContaining({ Applied: MIGRATION_STEPS.length }),
          }),
        }),
      ]);
      expect(run.logs.find((l) => l['message'] === 'migrations applied')).toMatchObject({
        service: 'taskflow-migrator',
        requestType: 'Create',
      });

      const unreachable = await invokeBundle(BUNDLE, [cdkCustomResourceEvent('Create')], {
        ...env,
        DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
      });
      expect(unreachable.invocations).toEqual([
        expect.objectContaining({
          ok: false,
          error: expect.objectContaining({
            message: expect.stringMatching(/ECONNREFUSED|connect/),
          }),
        }),
      ]);
    } finally {
      await fresh.drop();
    }
  });
});
