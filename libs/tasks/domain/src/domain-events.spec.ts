// Every event the aggregates raise, checked against its published contract. It lives here
// because tasks is the one bounded context that may import users, projects and tasks alike.
import {
  envelopeSchemaOf,
  eventCatalog,
  type EventEnvelope,
  type PendingEvent,
  toEnvelope,
} from '@taskflow/platform-events';
import { PROJECT_EVENTS, Project } from '@taskflow/projects-domain';
import { USER_EVENTS, User } from '@taskflow/users-domain';
import { Comment } from './comment.aggregate';
import { Task } from './task.aggregate';
import { TASK_EVENTS } from './task.events';
import { SAMPLE_IDS } from '@taskflow/platform-testing';

const EVENTS = eventCatalog(TASK_EVENTS, USER_EVENTS, PROJECT_EVENTS);
const { PROJECT_ID, TASK_ID, COMMENT_ID, OWNER, EDITOR } = SAMPLE_IDS;

const at = (hour: number): Date => new Date(Date.UTC(2025, 0, 1, hour));

/** Events of every type, each raised by the real aggregate that owns it. */
function raisedByTheAggregates(): PendingEvent[] {
  const events: PendingEvent[] = [];
  events.push(
    ...User.create({
      id: OWNER,
      name: 'Ada',
      email: 'ada@example.com',
      actorId: null,
      now: at(0),
    }).pullEvents(),
  );

  const project = Project.create({ id: PROJECT_ID, name: 'Apollo', creatorId: OWNER, now: at(1) });
  project.addMember({ actorId: OWNER, userId: EDITOR, role: 'editor', now: at(2) });
  project.removeMember({ actorId: OWNER, userId: EDITOR, now: at(3) });
  project.addMember({ actorId: OWNER, userId: EDITOR, role: 'viewer', now: at(4) });
  project.changeMemberRole({ actorId: OWNER, userId: EDITOR, role: 'editor', now: at(4) });
  events.push(...project.pullEvents());

  const access = project.access();
  const task = Task.create({
    id: TASK_ID,
    projectId: PROJECT_ID,
    title: 'Launch',
    fields: { assigneeId: EDITOR, dueDate: '2025-02-01T10:00:00+01:00', labels: ['a'] },
    actorId: OWNER,
    access,
    now: at(5),
  });
  task.update(
    { status: 'completed', assigneeId: OWNER, labels: ['a', 'b'] },
    EDITOR,
    access,
    at(6),
  );
  task.delete(OWNER, access, at(7));
  events.push(...task.pullEvents());

  events.push(
    ...Comment.create({
      id: COMMENT_ID,
      taskId: TASK_ID,
      projectId: PROJECT_ID,
      body: 'Ship it',
      authorId: EDITOR,
      access,
      now: at(8),
    }).pullEvents(),
  );
  return events;
}

const envelopes: EventEnvelope[] = raisedByTheAggregates().map((event, i) =>
  toEnvelope(
    event,
    `0190a5f2-7c3e-7abc-8def-${i.toString(16).padStart(12, '0')}`,
    i % 2 === 0 ? `req-${i}` : null,
  ),
);

describe('events raised by the aggregates', () => {
  it('cover every defined event type', () => {
    // Act
    const raised = new Set(envelopes.map((e) => e.type));

    // Assess
    expect([...raised].sort()).toEqual(EVENTS.definitions.map((d) => d.type).sort());
  });

  it.each(envelopes.map((envelope) => ({ type: envelope.type, envelope })))(
    '$type (version $envelope.aggregateVersion) matches its envelope schema',
    ({ type, envelope }) => {
      // Prepare
      const definition = EVENTS.definitionOf(type);
      if (definition === undefined) throw new Error(`no definition for ${type}`);

      // Act
      const result = envelopeSchemaOf(definition).safeParse(envelope);

      // Assess
      expect(result.error?.issues ?? []).toEqual([]);
      expect(result.data).toEqual(envelope);
    },
  );

  it.each(envelopes.map((envelope) => ({ type: envelope.type, envelope })))(
    '$type (version $envelope.aggregateVersion) survives the outbox as JSON unchanged',
    ({ type, envelope }) => {
      // Prepare
      const definition = EVENTS.definitionOf(type);
      if (definition === undefined) throw new Error(`no definition for ${type}`);

      // Act
      const stored: unknown = JSON.parse(JSON.stringify(envelope));

      // Assess
      expect(stored).toEqual(envelope);
      expect(envelopeSchemaOf(definition).safeParse(stored).success).toBe(true);
    },
  );
});
