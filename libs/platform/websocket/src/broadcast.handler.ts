import type { DeliveryFailure } from '@taskflow/platform-event-routing';
import { envelopeSchemaOf, type EventCatalog, type EventEnvelope } from '@taskflow/platform-events';
import type { BroadcastOutcome, WebSocketBroadcaster } from '@taskflow/platform-live-updates';
import type { FieldIssue } from '@taskflow/platform-kernel';
import type { BroadcastEvent } from './websocket-events';

/** What {@link handleBroadcast} needs; build it once per Lambda instance. */
export interface BroadcastDeps {
  readonly broadcaster: Pick<WebSocketBroadcaster, 'broadcast'>;
  /** The events a detail may carry. */
  readonly events: EventCatalog;
}

/**
 * An EventBridge event whose detail is not a Taskflow event envelope this broadcaster knows.
 * Delivering it again cannot help (`retryable: false`): the local bus dead-letters it at once;
 * on AWS the platform retries, then dead-letters it.
 */
export class InvalidBroadcastEventError extends Error implements DeliveryFailure {
  readonly retryable = false;
  readonly code = 'INVALID_EVENT';

  constructor(
    readonly eventId: string,
    /** The fields at fault, as `detail.…` paths. */
    readonly issues: readonly FieldIssue[],
  ) {
    super(
      `event ${eventId} is not a Taskflow event envelope: ${issues
        .map((issue) => `${issue.path}: ${issue.message}`)
        .join('; ')}`,
    );
    this.name = 'InvalidBroadcastEventError';
  }
}

/**
 * The broadcaster's EventBridge target (rule `taskflow-domain-events`): validates the event's
 * detail as a Taskflow envelope of a known type and schema version, then sends it to every
 * WebSocket connection of its project. Resolves to the broadcast's counts, for metrics: a
 * connection that failed does not fail the event, since delivering it again would send it to
 * every other connection again.
 *
 * @throws InvalidBroadcastEventError naming the fields of an invalid detail.
 * @throws whatever the connection store throws (database down): the platform retries.
 */
export async function handleBroadcast(
  event: BroadcastEvent,
  deps: BroadcastDeps,
): Promise<BroadcastOutcome> {
  return deps.broadcaster.broadcast(envelopeOf(event, deps.events));
}

/**
 * The envelope an event carries as its detail, validated against its type's schema (unknown
 * members are dropped).
 *
 * @throws InvalidBroadcastEventError naming the fields at fault.
 */
export function envelopeOf(event: BroadcastEvent, events: EventCatalog): EventEnvelope {
  const { detail } = event;
  const invalid = (path: string, message: string): InvalidBroadcastEventError =>
    new InvalidBroadcastEventError(event.id, [{ path, message }]);
  if (typeof detail !== 'object' || detail === null || Array.isArray(detail)) {
    throw invalid('detail', 'expected an event envelope (a JSON object)');
  }
  const type = (detail as Record<string, unknown>)['type'];
  if (typeof type !== 'string') throw invalid('detail.type', 'Required');
  const definition = events.definitionOf(type);
  if (definition === undefined) {
    throw invalid('detail.type', `unknown event type ${JSON.stringify(type)}`);
  }
  const parsed = envelopeSchemaOf(definition).safeParse(detail);
  if (!parsed.success) {
    throw new InvalidBroadcastEventError(
      event.id,
      parsed.error.issues.map((issue) => ({
        path: ['detail', ...issue.path.map(String)].join('.'),
        message: issue.message,
      })),
    );
  }
  // The schema of the event’s own type accepted it.
  return parsed.data;
}
