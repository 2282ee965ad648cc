import { EVENT_DEFINITIONS, eventDefinitionOf, taskDeleted } from './event-definitions';
import { type PendingEvent, envelopeSchemaOf, toEnvelope } from './event-envelope';

const TASK_ID = '0190a5f2-7c3e-7abc-8def-000000000001';
const PROJECT_ID = '0190a5f2-7c3e-7abc-8def-000000000002';
const ACTOR_ID = '0190a5f2-7c3e-7abc-8def-000000000003';
const EVENT_ID = '0190a5f2-7c3e-7abc-8def-000000000004';

// Built by hand on purpose: the round trip of every aggregate-raised event lives in
// libs/tasks/domain (events may not import the aggregates that import it).
const deleted: PendingEvent = {
  type: 'task.deleted',
  data: { deletedAt: '2025-01-01T00:00:00.000Z' },
  aggregateId: TASK_ID,
  aggregateVersion: 2,
  projectId: PROJECT_ID,
  actor: ACTOR_ID,
  occurredAt: '2025-01-01T00:00:00.000Z',
};

describe('EVENT_DEFINITIONS', () => {
  it('names every event type once', () => {
    // Act
    const types = EVENT_DEFINITIONS.map((d) => d.type);

    // Assess
    expect(new Set(types).size).toBe(types.length);
  });

  it('gives every event its own detail type', () => {
    // Act
    const detailTypes = EVENT_DEFINITIONS.map((d) => d.detailType);

    // Assess
    expect(new Set(detailTypes).size).toBe(detailTypes.length);
  });

  it.each(EVENT_DEFINITIONS.map((d) => ({ type: d.type, definition: d })))(
    '$type is versioned, described and dotted',
    ({ definition }) => {
      // Assess
      expect(Number.isInteger(definition.schemaVersion)).toBe(true);
      expect(definition.schemaVersion).toBeGreaterThanOrEqual(1);
      expect(definition.type).toMatch(/^[a-z]+\.[a-z_]+$/);
      expect(definition.detailType.trim()).not.toBe('');
      expect(definition.description.trim()).not.toBe('');
      expect(Object.isFrozen(definition)).toBe(true);
    },
  );

  it.each(EVENT_DEFINITIONS.map((d) => ({ type: d.type, definition: d })))(
    'eventDefinitionOf finds $type',
    ({ type, definition }) => {
      // Act
      const found = eventDefinitionOf(type);

      // Assess
      expect(found).toBe(definition);
    },
  );

  it('knows no other event type', () => {
    // Act
    const found = eventDefinitionOf('task.renamed');

    // Assess
    expect(found).toBeUndefined();
  });
});

describe('toEnvelope', () => {
  it('adds the id, the schema version and the correlation id', () => {
    // Act
    const envelope = toEnvelope(deleted, EVENT_ID, 'req-1');

    // Assess
    expect(envelope).toEqual({
      ...deleted,
      id: EVENT_ID,
      schemaVersion: taskDeleted.schemaVersion,
      correlationId: 'req-1',
    });
  });

  it('throws for an event type nobody defined', () => {
    // Prepare
    const unknown = { ...deleted, type: 'task.renamed' } as unknown as PendingEvent;

    // Act
    const act = (): unknown => toEnvelope(unknown, EVENT_ID, null);

    // Assess
    expect(act).toThrow('unknown event type task.renamed');
  });
});

describe('envelopeSchemaOf', () => {
  const schema = envelopeSchemaOf(taskDeleted);
  const valid = toEnvelope(deleted, EVENT_ID, null);

  it('accepts a complete envelope of its type', () => {
    // Act
    const result = schema.safeParse(valid);

    // Assess
    expect(result.success).toBe(true);
  });

  it.each([
    { case: 'another type', change: { type: 'task.created' } },
    { case: 'another schema version', change: { schemaVersion: taskDeleted.schemaVersion + 1 } },
    { case: 'a non-UUID id', change: { id: 'evt-1' } },
    { case: 'a non-UUID aggregate id', change: { aggregateId: 'task-1' } },
    { case: 'a version of 0', change: { aggregateVersion: 0 } },
    { case: 'a fractional version', change: { aggregateVersion: 1.5 } },
    { case: 'a date without offset', change: { occurredAt: '2025-01-01T00:00:00' } },
    { case: 'a payload of the wrong shape', change: { data: { deletedAt: 'yesterday' } } },
    { case: 'a missing payload', change: { data: undefined } },
  ])('rejects $case', ({ change }) => {
    // Act
    const result = schema.safeParse({ ...valid, ...change });

    // Assess
    expect(result.success).toBe(false);
  });
});
