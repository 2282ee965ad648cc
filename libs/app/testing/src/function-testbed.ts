import { resolve } from 'node:path';
import { type Persistence, openLambdaPersistence } from '@taskflow/app-composition';
import { loadLambdaConfig } from '@taskflow/platform-lambda-runtime';
import {
  type FakeEventBridge,
  type TestDatabase,
  createTestDatabase,
} from '@taskflow/platform-testing';
import { migrate } from '@taskflow/app-composition/migrate';

/** A function's world in a spec: its database (migrated), its environment, its bundle. */
export interface FunctionTestbed {
  readonly database: TestDatabase;
  /** The function's environment, also applied to `process.env` until `stop()`. */
  readonly env: Readonly<Record<string, string>>;
  /** A pool of the spec's own on the function's database, to arrange and inspect rows. */
  readonly persistence: Persistence;
  /** The function's Lambda entry (`dist/apps/lambda-<app>/index.js`, which loads the bundle main.js). */
  readonly bundle: string;
  /** Restores `process.env`, closes the pool and drops the database. */
  stop(): Promise<void>;
}

const ROOT = resolve(__dirname, '../../../..');

/**
 * Creates and migrates a database for the function `app` (the folder under apps/), and sets the
 * function's environment (`DATABASE_URL` and the Region, plus `env`) in `process.env`, so that
 * importing its handler module afterwards composes against it. In-process invocations log and
 * emit metrics nowhere; the bundle runs (`invokeBundle`) get the environment without that.
 */
export async function functionTestbed(
  app: string,
  env: Readonly<Record<string, string>> = {},
): Promise<FunctionTestbed> {
  const database = await createTestDatabase(`lambda_${app.replaceAll('-', '_')}`);
  const functionEnv = {
    DATABASE_URL: database.url,
    DATABASE_SSL: 'disable',
    AWS_REGION: 'eu-west-1',
    AWS_LAMBDA_FUNCTION_NAME: `taskflow-${app}`,
    ...env,
  };
  let persistence: Persistence;
  try {
    persistence = await openLambdaPersistence(loadLambdaConfig(functionEnv, { auth: false }));
    await migrate(persistence);
  } catch (error) {
    await database.drop();
    throw error;
  }
  const saved = { ...process.env };
  Object.assign(process.env, functionEnv, {
    POWERTOOLS_LOG_LEVEL: 'SILENT',
    POWERTOOLS_METRICS_DISABLED: 'true',
  });
  return {
    database,
    env: functionEnv,
    persistence,
    bundle: resolve(ROOT, 'dist/apps', `lambda-${app}`, 'index.js'),
    stop: async () => {
      process.env = saved;
      await persistence.close();
      await database.drop();
    },
  };
}

/**
 * The environment of a function that publishes to `bus` (a local PutEvents endpoint) with the
 * real SDK client: bus name, endpoint, and credentials for it to sign with.
 */
export function eventBusEnv(bus: FakeEventBridge): Record<string, string> {
  return {
    EVENT_BUS_NAME: 'taskflow-test',
    EVENTBRIDGE_ENDPOINT: bus.url,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
  };
}
