// POST /tasks confirms the caller's access inside its one write statement (a writer's role, the
// assignee's membership) and reads the access only when that write refuses. Every refusal must
// be the answer the separate access read always gave, and must store nothing.
import { randomUUID } from 'node:crypto';
import type { ProjectRole } from '@taskflow/projects-domain';
import type { Core } from './core';
import { composeSpecCore, usePersistence } from './testing/persistence.fixture';

type Caller = 'owner' | 'editor' | 'viewer' | 'stranger';

/** One request: who sends it, to which project, assigning whom, and the answer expected. */
interface Case {
  readonly case: string;
  readonly caller: Caller;
  readonly project: 'theirs' | 'unknown';
  readonly assignee: Caller | 'nobody' | 'unknown user';
  readonly title?: string;
  readonly status: number;
  readonly code?: string;
}

const CASES: readonly Case[] = [
  { case: 'an owner', caller: 'owner', project: 'theirs', assignee: 'nobody', status: 201 },
  { case: 'an editor', caller: 'editor', project: 'theirs', assignee: 'nobody', status: 201 },
  {
    case: 'an editor assigning a viewer',
    caller: 'editor',
    project: 'theirs',
    assignee: 'viewer',
    status: 201,
  },
  {
    case: 'an owner assigning themselves',
    caller: 'owner',
    project: 'theirs',
    assignee: 'owner',
    status: 201,
  },
  {
    case: 'a viewer',
    caller: 'viewer',
    project: 'theirs',
    assignee: 'nobody',
    status: 403,
    code: 'ROLE_FORBIDDEN',
  },
  {
    case: 'a viewer assigning a stranger',
    caller: 'viewer',
    project: 'theirs',
    assignee: 'stranger',
    status: 403,
    code: 'ROLE_FORBIDDEN',
  },
  {
    case: 'a stranger',
    caller: 'stranger',
    project: 'theirs',
    assignee: 'nobody',
    status: 404,
    code: 'PROJECT_NOT_FOUND',
  },
  {
    case: 'an unknown project',
    caller: 'owner',
    project: 'unknown',
    assignee: 'nobody',
    status: 404,
    code: 'PROJECT_NOT_FOUND',
  },
  {
    case: 'an editor assigning a stranger',
    caller: 'editor',
    project: 'theirs',
    assignee: 'stranger',
    status: 400,
    code: 'ASSIGNEE_NOT_MEMBER',
  },
  {
    case: 'an editor assigning an unknown user',
    caller: 'editor',
    project: 'theirs',
    assignee: 'unknown user',
    status: 400,
    code: 'ASSIGNEE_NOT_MEMBER',
  },
  {
    case: 'a stranger with a blank title (the project is not theirs first)',
    caller: 'stranger',
    project: 'theirs',
    assignee: 'nobody',
    title: ' ',
    status: 404,
    code: 'PROJECT_NOT_FOUND',
  },
];

const { store } = usePersistence('task_create_access');
let core: Core;
const people = new Map<Caller, { id: string; token: string }>();
let projectId: string;

beforeAll(async () => {
  core = composeSpecCore(store);
  for (const caller of ['owner', 'editor', 'viewer', 'stranger'] as const) {
    const user = await core.users.ensureByEmail(
      { email: `${caller}@access.example.com`, name: caller },
      null,
    );
    people.set(caller, { id: user.id, token: await core.tokens.issue(user, 600) });
  }
  const owner = person('owner');
  const context = { actorId: owner.id, correlationId: null };
  projectId = (await core.projects.create({ name: 'Access' }, context)).id;
  for (const [caller, role] of [
    ['editor', 'editor'],
    ['viewer', 'viewer'],
  ] as const satisfies readonly (readonly [Caller, ProjectRole])[]) {
    await core.projects.addMember({ projectId, userId: person(caller).id, role }, context);
  }
});

function person(caller: Caller): { id: string; token: string } {
  const found = people.get(caller);
  if (found === undefined) throw new Error(`${caller} is not signed in`);
  return found;
}

/** Rows a refused create must not have added. */
async function stored(): Promise<{ tasks: number; outbox: number; audit: number }> {
  const { rows } = await store.db.query<{ tasks: number; outbox: number; audit: number }>({
    text: `SELECT (SELECT count(*) FROM tasks) AS tasks,
                  (SELECT count(*) FROM outbox WHERE type LIKE 'task.%') AS outbox,
                  (SELECT count(*) FROM task_updates) AS audit`,
    values: [],
  });
  const [counts] = rows;
  if (counts === undefined) throw new Error('no counts');
  return counts;
}

it.each(CASES)('POST /tasks by $case answers $status', async (c) => {
  const before = await stored();
  const assigneeId =
    c.assignee === 'nobody'
      ? undefined
      : c.assignee === 'unknown user'
        ? randomUUID()
        : person(c.assignee).id;
  const response = await core.api.handle({
    method: 'POST',
    path: '/tasks',
    query: {},
    headers: {
      authorization: `Bearer ${person(c.caller).token}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      projectId: c.project === 'theirs' ? projectId : randomUUID(),
      title: c.title ?? `by ${c.caller}`,
      ...(assigneeId === undefined ? {} : { assigneeId }),
    }),
  });

  expect(response.status).toBe(c.status);
  const body = response.body as Record<string, unknown>;
  const after = await stored();
  if (c.code === undefined) {
    expect(body).toMatchObject({ createdBy: person(c.caller).id, assigneeId: assigneeId ?? null });
    expect(after).toEqual({
      tasks: before.tasks + 1,
      outbox: before.outbox + (assigneeId === undefined ? 1 : 2),
      audit: after.audit,
    });
    expect(after.audit).toBeGreaterThan(before.audit);
  } else {
    expect(body['code']).toBe(c.code);
    expect(after).toEqual(before);
  }
});

it('an allowed create is one statement (access, task, audit and outbox rows together)', async () => {
  const post = () =>
    core.api.handle({
      method: 'POST',
      path: '/tasks',
      query: {},
      headers: {
        authorization: `Bearer ${person('editor').token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ projectId, title: 'one trip', assigneeId: person('viewer').id }),
    });
  // The caller's identity is looked up once, then remembered.
  expect((await post()).status).toBe(201);
  const queries = jest.spyOn(store.db, 'query');
  try {
    expect((await post()).status).toBe(201);
    expect(queries).toHaveBeenCalledTimes(1);
  } finally {
    queries.mockRestore();
  }
});
