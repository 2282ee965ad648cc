import { z } from 'zod';

/**
 * One versioned event contract. `type` is the stable machine name, `detailType` the
 * human-readable name EventBridge rules match on, `data` the payload schema. Each bounded
 * context defines its own events in its domain; the composition gathers them into a catalog.
 */
export interface EventDefinition<
  TType extends string = string,
  TData extends z.ZodType = z.ZodType,
> {
  readonly type: TType;
  readonly schemaVersion: number;
  readonly detailType: string;
  readonly description: string;
  readonly data: TData;
}

/**
 * The detail type of an event type: its words title-cased (`task.status_changed` is
 * `Task Status Changed`), so the two names cannot drift apart.
 */
export function detailTypeOf(type: string): string {
  return type
    .split(/[._]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ');
}

/**
 * Freezes an event definition, keeping its literal type and payload schema in the type. The
 * schema version is 1 and the detail type {@link detailTypeOf} the type unless given.
 */
export function defineEvent<TType extends string, TData extends z.ZodType>(
  definition: Omit<EventDefinition<TType, TData>, 'schemaVersion' | 'detailType'> &
    Partial<Pick<EventDefinition, 'schemaVersion' | 'detailType'>>,
): EventDefinition<TType, TData> {
  return Object.freeze({
    schemaVersion: 1,
    detailType: detailTypeOf(definition.type),
    ...definition,
  });
}

/** Where an event happened and who caused it: the part of a pending event an aggregate adds. */
export interface EventOrigin {
  readonly aggregateId: string;
  readonly aggregateVersion: number;
  readonly projectId: string | null;
  readonly actor: string | null;
  readonly occurredAt: string;
}

/**
 * An event as raised by an aggregate, before it is stored: the store adds the event id and the
 * request's correlation id to make the envelope. Without a type argument, any event (what the
 * platform stores and moves); with a union of definitions, the discriminated union of their events.
 */
export type PendingEvent<D extends EventDefinition = EventDefinition> = D extends EventDefinition
  ? EventOrigin & {
      readonly type: D['type'];
      readonly schemaVersion: number;
      readonly data: z.infer<D['data']>;
    }
  : never;

/** Raises an event of `definition`: the pending event with the definition's type and version. */
export function pendingEvent<D extends EventDefinition>(
  definition: D,
  data: PendingEvent<D>['data'],
  origin: EventOrigin,
): PendingEvent<D> {
  return {
    type: definition.type,
    schemaVersion: definition.schemaVersion,
    data,
    ...origin,
  } as PendingEvent<D>;
}

/** The events a system emits, each type defined once, with lookup by type. */
export interface EventCatalog {
  /** Every definition, in the order given. */
  readonly definitions: readonly EventDefinition[];
  /** The definition of an event type, or undefined for a name the catalog does not hold. */
  definitionOf(type: string): EventDefinition | undefined;
}

/** A catalog of the given definitions; throws when two share a type or a detail type. */
export function eventCatalog(...groups: readonly (readonly EventDefinition[])[]): EventCatalog {
  const definitions = Object.freeze(groups.flat());
  const byType = new Map<string, EventDefinition>();
  const detailTypes = new Set<string>();
  for (const definition of definitions) {
    if (byType.has(definition.type))
      throw new Error(`event type ${definition.type} is defined twice`);
    if (detailTypes.has(definition.detailType)) {
      throw new Error(`detail type ${definition.detailType} is defined twice`);
    }
    byType.set(definition.type, definition);
    detailTypes.add(definition.detailType);
  }
  return { definitions, definitionOf: (type) => byType.get(type) };
}
