import { z } from 'zod';
import type { EventDefinition, PendingEvent } from './event-definitions';

/**
 * The versioned, self-describing envelope every stored and published event travels in. Without
 * a type argument, any event; with a union of definitions, the discriminated union of theirs.
 */
export type EventEnvelope<D extends EventDefinition = EventDefinition> = PendingEvent<D> & {
  readonly id: string;
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
export function envelopeSchemaOf(definition: EventDefinition) {
  return z.object({
    ...envelopeBase,
    type: z.literal(definition.type),
    schemaVersion: z.literal(definition.schemaVersion),
    data: definition.data,
  });
}

/** Completes a pending event into its envelope (the keys in the order the outbox stores them). */
export function toEnvelope<D extends EventDefinition>(
  event: PendingEvent<D>,
  id: string,
  correlationId: string | null,
): EventEnvelope<D> {
  const { schemaVersion, ...rest } = event;
  return { ...rest, id, schemaVersion, correlationId } as EventEnvelope<D>;
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
