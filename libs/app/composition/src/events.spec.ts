import { TASKFLOW_EVENTS } from './events';

const definitions = TASKFLOW_EVENTS.definitions.map((d) => ({ type: d.type, definition: d }));

describe('TASKFLOW_EVENTS', () => {
  it('holds the events of every context, each type and detail type once', () => {
    // Act
    const types = TASKFLOW_EVENTS.definitions.map((d) => d.type);
    const detailTypes = TASKFLOW_EVENTS.definitions.map((d) => d.detailType);

    // Assess
    expect(new Set(types).size).toBe(types.length);
    expect(new Set(detailTypes).size).toBe(detailTypes.length);
    expect(new Set(types.map((t) => t.split('.')[0]))).toEqual(
      new Set(['task', 'comment', 'user', 'project']),
    );
  });

  it.each(definitions)('$type is versioned, described and dotted', ({ definition }) => {
    // Assess
    expect(Number.isInteger(definition.schemaVersion)).toBe(true);
    expect(definition.schemaVersion).toBeGreaterThanOrEqual(1);
    expect(definition.type).toMatch(/^[a-z]+\.[a-z_]+$/);
    expect(definition.detailType.trim()).not.toBe('');
    expect(definition.description.trim()).not.toBe('');
    expect(Object.isFrozen(definition)).toBe(true);
  });

  it.each(definitions)('definitionOf finds $type', ({ type, definition }) => {
    // Assess
    expect(TASKFLOW_EVENTS.definitionOf(type)).toBe(definition);
  });

  it('knows no other event type', () => {
    // Assess
    expect(TASKFLOW_EVENTS.definitionOf('task.renamed')).toBeUndefined();
  });
});
