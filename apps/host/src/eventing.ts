import { hostname } from 'node:os';
import type { EventPublisher } from '@taskflow/platform-ports';
import {
  TASKFLOW_EVENTS,
  createEventBridgePublisher,
  createTaskProcessor as createSharedTaskProcessor,
} from '@taskflow/app-composition';
import { eventRules } from '@taskflow/platform-event-routing';
import { type BusTarget, type LocalBusObserver, LocalEventBus } from '@taskflow/platform-local-bus';
import { systemClock } from '@taskflow/platform-kernel';
import { OutboxRelay } from '@taskflow/platform-relay';
import type { TaskProcessor } from '@taskflow/tasks-inbound';
import type { Host } from './composition';

/** The task processor over the host's database and use cases. */
export function createTaskProcessor(host: Host): TaskProcessor {
  return createSharedTaskProcessor(host, host.persistence, host.config.processor);
}

/**
 * The in-process bus with the deployed rules (for the configured source), dead-lettering into
 * the host's dead-letter table. Only the targets given run in this process; a rule whose target
 * is absent (the broadcaster, in a one-shot command) is skipped.
 */
export function createLocalBus(
  host: Host,
  targets: Readonly<Partial<Record<string, BusTarget>>>,
  observer: LocalBusObserver = {},
): LocalEventBus {
  return new LocalEventBus({
    rules: eventRules({ source: host.config.events.source }),
    targets,
    deadLetters: (letter) => host.persistence.deadLetters.add(letter),
    events: TASKFLOW_EVENTS,
    source: host.config.events.source,
    region: host.config.region,
    observer,
  });
}

/**
 * Where this host's events go: EventBridge when a bus is named and AWS credentials are set,
 * else the in-process bus (with the task processor as the inbound rule's target).
 */
export function createPublisher(host: Host): EventPublisher {
  const { config } = host;
  if (config.events.useEventBridge && config.events.busName !== null) {
    return createEventBridgePublisher({
      busName: config.events.busName,
      source: config.events.source,
      region: config.region,
      endpoint: config.events.endpoint,
    });
  }
  const processor = createTaskProcessor(host);
  return createLocalBus(host, { processor: (event) => processor.process(event) });
}

/** The relay of a running host and how to stop it. */
export interface RunningRelay {
  /** Stops sweeping, waits for publishes in flight. */
  stop(): Promise<void>;
}

/**
 * Publishes the outbox from this host: each command's events right after commit (fast path),
 * and a sweeper for anything left. Locally they go to the in-process bus (where the processor
 * takes inbound commands and our own events match only the broadcaster rule, which is served
 * on AWS; here SSE delivers them through LISTEN/NOTIFY); with EVENT_BUS_NAME and AWS credentials,
 * to EventBridge.
 */
export function startRelay(host: Host): RunningRelay {
  const { logger, persistence } = host;
  const publisher = createPublisher(host);
  const relay = new OutboxRelay(
    persistence.outbox,
    publisher,
    systemClock,
    { owner: `${hostname()}:${process.pid}` },
    {
      failed: (failures, path) =>
        logger.warn(
          { path, failures: failures.slice(0, 10) },
          'events not published yet; will retry',
        ),
      error: (error, path) =>
        logger.warn({ err: error, path }, 'publishing failed; the sweeper retries'),
    },
  );
  const unsubscribe = persistence.db.onCommitted((events) => {
    relay.enqueue(events);
  });
  relay.start();
  return {
    stop: async () => {
      unsubscribe();
      await relay.stop();
    },
  };
}
