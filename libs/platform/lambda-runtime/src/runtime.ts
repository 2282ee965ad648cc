import type { Context } from 'aws-lambda';
import {
  type Core,
  type CoreSettings,
  type Persistence,
  composeCore,
  createEventBridgePublisher,
  openPersistence,
} from '@taskflow/app-composition';
import { OutboxRelay, type OutboxRelayOptions } from '@taskflow/platform-relay';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import { type LambdaConfig, LambdaConfigError } from './config';
import { type DatabaseAccess, dsqlSignerTokens, resolveDatabase } from './database-access';
import { type SecretReader, secretsManagerReader } from './secret-reader';
import { type Telemetry, apiLogger, relayTelemetry } from './telemetry';
import { type Tracing, loadTracing } from './tracing';

/** Everything a function's invocations share, built once per execution environment. */
export interface LambdaRuntime {
  readonly config: LambdaConfig;
  readonly telemetry: Telemetry;
  readonly persistence: Persistence;
  readonly core: Core;
  /**
   * Publishes the outbox to EventBridge: the fast path (events of this invocation's commands,
   * published before it returns) and the sweeper (the relay function). Null where the function
   * publishes nothing.
   */
  readonly relay: OutboxRelay | null;
  close(): Promise<void>;
}

/** The shortest JWT signing secret accepted, whether from JWT_SECRET or JWT_SECRET_ARN. */
const MIN_SIGNING_SECRET_LENGTH = 32;

/**
 * Where a function reads its secrets and signs DSQL tokens; the real ones (Secrets Manager in
 * the Region, or at SECRETS_MANAGER_ENDPOINT, and `dsql-signer`) unless a test injects its own.
 */
export type CloudAccess = DatabaseAccess;

function cloudAccess(
  config: LambdaConfig,
  tracing: Tracing,
  given: Partial<CloudAccess>,
): CloudAccess {
  return {
    secrets:
      given.secrets ??
      secretsManagerReader(
        { region: config.region, endpoint: config.secretsManager.endpoint },
        tracing,
      ),
    dsqlTokens: given.dsqlTokens ?? dsqlSignerTokens,
  };
}

/**
 * Opens the function's pool, with one X-Ray subsegment per statement when tracing is on. The
 * database secret, if any, is read now (once per execution environment) and again only when
 * the database refuses it.
 */
export async function openLambdaPersistence(
  config: LambdaConfig,
  tracing?: Tracing,
  access: Partial<CloudAccess> = {},
): Promise<Persistence> {
  const traced = tracing ?? (await loadTracing(config.tracing));
  const cloud = cloudAccess(config, traced, access);
  try {
    return await openWith(config, traced, cloud);
  } finally {
    // Secrets are read again only after the database refused one, which is rare: the client
    // made again then costs a few milliseconds, and no idle connection is kept meanwhile.
    if (access.secrets === undefined) cloud.secrets.close();
  }
}

async function openWith(
  config: LambdaConfig,
  tracing: Tracing,
  cloud: CloudAccess,
): Promise<Persistence> {
  const { source, ...settings } = config.database;
  const target = await resolveDatabase(source, config.region, cloud);
  const traceQuery = tracing.queries?.(target.url);
  return openPersistence(
    {
      ...settings,
      ...target,
      applicationName: config.functionName,
      ...(traceQuery === undefined ? {} : { traceQuery }),
    },
    uuidV7Generator,
  );
}

/** The HS256 signing secret: as given, or read from Secrets Manager now (cold start). */
async function signingSecretOf(
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

/**
 * Reads the function's secrets, opens the pool (traced), wires the core and, where events are
 * configured, the relay.
 */
export async function openLambdaRuntime(
  config: LambdaConfig,
  telemetry: Telemetry,
  relayOptions: Partial<OutboxRelayOptions> = {},
  access: Partial<CloudAccess> = {},
): Promise<LambdaRuntime> {
  const { auth } = config;
  if (auth === null)
    throw new LambdaConfigError(
      'invalid configuration: JWT_SECRET_ARN (or JWT_SECRET) is required',
    );
  const tracing = await loadTracing(config.tracing);
  const cloud = cloudAccess(config, tracing, access);
  let signingSecret: string;
  let persistence: Persistence;
  try {
    signingSecret = await signingSecretOf(auth, cloud.secrets);
    persistence = await openWith(config, tracing, cloud);
  } finally {
    if (access.secrets === undefined) cloud.secrets.close();
  }
  try {
    return wire(config, { ...auth, signingSecret }, telemetry, tracing, persistence, relayOptions);
  } catch (error) {
    // A retried cold start opens a new pool: this one must not stay connected.
    await persistence.close();
    throw error;
  }
}

function wire(
  config: LambdaConfig,
  auth: Omit<CoreSettings, 'region'>,
  telemetry: Telemetry,
  tracing: Tracing,
  persistence: Persistence,
  relayOptions: Partial<OutboxRelayOptions>,
): LambdaRuntime {
  const core = composeCore(
    persistence,
    { ...auth, region: config.region },
    apiLogger(telemetry.logger),
  );
  let relay: OutboxRelay | null = null;
  let unsubscribe = (): void => undefined;
  if (config.events !== null) {
    const publisher = createEventBridgePublisher(
      { ...config.events, region: config.region },
      (client) => tracing.client(client),
    );
    relay = new OutboxRelay(
      persistence.outbox,
      publisher,
      systemClock,
      { owner: config.instanceId, ...relayOptions },
      relayTelemetry(telemetry),
    );
    const fastPath = relay;
    unsubscribe = persistence.db.onCommitted((events) => {
      fastPath.enqueue(events);
    });
  }
  return {
    config,
    telemetry,
    persistence,
    core,
    relay,
    close: async () => {
      unsubscribe();
      await relay?.drain();
      await persistence.close();
    },
  };
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
