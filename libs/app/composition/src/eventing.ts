import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgePublisher, createEventBridgeClient } from '@taskflow/platform-eventbridge';
import { ProjectUseCases } from '@taskflow/projects-application';
import { systemClock } from '@taskflow/platform-kernel';
import { TaskProcessor, type TaskProcessorOptions } from '@taskflow/tasks-inbound';
import type { Persistence } from './persistence';
import type { Core } from './core';
import { TASKFLOW_EVENTS } from './events';

/**
 * The task processor (target of inbound task commands) over the same use cases as the HTTP API.
 */
export function createTaskProcessor(
  core: Pick<Core, 'users' | 'projects' | 'tasks'>,
  persistence: Persistence,
  options: TaskProcessorOptions,
): TaskProcessor {
  return new TaskProcessor(
    {
      transactions: persistence.db,
      processedEvents: persistence.processedEvents,
      users: core.users,
      projects: core.projects,
      tasks: core.tasks,
      projectsCreatingWithId: (id) =>
        new ProjectUseCases(persistence.projects, persistence.users, systemClock, {
          next: () => id,
        }),
      clock: systemClock,
    },
    options,
  );
}

/** Where Taskflow's own events go on AWS. */
export interface EventBridgeSettings {
  readonly busName: string;
  /** `Source` of Taskflow's own events. */
  readonly source: string;
  readonly region: string;
  /** Endpoint override (a VPC endpoint, a local fake); null: the Region's. */
  readonly endpoint: string | null;
}

/**
 * The EventBridge publisher over the real SDK client. `instrument` wraps the client (X-Ray
 * tracing in Lambda) before use.
 */
export function createEventBridgePublisher(
  settings: EventBridgeSettings,
  instrument: (client: EventBridgeClient) => EventBridgeClient = (client) => client,
): EventBridgePublisher {
  return new EventBridgePublisher({
    client: instrument(
      createEventBridgeClient({
        region: settings.region,
        ...(settings.endpoint === null ? {} : { endpoint: settings.endpoint }),
      }),
    ),
    eventBusName: settings.busName,
    events: TASKFLOW_EVENTS,
    source: settings.source,
  });
}
