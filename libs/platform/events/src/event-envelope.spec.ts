import {
  type EventEnvelope,
  envelopeJson,
  parseEnvelopeJson,
  serializeEnvelope,
  toEnvelope,
} from './event-envelope';

const envelope: EventEnvelope = toEnvelope(
  {
    type: 'task.deleted',
    schemaVersion: 1,
    data: { deletedAt: '2025-01-01T00:00:00.000Z' },
    aggregateId: '0190a5f2-7c3e-7abc-8def-000000000001',
    aggregateVersion: 2,
    projectId: '0190a5f2-7c3e-7abc-8def-000000000002',
    actor: '0190a5f2-7c3e-7abc-8def-000000000003',
    occurredAt: '2025-01-01T00:00:00.000Z',
  },
  '0190a5f2-7c3e-7abc-8def-000000000004',
  'req-1',
);

describe('serializeEnvelope', () => {
  it('carries the fields a bus routes on and the envelope as JSON', () => {
    // Act
    const serialized = serializeEnvelope(envelope);

    // Assess
    expect(serialized).toEqual({
      id: envelope.id,
      type: 'task.deleted',
      occurredAt: '2025-01-01T00:00:00.000Z',
      json: JSON.stringify(envelope),
    });
    expect(JSON.parse(serialized.json)).toEqual(envelope);
  });

  it('keeps the text an envelope was read from, byte for byte', () => {
    // Prepare: stored text laid out differently from what JSON.stringify would write.
    const stored = JSON.stringify(envelope, null, 2);

    // Act
    const serialized = serializeEnvelope(parseEnvelopeJson(stored));

    // Assess
    expect(serialized.json).toBe(stored);
    expect(envelopeJson(parseEnvelopeJson(stored))).toBe(stored);
  });
});
