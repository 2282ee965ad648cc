import { envelopeSchemaOf, eventCatalog, type EventEnvelope } from '@taskflow/platform-events';
import { PROJECT_EVENTS, Project } from '@taskflow/projects-domain';
import {
  ConflictError,
  StaleVersionError,
  ValidationError,
  isUuid,
} from '@taskflow/platform-kernel';
import {
  Comment,
  NO_TASK_FILTERS,
  TASK_EVENTS,
  Task,
  type TaskListQuery,
} from '@taskflow/tasks-domain';
import { USER_EVENTS, User } from '@taskflow/users-domain';
import { z } from 'zod';
import { FixedClock, expectRejection } from '@taskflow/platform-testing';
import { type InMemoryPorts, inMemoryPorts } from './in-memory-ports';
import { SequentialIdGenerator } from '@taskflow/platform-testing';

const context = { correlationId: 'req-1' } as const;

/** A world with one owner and one editor in one stored project. */
async function world(): Promise<
  InMemoryPorts & { owner: string; editor: string; project: Project }
> {
  const ports = inMemoryPorts();
  const owner = ports.ids.next();
  const editor = ports.ids.next();
  const project = Project.create({
    id: ports.ids.next(),
    name: 'Apollo',
    creatorId: owner,
    now: ports.clock.now(),
  });
  project.addMember({ actorId: owner, userId: editor, role: 'editor', now: ports.clock.now() });
  await ports.projects.add(project, context);
  return { ...ports, owner, editor, project };
}

async function storedTask(w: Awaited<ReturnType<typeof world>>, title = 'Task'): Promise<Task> {
  const access = w.project.access();
  const task = Task.create({
    id: w.ids.next(),
    projectId: w.project.id,
    title,
    fields: {},
    actorId: w.editor,
    access,
    now: w.clock.now(),
  });
  await w.tasks.add(task, context);
  return task;
}

function validEnvelope(envelope: EventEnvelope): boolean {
  const definition = eventCatalog(TASK_EVENTS, USER_EVENTS, PROJECT_EVENTS).definitionOf(
    envelope.type,
  );
  return definition !== undefined && envelopeSchemaOf(definition).safeParse(envelope).success;
}

describe('SequentialIdGenerator', () => {
  it('issues valid UUIDv7-shaped ids that sort in creation order', () => {
    // Prepare
    const ids = new SequentialIdGenerator();

    // Act
    const issued = Array.from({ length: 300 }, () => ids.next());

    // Assess
    expect(issued.every(isUuid)).toBe(true);
    expect(issued.every((id) => z.uuid().safeParse(id).success)).toBe(true);
    expect(issued.every((id) => id[14] === '7')).toBe(true);
    expect(new Set(issued).size).toBe(300);
    expect([...issued].sort()).toEqual(issued);
    expect(ids.issued).toBe(300);
  });

  it('is deterministic, and generators on different nodes never collide', () => {
    // Prepare
    const [a, b, c] = [
      new SequentialIdGenerator(),
      new SequentialIdGenerator(),
      new SequentialIdGenerator({ node: 1 }),
    ];

    // Act
    const [fromA, fromB, fromC] = [a, b, c].map((g) => Array.from({ length: 5 }, () => g.next()));

    // Assess
    expect(fromB).toEqual(fromA);
    expect(fromC?.filter((id) => fromA?.includes(id))).toEqual([]);
  });

  it('encodes its start instant like a real UUIDv7', () => {
    // Prepare
    const ids = new SequentialIdGenerator({ start: '2030-06-01T00:00:00.000Z' });

    // Act
    const id = ids.next();

    // Assess
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(
      Date.parse('2030-06-01T00:00:00.000Z'),
    );
  });

  it.each([{ node: -1 }, { node: 4096 }, { node: 1.5 }])('refuses node $node', ({ node }) => {
    // Act
    const act = (): unknown => new SequentialIdGenerator({ node });

    // Assess
    expect(act).toThrow(RangeError);
  });
});

describe('FixedClock', () => {
  it('stands still until advanced or set', () => {
    // Prepare
    const clock = new FixedClock('2025-05-05T10:00:00Z');

    // Act
    const first = clock.now().toISOString();
    const same = clock.now().toISOString();
    const later = clock.advance(90_000).now().toISOString();
    const reset = clock.set('2026-01-01T00:00:00Z').now().toISOString();

    // Assess
    expect([first, same, later, reset]).toEqual([
      '2025-05-05T10:00:00.000Z',
      '2025-05-05T10:00:00.000Z',
      '2025-05-05T10:01:30.000Z',
      '2026-01-01T00:00:00.000Z',
    ]);
  });

  it('cannot be moved through a Date it handed out', () => {
    // Prepare
    const clock = new FixedClock();

    // Act
    clock.now().setUTCFullYear(1999);

    // Assess
    expect(clock.now().toISOString()).toBe('2025-01-01T00:00:00.000Z');
  });

  it.each([{ ms: -1 }, { ms: Number.NaN }, { ms: Number.POSITIVE_INFINITY }])(
    'refuses to advance by $ms',
    ({ ms }) => {
      // Prepare
      const clock = new FixedClock();

      // Act
      const act = (): unknown => clock.advance(ms);

      // Assess
      expect(act).toThrow(RangeError);
    },
  );
});

describe('InMemoryUserRepository', () => {
  const user = (ports: InMemoryPorts, email: string): User =>
    User.create({
      id: ports.ids.next(),
      name: 'Ada',
      email,
      actorId: null,
      now: ports.clock.now(),
    });

  it('stores the user and records its events as envelopes with the correlation id', async () => {
    // Prepare
    const ports = inMemoryPorts();
    const ada = user(ports, 'ada@example.com');

    // Act
    await ports.users.add(ada, context);

    // Assess
    expect((await ports.users.findById(ada.id))?.snapshot()).toEqual(ada.snapshot());
    expect(ports.users.storedEvents).toMatchObject([
      { type: 'user.created', aggregateId: ada.id, correlationId: 'req-1' },
    ]);
    expect(ports.users.storedEvents.every(validEnvelope)).toBe(true);
    expect(ports.outbox.envelopes).toEqual(ports.users.storedEvents);
  });

  it.each([{ email: 'ada@example.com' }, { email: 'ADA@EXAMPLE.COM' }])(
    'refuses $email when ada@example.com exists (EMAIL_TAKEN), storing nothing',
    async ({ email }) => {
      // Prepare
      const ports = inMemoryPorts();
      await ports.users.add(user(ports, 'ada@example.com'), context);
      const duplicate = user(ports, email);

      // Act
      const outcome = ports.users.add(duplicate, context);

      // Assess
      await expectRejection(outcome, ConflictError, 'EMAIL_TAKEN');
      expect(await ports.users.findById(duplicate.id)).toBeNull();
      expect(ports.users.storedEvents).toHaveLength(1);
    },
  );

  it('finds by e-mail ignoring case and surrounding whitespace', async () => {
    // Prepare
    const ports = inMemoryPorts();
    const ada = user(ports, 'Ada@Example.com');
    await ports.users.add(ada, context);

    // Act
    const found = await ports.users.findByEmail('  ada@EXAMPLE.com ');

    // Assess
    expect(found?.id).toBe(ada.id);
  });

  it('runs an interleaved writer once, right before the next add', async () => {
    // Prepare
    const ports = inMemoryPorts();
    let runs = 0;
    ports.users.interleave(() => {
      runs += 1;
    });

    // Act
    await ports.users.add(user(ports, 'a@example.com'), context);
    await ports.users.add(user(ports, 'b@example.com'), context);

    // Assess
    expect(runs).toBe(1);
  });

  it('answers a malformed id like the database would, as a programmer error', async () => {
    // Prepare
    const ports = inMemoryPorts();

    // Act
    const outcome = ports.users.findById('42');

    // Assess
    await expect(outcome).rejects.toThrow(TypeError);
  });
});

describe('InMemoryProjectRepository', () => {
  it('refuses a save from a stale copy, storing nothing and recording no event', async () => {
    // Prepare
    const w = await world();
    const first = await w.projects.findById(w.project.id);
    const second = await w.projects.findById(w.project.id);
    if (first === null || second === null) throw new Error('stored project expected');
    first.addMember({ actorId: w.owner, userId: w.ids.next(), role: 'viewer', now: w.clock.now() });
    await w.projects.save(first, context);
    const eventsBefore = w.projects.storedEvents.length;
    const late = w.ids.next();
    second.addMember({ actorId: w.owner, userId: late, role: 'viewer', now: w.clock.now() });

    // Act
    const outcome = w.projects.save(second, context);

    // Assess
    await expect(outcome).rejects.toThrow(StaleVersionError);
    await expect(outcome).rejects.toMatchObject({ expectedVersion: 2, actualVersion: null });
    expect(w.projects.staleSaves).toBe(1);
    expect(w.projects.storedVersionOf(w.project.id)).toBe(3);
    expect(w.projects.hasMember(w.project.id, late)).toBe(false);
    expect(w.projects.storedEvents).toHaveLength(eventsBefore);
  });

  it('makes the next save lose the race once after bumpVersionBeforeNextSave', async () => {
    // Prepare
    const w = await world();
    w.projects.bumpVersionBeforeNextSave(w.project.id);
    const loaded = await w.projects.findById(w.project.id);
    if (loaded === null) throw new Error('stored project expected');
    loaded.addMember({
      actorId: w.owner,
      userId: w.ids.next(),
      role: 'viewer',
      now: w.clock.now(),
    });

    // Act
    const outcome = w.projects.save(loaded, context);

    // Assess
    await expect(outcome).rejects.toThrow(StaleVersionError);
    expect(w.projects.staleSaves).toBe(1);
    expect(w.projects.storedVersionOf(w.project.id)).toBe(3);
  });

  it('never lets a loaded project alias the stored one', async () => {
    // Prepare
    const w = await world();
    const loaded = await w.projects.findById(w.project.id);
    if (loaded === null) throw new Error('stored project expected');
    const newcomer = w.ids.next();

    // Act
    loaded.addMember({ actorId: w.owner, userId: newcomer, role: 'viewer', now: w.clock.now() });

    // Assess
    expect(w.projects.hasMember(w.project.id, newcomer)).toBe(false);
    expect((await w.projects.findById(w.project.id))?.access().isMember(newcomer)).toBe(false);
  });

  it('answers accessFor with null for a missing project, else with the roles of just the users asked about', async () => {
    // Prepare
    const w = await world();
    const stranger = w.ids.next();

    // Act
    const missing = await w.projects.accessFor(w.ids.next(), [w.owner]);
    const access = await w.projects.accessFor(w.project.id, [w.editor, stranger]);

    // Assess
    expect(missing).toBeNull();
    expect([w.owner, w.editor, stranger].map((id) => access?.roleOf(id))).toEqual([
      null,
      'editor',
      null,
    ]);
  });

  it('lists the projects of a member oldest first, with a cursor only when more remain', async () => {
    // Prepare
    const w = await world();
    const more = [0, 1, 2].map(() =>
      Project.create({ id: w.ids.next(), name: 'P', creatorId: w.editor, now: w.clock.now() }),
    );
    for (const p of more) await w.projects.add(p, context);

    // Act
    const first = await w.projects.listForMember(w.editor, 3, null);
    const second = await w.projects.listForMember(w.editor, 3, first.nextCursor);

    // Assess
    expect([...first.items, ...second.items].map((p) => p.id)).toEqual([
      w.project.id,
      ...more.map((p) => p.id),
    ]);
    expect(second.nextCursor).toBeNull();
  });
});

describe('InMemoryTaskRepository', () => {
  it('stores task, audit and envelopes that match their schemas', async () => {
    // Prepare
    const w = await world();

    // Act
    const task = await storedTask(w);

    // Assess
    expect(w.tasks.storedSnapshotOf(task.id)).toEqual(task.snapshot());
    expect(w.tasks.auditRowsFor(task.id)).toMatchObject([{ version: 1, field: '*' }]);
    expect(w.tasks.storedEvents.every(validEnvelope)).toBe(true);
  });

  it('refuses a save from a stale copy, storing nothing', async () => {
    // Prepare
    const w = await world();
    const task = await storedTask(w);
    const first = await w.tasks.findById(task.id);
    const second = await w.tasks.findById(task.id);
    if (first === null || second === null) throw new Error('stored task expected');
    first.update({ title: 'First' }, w.editor, w.project.access(), w.clock.now());
    await w.tasks.save(first, context);
    second.update({ title: 'Second' }, w.editor, w.project.access(), w.clock.now());

    // Act
    const outcome = w.tasks.save(second, context);

    // Assess
    await expect(outcome).rejects.toThrow(StaleVersionError);
    expect(w.tasks.staleSaves).toBe(1);
    expect(w.tasks.storedSnapshotOf(task.id)).toMatchObject({ title: 'First', version: 2 });
    expect((await w.tasks.history(task.id)).map((e) => e.version)).toEqual([1, 2]);
  });

  it('never lets a loaded task alias the stored one', async () => {
    // Prepare
    const w = await world();
    const task = await storedTask(w);
    const loaded = await w.tasks.findById(task.id);
    if (loaded === null) throw new Error('stored task expected');

    // Act
    loaded.update({ labels: ['changed'] }, w.editor, w.project.access(), w.clock.now());

    // Assess
    expect(w.tasks.storedSnapshotOf(task.id)?.labels).toEqual([]);
  });

  it('finds deleted tasks but does not list them', async () => {
    // Prepare
    const w = await world();
    const task = await storedTask(w);
    const loaded = await w.tasks.findById(task.id);
    if (loaded === null) throw new Error('stored task expected');
    loaded.delete(w.editor, w.project.access(), w.clock.now());
    await w.tasks.save(loaded, context);
    const query: TaskListQuery = { ...NO_TASK_FILTERS, memberId: w.editor, limit: 10 };

    // Act
    const found = await w.tasks.findById(task.id);
    const page = await w.tasks.list(query);

    // Assess
    expect(found?.isDeleted).toBe(true);
    expect(page.items).toEqual([]);
  });

  it('lists in board order (rank, then id) with keyed cursors, as the adapter does', async () => {
    // Prepare
    const w = await world();
    const ranked = async (title: string, rank: string): Promise<void> => {
      const task = Task.create({
        id: w.ids.next(),
        projectId: w.project.id,
        title,
        fields: { rank },
        actorId: w.editor,
        access: w.project.access(),
        now: w.clock.now(),
      });
      await w.tasks.add(task, context);
    };
    await ranked('c', 'aa');
    await ranked('b', 'aZ');
    await ranked('a', 'a0');
    const query: TaskListQuery = {
      ...NO_TASK_FILTERS,
      memberId: w.editor,
      order: 'rank',
      limit: 2,
    };

    // Act
    const first = await w.tasks.list(query);
    const second = await w.tasks.list({ ...query, cursor: first.nextCursor });

    // Assess
    expect(first.items.map((t) => t.snapshot().title)).toEqual(['a', 'b']);
    expect(second.items.map((t) => t.snapshot().title)).toEqual(['c']);
    expect(second.nextCursor).toBeNull();
    await expect(
      w.tasks.list({ ...query, order: 'newest', cursor: first.nextCursor }),
    ).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
    });
  });
});

describe('InMemoryCommentRepository', () => {
  it('lists the comments of one task oldest first and refuses a foreign cursor', async () => {
    // Prepare
    const w = await world();
    const task = await storedTask(w);
    const access = w.project.access();
    const write = (body: string): Comment =>
      Comment.create({
        id: w.ids.next(),
        taskId: task.id,
        projectId: w.project.id,
        body,
        authorId: w.owner,
        access,
        now: w.clock.now(),
      });
    for (const body of ['a', 'b', 'c']) await w.comments.add(write(body), context);

    // Act
    const page = await w.comments.listForTask(task.id, 2, null);
    const rest = await w.comments.listForTask(task.id, 2, page.nextCursor);
    const foreign = w.comments.listForTask(
      task.id,
      2,
      Buffer.from('not-an-id').toString('base64url'),
    );

    // Assess
    expect([...page.items, ...rest.items].map((c) => c.snapshot().body)).toEqual(['a', 'b', 'c']);
    expect(rest.nextCursor).toBeNull();
    await expectRejection(foreign, ValidationError, 'INVALID_CURSOR', {
      issues: [{ path: 'cursor' }],
    });
  });
});

describe('inMemoryPorts', () => {
  it('shares one outbox, in commit order, across every repository', async () => {
    // Prepare
    const w = await world();

    // Act
    await storedTask(w);

    // Assess
    expect(w.outbox.envelopes.map((e) => e.type)).toEqual([
      'project.created',
      'project.member_added',
      'project.member_added',
      'task.created',
    ]);
    expect(new Set(w.outbox.envelopes.map((e) => e.id)).size).toBe(4);
    expect(w.outbox.envelopesOf('task.created')).toEqual(w.tasks.storedEvents);
  });
});
