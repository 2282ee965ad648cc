import { type EventEnvelope, toEnvelope } from '@taskflow/platform-events';
import { SAMPLE_IDS } from './sample-ids';

const { EDITOR, OWNER, PROJECT_ID, TASK_ID } = SAMPLE_IDS;

/** What a sample envelope may differ in; the rest is the sample project's. */
export interface SampleEnvelopeOptions {
  /** The envelope's id (default: a fixed one). */
  readonly id?: string;
  /** Default: the sample project. */
  readonly projectId?: string;
  /** Default: OWNER. */
  readonly actor?: string;
  /** Default: 2026-01-01T12:00:00.000Z. */
  readonly occurredAt?: string;
  /** Default: 2. */
  readonly aggregateVersion?: number;
  /** Default: null. */
  readonly correlationId?: string | null;
}

/** An event's type with its data, and the aggregate that raised it. */
interface SampleEvent {
  readonly type: string;
  readonly data: unknown;
  readonly aggregateId: string;
}

/** The sample event's envelope at a fixed time, in the sample project, by OWNER. */
function sampleEnvelope(event: SampleEvent, options: SampleEnvelopeOptions): EventEnvelope {
  return toEnvelope(
    {
      ...event,
      schemaVersion: 1,
      aggregateVersion: options.aggregateVersion ?? 2,
      projectId: options.projectId ?? PROJECT_ID,
      actor: options.actor ?? OWNER,
      occurredAt: options.occurredAt ?? SAMPLE_TIME,
    },
    options.id ?? '0190a5f2-7c3e-7abc-8def-0000000000e1',
    options.correlationId ?? null,
  );
}

const SAMPLE_TIME = '2026-01-01T12:00:00.000Z';

/** Envelopes of sample events, as the consumers of the bus and the outbox get them. */
export const sampleEnvelopes = {
  /** A `task.deleted` of the sample task (or `aggregateId`). */
  taskDeleted(
    options: SampleEnvelopeOptions & { readonly aggregateId?: string } = {},
  ): EventEnvelope {
    const deleted = { deletedAt: options.occurredAt ?? SAMPLE_TIME };
    const aggregateId = options.aggregateId ?? TASK_ID;
    return sampleEnvelope({ type: 'task.deleted', data: deleted, aggregateId }, options);
  },

  /** A `project.member_removed` of `userId` (default: EDITOR), an editor. */
  memberRemoved(options: SampleEnvelopeOptions & { readonly userId?: string } = {}): EventEnvelope {
    const removed = { userId: options.userId ?? EDITOR, role: 'editor' as const };
    const aggregateId = options.projectId ?? PROJECT_ID;
    return sampleEnvelope({ type: 'project.member_removed', data: removed, aggregateId }, options);
  },
};
