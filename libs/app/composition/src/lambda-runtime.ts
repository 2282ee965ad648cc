import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  type CloudAccess,
  type LambdaConfig,
  LambdaConfigError,
  type Telemetry,
  type Tracing,
  apiLogger,
  lambdaDatabaseConfig,
  loadTracing,
  readSigningSecret,
  relayTelemetry,
  withCloudAccess,
} from '@taskflow/platform-lambda-runtime';
import { OutboxRelay, type OutboxRelayOptions } from '@taskflow/platform-relay';
import { type Core, type CoreSettings, composeCore } from './core';
import { createEventBridgePublisher } from './eventing';
import { type Persistence, openPersistence } from './persistence';

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
  return withCloudAccess(config, traced, access, async (cloud) =>
    openPersistence(await lambdaDatabaseConfig(config, traced, cloud), uuidV7Generator),
  );
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
  const { signingSecret, persistence } = await withCloudAccess(
    config,
    tracing,
    access,
    async (cloud) => {
      const secret = await readSigningSecret(auth, cloud.secrets);
      const database = await lambdaDatabaseConfig(config, tracing, cloud);
      return {
        signingSecret: secret,
        persistence: await openPersistence(database, uuidV7Generator),
      };
    },
  );
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
