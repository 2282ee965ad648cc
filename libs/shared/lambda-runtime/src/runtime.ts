import type { Context } from 'aws-lambda';
import { type Core, composeCore, createEventBridgePublisher } from '@taskflow/composition';
import { type Persistence, openPersistence } from '@taskflow/persistence-postgres';
import { OutboxRelay, type OutboxRelayOptions } from '@taskflow/relay';
import { systemClock, uuidV7Generator } from '@taskflow/shared-kernel';
import { type LambdaConfig, LambdaConfigError } from './config';
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

/** Opens the function's pool, with one X-Ray subsegment per statement when tracing is on. */
export async function openLambdaPersistence(
  config: LambdaConfig,
  tracing?: Tracing,
): Promise<Persistence> {
  const traceQuery = (tracing ?? (await loadTracing(config.tracing))).queries?.(
    config.database.url,
  );
  return openPersistence(
    {
      ...config.database,
      applicationName: config.functionName,
      ...(traceQuery === undefined ? {} : { traceQuery }),
    },
    uuidV7Generator,
  );
}

/** Opens the pool (traced), wires the core and, where events are configured, the relay. */
export async function openLambdaRuntime(
  config: LambdaConfig,
  telemetry: Telemetry,
  relayOptions: Partial<OutboxRelayOptions> = {},
): Promise<LambdaRuntime> {
  const { auth } = config;
  if (auth === null) throw new LambdaConfigError('invalid configuration: JWT_SECRET is required');
  const tracing = await loadTracing(config.tracing);
  const persistence = await openLambdaPersistence(config, tracing);
  try {
    return wire(config, auth, telemetry, tracing, persistence, relayOptions);
  } catch (error) {
    // A retried cold start opens a new pool: this one must not stay connected.
    await persistence.close();
    throw error;
  }
}

function wire(
  config: LambdaConfig,
  auth: NonNullable<LambdaConfig['auth']>,
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
