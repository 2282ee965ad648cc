import { EVENT_RULES } from '@taskflow/platform-event-routing';
import { LocalEventBus, type PutEventsEntry } from '@taskflow/platform-local-bus';
import { count, useTestDatabase } from '@taskflow/platform-postgres/testing';
import { createTestDatabase } from '@taskflow/platform-testing';
import { eventCatalog } from '@taskflow/platform-events';
import { PROJECT_EVENTS } from '@taskflow/projects-domain';
import { TASK_EVENTS, TASK_INSTANT_RULE } from '@taskflow/tasks-domain';
import { USER_EVENTS } from '@taskflow/users-domain';
import type { EventBridgeEvent } from 'aws-lambda';
import { PermanentEventError, TransientEventError } from './event-processing.error';
import { defaultProjectIdFor } from './task.processor';
import {
  PROCESSOR_OPTIONS,
  eventId,
  footprint,
  inboundEvent,
  openProcessorFixture,
} from './testing/processor.fixture';

// The seed's `aws events put-events --entries` example, verbatim (000_854b874638a00669.txt).
const SEED_ENTRIES_JSON = `[{
  "Source": "task.management",
  "DetailType": "Task Created",
  "Detail": "{\\"eventType\\":\\"task.created\\",\\"taskData\\":{\\"title\\":\\"Test Task\\",\\"description\\":\\"Testing the system\\",\\"priority\\":\\"high\\",\\"assigned_to\\":\\"user@example.com\\",\\"created_by\\":\\"manager@example.com\\"}}",
  "EventBusName": "real-time-task-mgmt-events-xxxxx"
}]`;

const INBOX_ID = defaultProjectIdFor(
  PROCESSOR_OPTIONS.systemUserEmail,
  PROCESSOR_OPTIONS.defaultProjectName,
);

/** The seed's task.created detail, as its producers send it. */
interface SeedCreatedDetail {
  readonly eventType: 'task.created';
  readonly taskData: Readonly<Record<string, unknown>>;
}

const f = useTestDatabase('task_processor', openProcessorFixture);
const EVENTS = eventCatalog(TASK_EVENTS, USER_EVENTS, PROJECT_EVENTS);

/** A local bus whose processor target is the fixture's processor and whose DLQ is the table. */
function localBus(): LocalEventBus {
  return new LocalEventBus({
    rules: EVENT_RULES,
    events: EVENTS,
    targets: { processor: (event) => f.processor.process(event) },
    deadLetters: (letter) => f.persistence.deadLetters.add(letter),
    sleep: () => Promise.resolve(),
  });
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

async function userIdOf(email: string): Promise<string> {
  const user = await f.persistence.users.findByEmail(email);
  if (user === null) throw new Error(`no user ${email}`);
  return user.id;
}

async function roleIn(projectId: string, userId: string): Promise<string | null> {
  const access = await f.persistence.projects.accessFor(projectId, [userId]);
  return access?.roleOf(userId) ?? null;
}

/** Creates a task through the processor; returns its id. */
async function createdTask(taskData: Record<string, unknown>): Promise<string> {
  const outcome = await f.processor.process(
    inboundEvent('Task Created', { eventType: 'task.created', taskData }),
  );
  return outcome.taskId;
}

describe('TaskProcessor: the seed example through the local bus', () => {
  it('creates the task in the default project, provisioning creator and assignee by e-mail', async () => {
    // Prepare
    const bus = localBus();
    const entries = JSON.parse(SEED_ENTRIES_JSON) as PutEventsEntry[];

    // Act
    const result = await bus.putEvents(entries);
    await bus.drain();

    // Assess
    expect(result.FailedEntryCount).toBe(0);
    const first = result.Entries[0];
    if (first === undefined || !('EventId' in first)) throw new Error('entry refused');
    const managerId = await userIdOf('manager@example.com');
    const userId = await userIdOf('user@example.com');
    const { rows } = await f.persistence.db.query<{ id: string }>({
      text: 'SELECT id FROM tasks WHERE title = $1',
      values: ['Test Task'],
    });
    expect(rows).toHaveLength(1);
    const taskId = rows[0]?.id ?? '';
    const task = await f.tasks.get(taskId, { actorId: managerId, correlationId: null });
    expect(task).toMatchObject({
      projectId: INBOX_ID,
      title: 'Test Task',
      description: 'Testing the system',
      priority: 'high',
      status: 'pending',
      createdBy: managerId,
      assigneeId: userId,
    });
    expect((await f.users.get(managerId, { actorId: managerId, correlationId: null })).name).toBe(
      'manager',
    );
    expect((await f.users.get(userId, { actorId: userId, correlationId: null })).name).toBe('user');
    const inbox = await f.projects.get(INBOX_ID, { actorId: managerId, correlationId: null });
    expect(inbox.name).toBe('Inbox');
    expect(await roleIn(INBOX_ID, managerId)).toBe('editor');
    expect(await roleIn(INBOX_ID, userId)).toBe('editor');
    expect(await roleIn(INBOX_ID, await userIdOf('system@taskflow.local'))).toBe('owner');
    const taskEvents = await f.persistence.db.query<{ type: string; correlation_id: string }>({
      text: 'SELECT type, correlation_id FROM outbox WHERE aggregate_id = $1 ORDER BY aggregate_version, type',
      values: [taskId],
    });
    expect(taskEvents.rows).toEqual([
      { type: 'task.assigned', correlation_id: first.EventId },
      { type: 'task.created', correlation_id: first.EventId },
    ]);
    expect(
      await count(
        f.persistence.db,
        'SELECT count(*) AS n FROM processed_events WHERE event_id = $1',
        [first.EventId],
      ),
    ).toBe(1);
    expect(await f.persistence.deadLetters.list({ limit: 10, includeReplayed: true })).toEqual([]);
  });
});

describe('TaskProcessor commands', () => {
  it('applies task.updated with snake_case updates and the seed status spelling', async () => {
    // Prepare
    const taskId = await createdTask({ title: 'Draft', created_by: 'ann@example.com' });
    const event = inboundEvent('Task Updated', {
      eventType: 'task.updated',
      taskId,
      updates: {
        status: 'in-progress',
        priority: 'Urgent',
        assigned_to: 'bob@example.com',
        due_date: '2030-05-01T00:00:00Z',
        title: 'Final',
      },
      updatedBy: 'carl@example.com',
    });

    // Act
    const outcome = await f.processor.process(event);

    // Assess
    const carlId = await userIdOf('carl@example.com');
    const bobId = await userIdOf('bob@example.com');
    expect(outcome).toEqual({
      eventId: event.id,
      eventType: 'task.updated',
      taskId,
      projectId: INBOX_ID,
      taskVersion: 2,
      duplicate: false,
    });
    const task = await f.tasks.get(taskId, { actorId: carlId, correlationId: null });
    expect(task).toMatchObject({
      title: 'Final',
      status: 'in_progress',
      priority: 'urgent',
      assigneeId: bobId,
      dueDate: '2030-05-01T00:00:00.000Z',
    });
    expect(await roleIn(INBOX_ID, carlId)).toBe('editor');
    const history = await f.tasks.history(taskId, { actorId: carlId, correlationId: null });
    expect(history.at(-1)).toMatchObject({ version: 2, actorId: carlId });
  });

  it('applies task.completed as the person who completed it', async () => {
    // Prepare
    const taskId = await createdTask({
      title: 'Ship it',
      created_by: 'dora@example.com',
      status: 'todo',
    });
    const event = inboundEvent('Task Completed', {
      eventType: 'task.completed',
      taskId,
      completedBy: 'dora@example.com',
    });

    // Act
    const outcome = await f.processor.process(event);

    // Assess
    const doraId = await userIdOf('dora@example.com');
    const task = await f.tasks.get(taskId, { actorId: doraId, correlationId: null });
    expect(outcome.taskVersion).toBe(2);
    expect(task.status).toBe('completed');
    expect(task.completedAt).not.toBeNull();
    const completed = await f.persistence.db.query<{ payload: string }>({
      text: "SELECT payload FROM outbox WHERE aggregate_id = $1 AND type = 'task.completed'",
      values: [taskId],
    });
    expect(completed.rows.map((r) => JSON.parse(r.payload) as unknown)).toEqual([
      expect.objectContaining({
        actor: doraId,
        correlationId: event.id,
        data: expect.objectContaining({ completedBy: doraId }),
      }),
    ]);
  });

  it('creates in an explicit project when the creator may write there', async () => {
    // Prepare
    const owner = await f.users.ensureByEmail({ name: 'Olga', email: 'olga@example.com' }, null);
    const project = await f.projects.create(
      { name: 'Launch' },
      { actorId: owner.id, correlationId: null },
    );

    // Act
    const outcome = await f.processor.process(
      inboundEvent('Task Created', {
        eventType: 'task.created',
        taskData: {
          title: 'Plan',
          project_id: project.id,
          created_by: 'OLGA@example.com',
          due_date: '2030-01-02T03:04:05+02:00',
        },
      }),
    );

    // Assess
    const task = await f.tasks.get(outcome.taskId, { actorId: owner.id, correlationId: null });
    expect(task).toMatchObject({
      projectId: project.id,
      createdBy: owner.id,
      dueDate: '2030-01-02T01:04:05.000Z',
    });
  });
});

describe('TaskProcessor idempotency', () => {
  it('changes nothing when the same event is delivered twice', async () => {
    // Prepare
    const event = inboundEvent('Task Created', {
      eventType: 'task.created',
      taskData: { title: 'Once', created_by: 'eve@example.com', assigned_to: 'finn@example.com' },
    });
    const first = await f.processor.process(event);
    const before = await footprint(f.persistence);
    const outboxOfEvent = (): Promise<number> =>
      count(f.persistence.db, 'SELECT count(*) AS n FROM outbox WHERE correlation_id = $1', [
        event.id,
      ]);
    const eventRows = await outboxOfEvent();

    // Act
    const second = await f.processor.process(event);

    // Assess
    expect(second).toEqual({ ...first, duplicate: true });
    expect(await footprint(f.persistence)).toEqual(before);
    expect(
      await count(f.persistence.db, "SELECT count(*) AS n FROM tasks WHERE title = 'Once'"),
    ).toBe(1);
    // user.created and project.member_added for both people, task.created, task.assigned.
    expect(eventRows).toBe(6);
    expect(await outboxOfEvent()).toBe(eventRows);
  });

  it('gives two concurrent deliveries of one event one effect', async () => {
    // Prepare
    const event = inboundEvent('Task Created', {
      eventType: 'task.created',
      taskData: { title: 'Racing', created_by: 'gus@example.com' },
    });
    const other = f.newProcessor();

    // Act
    const [a, b] = await Promise.all([f.processor.process(event), other.process(event)]);

    // Assess
    expect([a.duplicate, b.duplicate].sort()).toEqual([false, true]);
    expect(a.taskId).toBe(b.taskId);
    expect(
      await count(f.persistence.db, "SELECT count(*) AS n FROM tasks WHERE title = 'Racing'"),
    ).toBe(1);
    expect(
      await count(
        f.persistence.db,
        "SELECT count(*) AS n FROM outbox WHERE correlation_id = $1 AND type = 'task.created'",
        [event.id],
      ),
    ).toBe(1);
  });
});

describe('TaskProcessor failures', () => {
  it.each<{
    case: string;
    detailType: string;
    detail: Record<string, unknown>;
    code: string;
    reason: RegExp;
  }>([
    {
      case: 'a missing title',
      detailType: 'Task Created',
      detail: {
        eventType: 'task.created',
        taskData: { description: 'no title', created_by: 'x@example.com' },
      },
      code: 'INVALID_EVENT',
      reason: /detail\.taskData\.title/,
    },
    {
      case: 'an unknown eventType',
      detailType: 'Task Created',
      detail: { eventType: 'task.deleted', taskId: '0190a5f2-7c3e-7abc-8def-000000000001' },
      code: 'UNKNOWN_EVENT',
      reason: /detail\.eventType: "task\.deleted"/,
    },
    {
      case: 'a bad priority',
      detailType: 'Task Created',
      detail: { eventType: 'task.created', taskData: { title: 'T', priority: 'super-high' } },
      code: 'INVALID_EVENT',
      reason: /detail\.taskData\.priority: "super-high" is not one of/,
    },
    {
      case: 'a bad status',
      detailType: 'Task Created',
      detail: { eventType: 'task.created', taskData: { title: 'T', status: 'waiting' } },
      code: 'INVALID_EVENT',
      reason: /detail\.taskData\.status/,
    },
    {
      case: 'an unknown field',
      detailType: 'Task Created',
      detail: { eventType: 'task.created', taskData: { title: 'T', owner: 'x@example.com' } },
      code: 'INVALID_EVENT',
      reason: /detail\.taskData: Unrecognized key: "owner"/,
    },
    {
      case: 'a bad e-mail',
      detailType: 'Task Created',
      detail: {
        eventType: 'task.created',
        taskData: { title: 'T', assigned_to: 'not-an-address' },
      },
      code: 'INVALID_EVENT',
      reason: /detail\.taskData\.assigned_to: must be a valid e-mail address/,
    },
    // The domain's one instant rule decides, so the code and message are those of HTTP.
    ...[
      { case: 'a bare date (the rule wants a date-time with offset)', due: '2030-05-01' },
      { case: 'a day that does not exist', due: '2025-02-30T00:00:00Z' },
      { case: 'year 0000', due: '0000-01-01T00:00:00Z' },
      { case: 'a UTC instant in year 0', due: '0001-01-01T00:00:00+01:00' },
      { case: 'a UTC instant in year 10000', due: '9999-12-31T23:59:59-23:59' },
    ].map(({ case: name, due }) => ({
      case: `a due date: ${name}`,
      detailType: 'Task Created',
      detail: { eventType: 'task.created', taskData: { title: 'T', due_date: due } },
      code: 'INVALID_FIELD',
      reason: new RegExp(
        `^INVALID_FIELD: detail\\.taskData\\.due_date: ${escapeRegExp(TASK_INSTANT_RULE)}$`,
      ),
    })),
    {
      case: 'a NUL character (PostgreSQL text cannot hold one)',
      detailType: 'Task Created',
      detail: { eventType: 'task.created', taskData: { title: 'bad\u0000title' } },
      code: 'INVALID_EVENT',
      reason: /detail\.taskData\.title: must not contain the NUL character/,
    },
    {
      case: 'a title too long for the domain',
      detailType: 'Task Created',
      detail: { eventType: 'task.created', taskData: { title: 'x'.repeat(201) } },
      code: 'INVALID_FIELD',
      reason: /INVALID_FIELD: detail\.taskData\.title: must be at most 200 characters/,
    },
    {
      case: 'a detail type that does not go with the eventType',
      detailType: 'Task Updated',
      detail: { eventType: 'task.created', taskData: { title: 'T' } },
      code: 'INVALID_EVENT',
      reason: /does not go with detail\.eventType task\.created/,
    },
    {
      case: 'updates that change nothing',
      detailType: 'Task Updated',
      detail: {
        eventType: 'task.updated',
        taskId: '0190a5f2-7c3e-7abc-8def-000000000001',
        updates: {},
      },
      code: 'INVALID_EVENT',
      reason: /detail\.updates: must change at least one field/,
    },
  ])(
    'refuses $case for good, writing nothing, and the bus dead-letters it',
    async ({ detailType, detail, code, reason }) => {
      // Prepare
      const scratch = await createTestDatabase('task_processor_refusals');
      const local = await openProcessorFixture(scratch.url);
      const bus = new LocalEventBus({
        rules: EVENT_RULES,
        events: EVENTS,
        targets: { processor: (event) => local.processor.process(event) },
        deadLetters: (letter) => local.persistence.deadLetters.add(letter),
        sleep: () => Promise.resolve(),
      });
      try {
        const empty = await footprint(local.persistence);

        // Act
        const direct = local.processor.process(inboundEvent(detailType, detail));
        const put = await bus.putEvents([
          { Source: 'task.management', DetailType: detailType, Detail: JSON.stringify(detail) },
        ]);
        await bus.drain();

        // Assess
        await expect(direct).rejects.toBeInstanceOf(PermanentEventError);
        await expect(direct).rejects.toMatchObject({
          code,
          retryable: false,
          message: expect.stringMatching(reason),
        });
        // A schema refusal writes nothing at all; a domain refusal rolls its transaction back,
        // leaving only the system user and default project set up before it.
        const after = await footprint(local.persistence);
        if (code === 'INVALID_FIELD')
          expect(after).toMatchObject({ tasks: 0, task_updates: 0, processed_events: 0, users: 1 });
        else expect(after).toEqual(empty);
        const letters = await local.persistence.deadLetters.list({
          limit: 10,
          includeReplayed: false,
        });
        const first = put.Entries[0];
        expect(letters).toEqual([
          expect.objectContaining({
            source: 'task.management',
            detailType,
            target: 'processor',
            attempts: 1,
            reason: expect.stringMatching(reason),
            event: expect.objectContaining({
              id: first !== undefined && 'EventId' in first ? first.EventId : '',
              detail,
            }),
          }),
        ]);
      } finally {
        await local.persistence.close();
        await scratch.drop();
      }
    },
  );

  it('refuses task.updated with a due date in UTC year 10000, naming detail.updates.due_date', async () => {
    // Prepare
    const taskId = await createdTask({ title: 'Dated', due_date: '2030-01-01T00:00:00Z' });
    const event = inboundEvent('Task Updated', {
      eventType: 'task.updated',
      taskId,
      updates: { due_date: '9999-12-31T23:59:59-23:59' },
    });

    // Act
    const outcome = f.processor.process(event);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'PermanentEventError',
      code: 'INVALID_FIELD',
      retryable: false,
      message: `INVALID_FIELD: detail.updates.due_date: ${TASK_INSTANT_RULE}`,
    });
    const stored = await f.persistence.tasks.findById(taskId);
    expect(stored?.snapshot()).toMatchObject({ version: 1, dueDate: '2030-01-01T00:00:00.000Z' });
  });

  it('refuses an unknown taskId for good, recording nothing as processed', async () => {
    // Prepare
    const event = inboundEvent('Task Completed', {
      eventType: 'task.completed',
      taskId: '0190a5f2-7c3e-7abc-8def-00000000dead',
      completedBy: 'hana@example.com',
    });

    // Act
    const outcome = f.processor.process(event);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'PermanentEventError',
      code: 'TASK_NOT_FOUND',
      retryable: false,
      message: 'TASK_NOT_FOUND: task 0190a5f2-7c3e-7abc-8def-00000000dead not found',
    });
    expect(
      await count(
        f.persistence.db,
        'SELECT count(*) AS n FROM processed_events WHERE event_id = $1',
        [event.id],
      ),
    ).toBe(0);
    expect(await f.persistence.users.findByEmail('hana@example.com')).toBeNull();
  });

  it('refuses a creator who is not a member of the explicit project, and replays once they are', async () => {
    // Prepare
    const owner = await f.users.ensureByEmail({ name: 'Ivy', email: 'ivy@example.com' }, null);
    const project = await f.projects.create(
      { name: 'Private' },
      { actorId: owner.id, correlationId: null },
    );
    const event = inboundEvent('Task Created', {
      eventType: 'task.created',
      taskData: { title: 'Sneaky', project_id: project.id, created_by: 'jack@example.com' },
    });

    // Act
    const refused = f.processor.process(event);
    await expect(refused).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND', retryable: false });
    const jack = await f.users.ensureByEmail({ name: 'jack', email: 'jack@example.com' }, null);
    await f.projects.addMember(
      { projectId: project.id, userId: jack.id, role: 'editor' },
      { actorId: owner.id, correlationId: null },
    );
    const replayed = await f.processor.process(event);

    // Assess
    expect(replayed).toMatchObject({ projectId: project.id, duplicate: false });
    expect(
      await count(f.persistence.db, "SELECT count(*) AS n FROM tasks WHERE title = 'Sneaky'"),
    ).toBe(1);
  });

  it('reports a database that is down as transient (retry, then dead-letter)', async () => {
    // Prepare
    const scratch = await createTestDatabase('task_processor_down');
    const local = await openProcessorFixture(scratch.url);
    await local.persistence.close();

    try {
      // Act
      const outcome = local.processor.process(
        inboundEvent('Task Created', { eventType: 'task.created', taskData: { title: 'Lost?' } }),
      );

      // Assess
      await expect(outcome).rejects.toBeInstanceOf(TransientEventError);
      await expect(outcome).rejects.toMatchObject({ code: 'TRANSIENT', retryable: true });
    } finally {
      await scratch.drop();
    }
  });
});

describe('TaskProcessor.process (Lambda-shaped invocations)', () => {
  /** An EventBridge event exactly as Lambda receives it (`@types/aws-lambda`). */
  function lambdaEvent<TDetailType extends string, TDetail>(
    detailType: TDetailType,
    detail: TDetail,
    source = 'task.management',
  ): EventBridgeEvent<TDetailType, TDetail> {
    return {
      version: '0',
      id: eventId(),
      'detail-type': detailType,
      source,
      account: '123456789012',
      time: '2025-06-01T12:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail,
    };
  }

  it('processes the seed event and answers the outcome', async () => {
    // Prepare
    const event = lambdaEvent<'Task Created', SeedCreatedDetail>('Task Created', {
      eventType: 'task.created',
      taskData: {
        title: 'From Lambda',
        priority: 'low',
        created_by: 'kim@example.com',
        assigned_to: 'kim@example.com',
      },
    });

    // Act
    const outcome = await f.processor.process(event);

    // Assess
    expect(outcome).toMatchObject({
      eventId: event.id,
      eventType: 'task.created',
      projectId: INBOX_ID,
      duplicate: false,
    });
    const kimId = await userIdOf('kim@example.com');
    const task = await f.tasks.get(outcome.taskId, { actorId: kimId, correlationId: null });
    expect(task).toMatchObject({
      title: 'From Lambda',
      priority: 'low',
      assigneeId: kimId,
      createdBy: kimId,
    });
  });

  it('answers a Lambda retry of the same invocation as a duplicate', async () => {
    // Prepare
    const event = lambdaEvent('Task Created', {
      eventType: 'task.created',
      taskData: { title: 'Retried' },
    });
    const first = await f.processor.process(event);

    // Act
    const retry = await f.processor.process(event);

    // Assess
    expect(retry).toEqual({ ...first, duplicate: true });
  });

  it.each([
    {
      case: 'our own event (no loops)',
      event: lambdaEvent(
        'Task Created',
        { eventType: 'task.created', taskData: { title: 'Loop' } },
        'taskflow.tasks',
      ),
      code: 'UNKNOWN_EVENT',
    },
    {
      case: 'a detail that is not an object',
      event: lambdaEvent('Task Created', 'task.created'),
      code: 'INVALID_EVENT',
    },
    {
      case: 'an event without id',
      event: { ...lambdaEvent('Task Created', { eventType: 'task.created' }), id: '' },
      code: 'INVALID_EVENT',
    },
  ])('rejects $case permanently', async ({ event, code }) => {
    // Act
    const outcome = f.processor.process(event);

    // Assess
    await expect(outcome).rejects.toMatchObject({
      name: 'PermanentEventError',
      code,
      retryable: false,
    });
  });
});
