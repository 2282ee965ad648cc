import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { MIGRATION_STEPS } from '@taskflow/app-composition';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  type TestDatabase,
  cdkCustomResourceEvent,
  createTestDatabase,
  invokeBundle,
  lambdaContext,
} from '@taskflow/platform-testing';
import { SAMPLE_USERS, UserUseCases } from '@taskflow/users-application';
import type { CdkCustomResourceEvent } from 'aws-lambda';
import { Client } from 'pg';
import { SCHEMA_RESOURCE_ID } from './main';

const BUNDLE = resolve(__dirname, '../../../dist/apps/lambda-migrator/index.js');

/**
 * The resource's event as the Provider framework passes it, with `SampleData` as the stack sets
 * it (a string: CloudFormation passes no other type); undefined leaves the property out.
 */
function schemaEvent(
  requestType: 'Create' | 'Update' | 'Delete',
  sampleData: string | undefined,
): CdkCustomResourceEvent {
  const event = cdkCustomResourceEvent(requestType);
  if (sampleData === undefined) return event;
  return { ...event, ResourceProperties: { ...event.ResourceProperties, SampleData: sampleData } };
}

interface StoredUser {
  id: string;
  name: string;
  email: string;
  version: number;
  created_at: Date;
}

/** Every user row and every user.created outbox row of a database. */
async function usersIn(url: string): Promise<{
  users: StoredUser[];
  created: { aggregate_id: string; actor_id: string; correlation_id: string | null }[];
}> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const users = await client.query<StoredUser>(
      'SELECT id, name, email, version, created_at FROM users ORDER BY email_lower',
    );
    const created = await client.query<{
      aggregate_id: string;
      actor_id: string;
      correlation_id: string | null;
    }>(
      `SELECT aggregate_id, actor_id, correlation_id FROM outbox WHERE type = 'user.created' ORDER BY id`,
    );
    return { users: users.rows, created: created.rows };
  } finally {
    await client.end();
  }
}

const SAMPLE_EMAILS = SAMPLE_USERS.map((s) => s.email).sort();

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

  it('Create applies every step and answers a stable physical id; without sample data, no user', async () => {
    const response = await main.handler(schemaEvent('Create', 'false'), lambdaContext());

    expect(response).toEqual({
      PhysicalResourceId: SCHEMA_RESOURCE_ID,
      Data: {
        Applied: MIGRATION_STEPS.length,
        Steps: MIGRATION_STEPS.length,
        SampleUsersCreated: 0,
      },
    });
    expect(await tables()).toEqual(
      expect.arrayContaining(['tasks', 'outbox', 'schema_migrations']),
    );
    expect(await usersIn(database.url)).toEqual({ users: [], created: [] });
  });

  it('Update applies only what is pending (nothing here) and keeps the physical id', async () => {
    const response = await main.handler(schemaEvent('Update', 'false'), lambdaContext());
    expect(response).toEqual({
      PhysicalResourceId: SCHEMA_RESOURCE_ID,
      Data: { Applied: 0, Steps: MIGRATION_STEPS.length, SampleUsersCreated: 0 },
    });
    expect(await usersIn(database.url)).toEqual({ users: [], created: [] });
  });

  it('with sample data, keeps a user who has a sample address as they are and creates the other four', async () => {
    // Prepare: someone signed up with a sample address (in other case) before sample data was on.
    const { persistence } = await main.ready();
    const erin = await new UserUseCases(
      persistence.users,
      systemClock,
      uuidV7Generator,
    ).ensureByEmail({ name: 'Real Erin', email: 'ERIN@example.com' }, 'sign-in');
    const [erinBefore] = (await usersIn(database.url)).users;
    const event = schemaEvent('Update', 'true');

    // Act
    const response = await main.handler(event, lambdaContext());

    // Assess
    expect(response).toEqual({
      PhysicalResourceId: SCHEMA_RESOURCE_ID,
      Data: { Applied: 0, Steps: MIGRATION_STEPS.length, SampleUsersCreated: 4 },
    });
    const { users, created } = await usersIn(database.url);
    expect(users.map((u) => u.email.toLowerCase())).toEqual(SAMPLE_EMAILS);
    expect(users.find((u) => u.id === erin.id)).toEqual(erinBefore);
    expect(erinBefore).toMatchObject({ name: 'Real Erin', email: 'ERIN@example.com', version: 1 });
    // One user.created each, as at a sign-up (the actor is the user), correlated with the request.
    expect(created).toHaveLength(5);
    expect(created.filter((e) => e.correlation_id === event.RequestId)).toEqual(
      users
        .filter((u) => u.id !== erin.id)
        .map((u) => ({ aggregate_id: u.id, actor_id: u.id, correlation_id: event.RequestId }))
        .sort((a, b) => a.aggregate_id.localeCompare(b.aggregate_id)),
    );
  });

  it('with sample data, a later Update creates and changes nothing', async () => {
    const before = await usersIn(database.url);

    const response = await main.handler(schemaEvent('Update', 'true'), lambdaContext());

    expect(response).toMatchObject({ Data: { Applied: 0, SampleUsersCreated: 0 } });
    expect(await usersIn(database.url)).toEqual(before);
  });

  it.each([
    { case: 'not a boolean', value: 'yes', got: '"yes"' },
    { case: 'in other case', value: 'TRUE', got: '"TRUE"' },
    { case: 'empty', value: '', got: '""' },
  ])(
    'fails Create and Update when SampleData is $case, writing nothing',
    async ({ value, got }) => {
      const before = await usersIn(database.url);

      for (const requestType of ['Create', 'Update'] as const) {
        await expect(
          main.handler(schemaEvent(requestType, value), lambdaContext()),
        ).rejects.toThrow(
          `invalid resource property SampleData: expected 'true' or 'false', got ${got}`,
        );
      }
      expect(await usersIn(database.url)).toEqual(before);
    },
  );

  it('treats a missing SampleData as none: a rollback to a template without it must succeed', async () => {
    const before = await usersIn(database.url);

    const response = await main.handler(schemaEvent('Update', undefined), lambdaContext());

    expect(response).toMatchObject({ Data: { Applied: 0, SampleUsersCreated: 0 } });
    expect(await usersIn(database.url)).toEqual(before);
  });

  it('Delete keeps every table and every user (removing a stack never drops data)', async () => {
    const before = await tables();
    const users = await usersIn(database.url);
    // Not even an invalid SampleData stops a stack's removal.
    for (const sampleData of ['true', 'false', undefined]) {
      const response = await main.handler(schemaEvent('Delete', sampleData), lambdaContext());
      expect(response).toEqual({ PhysicalResourceId: SCHEMA_RESOURCE_ID, Data: { Applied: 0 } });
    }
    expect(await tables()).toEqual(before);
    expect(await usersIn(database.url)).toEqual(users);
  });

  it('the built bundle migrates a fresh database and creates the five sample users once across Create and Update; an unreachable one fails the deployment', async () => {
    const fresh = await createTestDatabase('lambda_migrator_bundle');
    try {
      const create = schemaEvent('Create', 'true');
      const run = await invokeBundle(BUNDLE, [create, schemaEvent('Update', 'true')], {
        ...env,
        DATABASE_URL: fresh.url,
      });
      expect(run.invocations).toEqual([
        expect.objectContaining({
          ok: true,
          value: {
            PhysicalResourceId: SCHEMA_RESOURCE_ID,
            Data: {
              Applied: MIGRATION_STEPS.length,
              Steps: MIGRATION_STEPS.length,
              SampleUsersCreated: 5,
            },
          },
        }),
        expect.objectContaining({
          ok: true,
          value: {
            PhysicalResourceId: SCHEMA_RESOURCE_ID,
            Data: { Applied: 0, Steps: MIGRATION_STEPS.length, SampleUsersCreated: 0 },
          },
        }),
      ]);
      expect(run.logs.find((l) => l['message'] === 'migrations applied')).toMatchObject({
        service: 'taskflow-migrator',
        requestType: 'Create',
      });
      const { users, created } = await usersIn(fresh.url);
      expect(users.map(({ name, email }) => ({ name, email }))).toEqual(
        [...SAMPLE_USERS].sort((a, b) => a.email.localeCompare(b.email)),
      );
      expect(created).toHaveLength(5);
      expect(created.every((e) => e.correlation_id === create.RequestId)).toBe(true);

      const unreachable = await invokeBundle(BUNDLE, [schemaEvent('Create', 'false')], {
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

  it('the built bundle carries TypeORM, as a pool and transaction runner only (the migrations run through it)', () => {
    const source = readFileSync(join(dirname(BUNDLE), 'main.js'), 'utf8');

    // tools/build/lambda.esbuild.cjs replaces the TypeORM modules no migration runs by stubs.
    expect(source).toContain('typeorm/query-builder/SelectQueryBuilder.js');
    expect(source).toContain('is left out of the Lambda bundles');
  });
});
