import type { RequestContext, TransactionRunner } from '@taskflow/platform-ports';
import type { ProcessedEventStore } from '@taskflow/platform-event-routing';
import type { ProjectUseCases } from '@taskflow/projects-application';
import { type Clock, ConflictError, NotFoundError } from '@taskflow/platform-kernel';
import type { TaskUseCases } from '@taskflow/tasks-application';
import { type TaskPatch, type TaskSnapshot } from '@taskflow/tasks-domain';
import type { UserUseCases } from '@taskflow/users-application';
import { v5 as uuidv5 } from 'uuid';
import { z } from 'zod';
import { TransientEventError, classifyFailure } from './event-processing.error';
import {
  INBOUND_EVENT_TYPES,
  type InboundEventType,
  type TaskCommand,
  type TaskFieldsInput,
  parseInboundEvent,
} from './task-command.schema';

/** Settings of the task processor. */
export interface TaskProcessorOptions {
  /** Name of the project that receives tasks sent without a `project_id`. */
  readonly defaultProjectName: string;
  /** The user that owns the default project and acts when an event names nobody. */
  readonly systemUserEmail: string;
}

/** What the processor works with: the same use cases as the HTTP API, and its idempotency log. */
export interface TaskProcessorDeps {
  /** Groups an event's writes and its processed-event record into one transaction. */
  readonly transactions: TransactionRunner;
  readonly processedEvents: ProcessedEventStore;
  readonly users: UserUseCases;
  readonly projects: ProjectUseCases;
  readonly tasks: TaskUseCases;
  /**
   * Project use cases that give the next project they create the id passed. Used only to create
   * the default project under an id derived from its name, so that processors bootstrapping at
   * the same time converge on one project instead of creating one each.
   */
  readonly projectsCreatingWithId: (id: string) => ProjectUseCases;
  readonly clock: Clock;
}

/** What processing one event did. */
export interface ProcessingOutcome {
  readonly eventId: string;
  readonly eventType: InboundEventType;
  readonly taskId: string;
  readonly projectId: string;
  /** The task's version after the command (unchanged when the command changed nothing). */
  readonly taskVersion: number;
  /** True when this delivery found the event already processed: it changed nothing. */
  readonly duplicate: boolean;
}

/** What the processed-events log keeps of an outcome. */
const StoredOutcomeSchema = z.object({
  eventType: z.enum(Object.keys(INBOUND_EVENT_TYPES) as [InboundEventType, ...InboundEventType[]]),
  taskId: z.string(),
  projectId: z.string(),
  taskVersion: z.number(),
});
type StoredOutcome = z.infer<typeof StoredOutcomeSchema>;

/** The system user and the default project, resolved once per processor. */
interface Defaults {
  readonly systemUserId: string;
  readonly projectId: string;
}

// Namespace of the derived default-project ids (RFC 9562 name-based UUIDs); never change it,
// or a new default project would be created beside the old one.
const DEFAULT_PROJECT_NAMESPACE = 'bc5a9b49-3c65-426c-88f6-fdba13d43e95';

/**
 * The id of the default project of a system user: the same for every process with the same
 * settings, so that concurrent first events create (at most) one project.
 */
export function defaultProjectIdFor(systemUserEmail: string, projectName: string): string {
  return uuidv5(
    `${systemUserEmail.trim().toLowerCase()}\n${projectName.trim()}`,
    DEFAULT_PROJECT_NAMESPACE,
  );
}

/**
 * The EventBridge target of the seed's inbound task commands (source `task.management`),
 * transport-neutral: a Lambda handler, the local bus and the dead-letter replay all call it.
 *
 * - Validates the event (zod): a malformed or unknown event fails with a
 *   {@link PermanentEventError} naming the offending fields; nothing is written.
 * - Runs the command through the same use cases as the HTTP API, acting as the person the event
 *   names (`created_by`, `updatedBy`, `completedBy`), with the event id as correlation id, so the
 *   events it causes carry the inbound event's id.
 * - People named by e-mail are found, or registered with their address's local part as name.
 * - Tasks without `project_id` go to the default project (created on first use, owned by the
 *   system user). There, the people an event names (actor, assignee) are added as editors when
 *   they are not members yet, since the sender cannot have invited them. In any other project
 *   the actor must already be a member with a writing role, and the assignee a member: else
 *   the event fails permanently (PROJECT_NOT_FOUND, ROLE_FORBIDDEN, ASSIGNEE_NOT_MEMBER).
 * - Exactly once: the event id is claimed in the processed-events log in the same transaction as
 *   the command's writes. A redelivered event changes nothing and answers the first outcome; a
 *   concurrent duplicate waits for the first, then does the same.
 * - Failures are {@link EventProcessingError}s: permanent for what can never succeed, transient
 *   otherwise, so that the platform retries and then dead-letters.
 */
export class TaskProcessor {
  private defaults: Promise<Defaults> | null = null;

  constructor(
    private readonly deps: TaskProcessorDeps,
    private readonly options: TaskProcessorOptions,
  ) {}

  /**
   * Processes one inbound EventBridge event, given as parsed JSON (validated here): the entry
   * point of the Lambda target and of the local bus's processor target. Resolves with the
   * outcome; rejects with an {@link EventProcessingError}.
   */
  async process(event: unknown): Promise<ProcessingOutcome> {
    const { eventId, command } = parseInboundEvent(event);
    const fieldPrefix = command.type === 'task.created' ? 'detail.taskData' : 'detail.updates';
    try {
      const defaults = await this.resolveDefaults(eventId);
      return await this.deps.transactions.run(async () => {
        const now = this.deps.clock.now();
        const previous = await this.deps.processedEvents.claim(eventId, now);
        if (previous !== null)
          return { ...storedOutcome(previous.outcome, eventId), eventId, duplicate: true };
        const outcome = await this.execute(command, defaults, eventId);
        await this.deps.processedEvents.complete(eventId, outcome, now);
        return { ...outcome, eventId, duplicate: false };
      });
    } catch (error) {
      throw classifyFailure(error, fieldPrefix);
    }
  }

  private execute(
    command: TaskCommand,
    defaults: Defaults,
    eventId: string,
  ): Promise<StoredOutcome> {
    switch (command.type) {
      case 'task.created':
        return this.create(command, defaults, eventId);
      case 'task.updated':
        return this.change(
          command.type,
          command.taskId,
          command.fields,
          command.updatedBy,
          defaults,
          eventId,
        );
      case 'task.completed':
        return this.change(
          command.type,
          command.taskId,
          { status: 'completed' },
          command.completedBy,
          defaults,
          eventId,
        );
    }
  }

  private async create(
    command: Extract<TaskCommand, { type: 'task.created' }>,
    defaults: Defaults,
    eventId: string,
  ): Promise<StoredOutcome> {
    const actorId = await this.actor(command.createdBy, defaults, eventId);
    const { assigneeId, patch } = await this.toPatch(command.fields, eventId);
    const projectId = command.projectId ?? defaults.projectId;
    if (projectId === defaults.projectId)
      await this.ensureEditors([actorId, assigneeId], defaults, eventId);
    const task = await this.deps.tasks.create(
      { ...patch, projectId, title: command.title },
      { actorId, correlationId: eventId },
    );
    return outcomeOf(command.type, task);
  }

  private async change(
    type: 'task.updated' | 'task.completed',
    taskId: string,
    fields: TaskFieldsInput,
    actorEmail: string | null,
    defaults: Defaults,
    eventId: string,
  ): Promise<StoredOutcome> {
    const actorId = await this.actor(actorEmail, defaults, eventId);
    const { assigneeId, patch } = await this.toPatch(fields, eventId);
    if ((await this.projectOf(taskId, defaults, eventId)) === defaults.projectId) {
      await this.ensureEditors([actorId, assigneeId], defaults, eventId);
    }
    const task = await this.deps.tasks.update(taskId, patch, null, {
      actorId,
      correlationId: eventId,
    });
    return outcomeOf(type, task);
  }

  /** The acting user: the person named, or the system user when the event names nobody. */
  private async actor(email: string | null, defaults: Defaults, eventId: string): Promise<string> {
    return email === null ? defaults.systemUserId : this.userIdOf(email, eventId);
  }

  /** The patch of the use cases, people resolved from e-mail to user id. */
  private async toPatch(
    fields: TaskFieldsInput,
    eventId: string,
  ): Promise<{ assigneeId: string | null; patch: TaskPatch }> {
    const { assignedTo, ...rest } = fields;
    if (assignedTo === undefined) return { assigneeId: null, patch: rest };
    const assigneeId = assignedTo === null ? null : await this.userIdOf(assignedTo, eventId);
    return { assigneeId, patch: { ...rest, assigneeId } };
  }

  private async userIdOf(email: string, eventId: string): Promise<string> {
    const localPart = email.slice(0, email.lastIndexOf('@')).slice(0, 100);
    const user = await this.deps.users.ensureByEmail({ name: localPart, email }, eventId);
    return user.id;
  }

  /** The project of a task the system user can see (the default project's tasks), else null. */
  private async projectOf(
    taskId: string,
    defaults: Defaults,
    eventId: string,
  ): Promise<string | null> {
    try {
      const task = await this.deps.tasks.get(taskId, {
        actorId: defaults.systemUserId,
        correlationId: eventId,
      });
      return task.projectId;
    } catch (error) {
      if (error instanceof NotFoundError) return null;
      throw error;
    }
  }

  /** Adds the named people to the default project as editors, unless they are members. */
  private async ensureEditors(
    userIds: readonly (string | null)[],
    defaults: Defaults,
    eventId: string,
  ): Promise<void> {
    const system: RequestContext = { actorId: defaults.systemUserId, correlationId: eventId };
    const missing = new Set(
      userIds.filter((id): id is string => id !== null && id !== defaults.systemUserId),
    );
    for (const userId of missing) {
      try {
        await this.deps.projects.addMember(
          { projectId: defaults.projectId, userId, role: 'editor' },
          system,
        );
      } catch (error) {
        // Already a member, whatever the role: a viewer stays a viewer (and is refused a write).
        if (!(error instanceof ConflictError && error.code === 'ALREADY_MEMBER')) throw error;
      }
    }
  }

  /**
   * The system user and the default project, created on first use, each in its own statement
   * outside the event's transaction: both are race-safe on their own (unique e-mail, derived
   * project id), and a failed event must not undo them for the next one.
   */
  private resolveDefaults(eventId: string): Promise<Defaults> {
    this.defaults ??= this.loadDefaults(eventId).catch((error: unknown) => {
      // Not cached: the next event tries again (the database may be back).
      this.defaults = null;
      throw error;
    });
    return this.defaults;
  }

  private async loadDefaults(eventId: string): Promise<Defaults> {
    const email = this.options.systemUserEmail;
    const systemUserId = await this.userIdOf(email, eventId);
    const projectId = defaultProjectIdFor(email, this.options.defaultProjectName);
    const context: RequestContext = { actorId: systemUserId, correlationId: eventId };
    if (await this.visible(projectId, context)) return { systemUserId, projectId };
    try {
      await this.deps
        .projectsCreatingWithId(projectId)
        .create({ name: this.options.defaultProjectName }, context);
    } catch (error) {
      // A concurrent bootstrap created it first, under the same derived id: theirs will do.
      if (!(await this.visible(projectId, context))) {
        throw new TransientEventError(
          'TRANSIENT',
          `could not create the default project: ${String(error)}`,
          {
            cause: error,
          },
        );
      }
    }
    return { systemUserId, projectId };
  }

  private async visible(projectId: string, context: RequestContext): Promise<boolean> {
    try {
      await this.deps.projects.get(projectId, context);
      return true;
    } catch (error) {
      if (error instanceof NotFoundError) return false;
      throw error;
    }
  }
}

function outcomeOf(eventType: InboundEventType, task: TaskSnapshot): StoredOutcome {
  return { eventType, taskId: task.id, projectId: task.projectId, taskVersion: task.version };
}

function storedOutcome(stored: unknown, eventId: string): StoredOutcome {
  const parsed = StoredOutcomeSchema.safeParse(stored);
  if (!parsed.success) {
    // Only a hand-edited row gets here; retrying will not fix it, but neither is the event bad.
    throw new TransientEventError(
      'TRANSIENT',
      `the processed-events record of ${eventId} is unreadable`,
    );
  }
  return parsed.data;
}
