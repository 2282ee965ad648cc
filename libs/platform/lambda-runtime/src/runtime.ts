import type { Context } from 'aws-lambda';
import type { DatabaseConfig } from '@taskflow/platform-postgres';
import type { OutboxRelay } from '@taskflow/platform-relay';
import { type LambdaConfig, LambdaConfigError } from './config';
import { type DatabaseAccess, dsqlSignerTokens, resolveDatabase } from './database-access';
import { type SecretReader, secretsManagerReader } from './secret-reader';
import type { Telemetry } from './telemetry';
import type { Tracing } from './tracing';

/** The shortest JWT signing secret accepted, whether from JWT_SECRET or JWT_SECRET_ARN. */
const MIN_SIGNING_SECRET_LENGTH = 32;

/**
 * Where a function reads its secrets and signs DSQL tokens; the real ones (Secrets Manager in
 * the Region, or at SECRETS_MANAGER_ENDPOINT, and `dsql-signer`) unless a test injects its own.
 */
export type CloudAccess = DatabaseAccess;

/**
 * Runs `open` (a cold start's reads and connections) with the function's cloud access: the
 * `given` parts, the real ones for the rest. A Secrets Manager client made here is closed once
 * `open` settles: secrets are read again only after the database refused one, which is rare,
 * and the client made again then costs a few milliseconds, while no idle connection is kept
 * meanwhile.
 */
export async function withCloudAccess<T>(
  config: LambdaConfig,
  tracing: Tracing,
  given: Partial<CloudAccess>,
  open: (cloud: CloudAccess) => Promise<T>,
): Promise<T> {
  const cloud: CloudAccess = {
    secrets:
      given.secrets ??
      secretsManagerReader(
        { region: config.region, endpoint: config.secretsManager.endpoint },
        tracing,
      ),
    dsqlTokens: given.dsqlTokens ?? dsqlSignerTokens,
  };
  try {
    return await open(cloud);
  } finally {
    if (given.secrets === undefined) cloud.secrets.close();
  }
}

/**
 * The function's pool settings, with one X-Ray subsegment per statement when tracing is on. The
 * database secret, if any, is read now (once per execution environment) and again only when
 * the database refuses it.
 */
export async function lambdaDatabaseConfig(
  config: LambdaConfig,
  tracing: Tracing,
  cloud: CloudAccess,
): Promise<DatabaseConfig> {
  const { source, ...settings } = config.database;
  const target = await resolveDatabase(source, config.region, cloud);
  const traceQuery = tracing.queries?.(target.url);
  return {
    ...settings,
    ...target,
    applicationName: config.functionName,
    ...(traceQuery === undefined ? {} : { traceQuery }),
  };
}

/** The HS256 signing secret: as given, or read from Secrets Manager now (cold start). */
export async function readSigningSecret(
  auth: NonNullable<LambdaConfig['auth']>,
  secrets: SecretReader,
): Promise<string> {
  if ('value' in auth.signingSecret) return auth.signingSecret.value;
  const secret = await secrets.read(auth.signingSecret.secretArn, 'JWT_SECRET_ARN');
  if (secret.length < MIN_SIGNING_SECRET_LENGTH)
    throw new LambdaConfigError(
      `invalid configuration: the secret JWT_SECRET_ARN names must be at least ${String(MIN_SIGNING_SECRET_LENGTH)} characters`,
    );
  return secret;
}

/** What {@link lambdaHandler} needs of a runtime: telemetry, and the relay to flush if any. */
export interface InvocationRuntime {
  readonly telemetry: Telemetry;
  readonly relay?: OutboxRelay | null;
}

/**
 * Makes a Lambda handler over a runtime composed at module scope (during the init phase). Each
 * invocation gets the Lambda context in its logs, publishes its commands' events before it
 * returns (Lambda freezes the process afterwards) and flushes its EMF metrics. A failed cold
 * start is retried by the next invocation instead of poisoning the environment.
 */
export function lambdaHandler<T extends InvocationRuntime, E, R>(
  open: () => Promise<T>,
  work: (runtime: T, event: E, context: Context) => Promise<R>,
): { handler: (event: E, context: Context) => Promise<R>; ready: () => Promise<T> } {
  let opening: Promise<T> | null = null;
  const ready = (): Promise<T> => {
    // Through a promise even when `open` throws at once (an invalid configuration).
    opening ??= Promise.resolve()
      .then(open)
      .catch((error: unknown) => {
        opening = null;
        throw error;
      });
    return opening;
  };
  // Start composing now, in the init phase; an error surfaces at the first invocation.
  void ready().catch(() => undefined);
  let coldStart = true;
  const handler = async (event: E, context: Context): Promise<R> => {
    const runtime = await ready();
    const { logger, metrics } = runtime.telemetry;
    logger.addContext(context);
    if (coldStart) metrics.captureColdStartMetric(context.functionName);
    coldStart = false;
    try {
      return await work(runtime, event, context);
    } finally {
      await runtime.relay?.drain();
      if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
      logger.resetKeys();
    }
  };
  return { handler, ready };
}
