import { z } from 'zod';
import {
  EVENT_DEFINITIONS,
  type EventData,
  type EventType,
  eventDefinitionOf,
} from './event-definitions';

/**
 * An event as raised by an aggregate, before it is stored: the store adds the event id, the
 * schema version and the request's correlation id to make the envelope.
 */
export type PendingEvent = {
  [K in EventType]: {
    readonly type: K;
    readonly data: EventData<K>;
    readonly aggregateId: string;
    readonly aggregateVersion: number;
    readonly projectId: string | null;
    readonly actor: string | null;
    readonly occurredAt: string;
  };
}[EventType];

/** The versioned, self-describing envelope every stored and published event travels in. */
export type EventEnvelope = PendingEvent & {
  readonly id: string;
  readonly schemaVersion: number;
  readonly correlationId: string | null;
};

const envelopeBase = {
  id: z.uuid(),
  schemaVersion: z.int().positive(),
  occurredAt: z.iso.datetime({ offset: true }),
  actor: z.uuid().nullable(),
  projectId: z.uuid().nullable(),
  aggregateId: z.uuid(),
  aggregateVersion: z.int().positive(),
  correlationId: z.string().nullable(),
};

/** Envelope schema of one event type, for validation and JSON Schema generation. */
export function envelopeSchemaOf(definition: (typeof EVENT_DEFINITIONS)[number]) {
  return z.object({
    ...envelopeBase,
    type: z.literal(definition.type),
    schemaVersion: z.literal(definition.schemaVersion),
    data: definition.data,
  });
}

/** Completes a pending event into its envelope. */
export function toEnvelope(
  event: PendingEvent,
  id: string,
  correlationId: string | null,
): EventEnvelope {
  const definition = eventDefinitionOf(event.type);
  if (!definition) throw new Error(`unknown event type ${event.type}`);
  return { ...event, id, schemaVersion: definition.schemaVersion, correlationId };
}

const jsonOf = new WeakMap<EventEnvelope, string>();

/**
 * The envelope as JSON, serialised once per envelope object: the outbox row, the EventBridge
 * entry's Detail and a stream's frame all carry the same text. Envelopes are immutable.
 */
export function envelopeJson(envelope: EventEnvelope): string {
  let json = jsonOf.get(envelope);
  if (json === undefined) {
    json = JSON.stringify(envelope);
    jsonOf.set(envelope, json);
  }
  return json;
}

/**
 * An envelope as it is stored and published: the whole envelope as JSON text, plus the fields a
 * bus routes on, so that an outbox row can be published without parsing its text and
 * serialising it again. `json` is the envelope `id`, `type` and `occurredAt` describe.
 */
export interface SerializedEnvelope {
  readonly id: string;
  /** The event type (`task.created`...), unchecked: a newer release may have written it. */
  readonly type: string;
  /** When the event occurred, ISO 8601 (`2026-01-01T00:00:00.000Z`). */
  readonly occurredAt: string;
  /** The envelope as JSON, exactly as stored in the outbox. */
  readonly json: string;
}

/** The {@link SerializedEnvelope} of an envelope, with the text `envelopeJson` gives. */
export function serializeEnvelope(envelope: EventEnvelope): SerializedEnvelope {
  return {
    id: envelope.id,
    type: envelope.type,
    occurredAt: envelope.occurredAt,
    json: envelopeJson(envelope),
  };
}

/** Reads an envelope stored as JSON (an outbox row), remembering its text for `envelopeJson`. */
export function parseEnvelopeJson(json: string): EventEnvelope {
  const envelope = JSON.parse(json) as EventEnvelope;
  jsonOf.set(envelope, json);
  return envelope;
}
