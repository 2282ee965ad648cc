import { z } from 'zod';
import { defineEvent, detailTypeOf, eventCatalog, pendingEvent } from './event-definitions';
import { envelopeSchemaOf, toEnvelope } from './event-envelope';

const TASK_ID = '0190a5f2-7c3e-7abc-8def-000000000001';
const PROJECT_ID = '0190a5f2-7c3e-7abc-8def-000000000002';
const ACTOR_ID = '0190a5f2-7c3e-7abc-8def-000000000003';
const EVENT_ID = '0190a5f2-7c3e-7abc-8def-000000000004';

// Definitions of this spec's own: the contexts' real ones are checked in app-composition.
const archived = defineEvent({
  type: 'note.archived',
  schemaVersion: 3,
  detailType: 'Note Archived',
  description: 'A note was archived.',
  data: z.object({ archivedAt: z.iso.datetime({ offset: true }) }),
});
const pinned = defineEvent({
  type: 'note.pinned',
  schemaVersion: 1,
  detailType: 'Note Pinned',
  description: 'A note was pinned.',
  data: z.object({ by: z.uuid() }),
});

const origin = {
  aggregateId: TASK_ID,
  aggregateVersion: 2,
  projectId: PROJECT_ID,
  actor: ACTOR_ID,
  occurredAt: '2025-01-01T00:00:00.000Z',
};
const archivedEvent = pendingEvent(archived, { archivedAt: '2025-01-01T00:00:00.000Z' }, origin);

describe('defineEvent', () => {
  it('freezes the definition', () => {
    // Assess
    expect(Object.isFrozen(archived)).toBe(true);
  });
});

describe('eventCatalog', () => {
  it('finds each definition by type, in the order given', () => {
    // Act
    const catalog = eventCatalog([archived], [pinned]);

    // Assess
    expect(catalog.definitions).toEqual([archived, pinned]);
    expect(catalog.definitionOf('note.pinned')).toBe(pinned);
    expect(catalog.definitionOf('note.deleted')).toBeUndefined();
  });

  it.each([
    {
      case: 'a type',
      twin: { ...pinned, detailType: 'Note Pinned Again' },
      message: 'event type note.pinned is defined twice',
    },
    {
      case: 'a detail type',
      twin: { ...pinned, type: 'note.repinned' },
      message: 'detail type Note Pinned is defined twice',
    },
  ])('refuses two definitions sharing $case', ({ twin, message }) => {
    // Act
    const act = (): unknown => eventCatalog([pinned], [twin]);

    // Assess
    expect(act).toThrow(message);
  });
});

describe('pendingEvent and toEnvelope', () => {
  it('raise the event with its definition’s type and version', () => {
    // Assess
    expect(archivedEvent).toEqual({
      type: 'note.archived',
      schemaVersion: 3,
      data: { archivedAt: '2025-01-01T00:00:00.000Z' },
      ...origin,
    });
  });

  it('toEnvelope adds the id and the correlation id, keeping the stored key order', () => {
    // Act
    const envelope = toEnvelope(archivedEvent, EVENT_ID, 'req-1');

    // Assess
    expect(envelope).toEqual({ ...archivedEvent, id: EVENT_ID, correlationId: 'req-1' });
    expect(Object.keys(envelope)).toEqual([
      'type',
      'data',
      'aggregateId',
      'aggregateVersion',
      'projectId',
      'actor',
      'occurredAt',
      'id',
      'schemaVersion',
      'correlationId',
    ]);
  });
});

describe('envelopeSchemaOf', () => {
  const schema = envelopeSchemaOf(archived);
  const valid = toEnvelope(archivedEvent, EVENT_ID, null);

  it('accepts a complete envelope of its type', () => {
    // Act
    const result = schema.safeParse(valid);

    // Assess
    expect(result.success).toBe(true);
  });

  it.each([
    { case: 'another type', change: { type: 'note.pinned' } },
    { case: 'another schema version', change: { schemaVersion: archived.schemaVersion + 1 } },
    { case: 'a non-UUID id', change: { id: 'evt-1' } },
    { case: 'a non-UUID aggregate id', change: { aggregateId: 'task-1' } },
    { case: 'a version of 0', change: { aggregateVersion: 0 } },
    { case: 'a fractional version', change: { aggregateVersion: 1.5 } },
    { case: 'a date without offset', change: { occurredAt: '2025-01-01T00:00:00' } },
    { case: 'a payload of the wrong shape', change: { data: { archivedAt: 'yesterday' } } },
    { case: 'a missing payload', change: { data: undefined } },
  ])('rejects $case', ({ change }) => {
    // Act
    const result = schema.safeParse({ ...valid, ...change });

    // Assess
    expect(result.success).toBe(false);
  });
});

describe('detailTypeOf', () => {
  it.each([
    ['task.created', 'Task Created'],
    ['task.status_changed', 'Task Status Changed'],
    ['project.member_removed', 'Project Member Removed'],
  ])('names %s %s, the default detail type', (type, detailType) => {
    // Assess
    expect(detailTypeOf(type)).toBe(detailType);
    expect(defineEvent({ type, description: 'd', data: z.object({}) }).detailType).toBe(detailType);
  });
});
