import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventJsonSchemas, renderEventIndex } from '@taskflow/platform-events';
import { TASKFLOW_EVENTS } from './events';

const DOCS = join(__dirname, '..', '..', '..', '..', 'docs', 'events');

describe('published event JSON Schemas (docs/events)', () => {
  it('holds one schema per event definition and nothing else', () => {
    const files = readdirSync(DOCS)
      .filter((f) => f.endsWith('.schema.json'))
      .sort();
    expect(files).toEqual(
      TASKFLOW_EVENTS.definitions.map((d) => `${d.type}.v${d.schemaVersion}.schema.json`).sort(),
    );
  });

  it.each(eventJsonSchemas(TASKFLOW_EVENTS).map((s) => [s.fileName, s] as const))(
    '%s matches the definitions (run `npm run events:schemas` after changing an event)',
    (fileName, generated) => {
      expect(JSON.parse(readFileSync(join(DOCS, fileName), 'utf8'))).toEqual(generated.schema);
    },
  );

  it('the index lists every schema', () => {
    expect(readFileSync(join(DOCS, 'README.md'), 'utf8')).toBe(
      renderEventIndex(eventJsonSchemas(TASKFLOW_EVENTS)),
    );
  });

  it('each schema requires the whole envelope and pins type and version', () => {
    for (const { schema, type, schemaVersion } of eventJsonSchemas(TASKFLOW_EVENTS)) {
      expect(schema['required']).toEqual(
        expect.arrayContaining([
          'id',
          'type',
          'schemaVersion',
          'occurredAt',
          'aggregateId',
          'aggregateVersion',
          'data',
        ]),
      );
      const properties = schema['properties'] as Record<string, Record<string, unknown>>;
      expect(properties['type']?.['const']).toBe(type);
      expect(properties['schemaVersion']?.['const']).toBe(schemaVersion);
    }
  });
});
