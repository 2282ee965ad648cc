// One rule, one place: every task field a client sets is checked by the tasks domain, so the
// same value gets the same answer over HTTP and through the inbound processor. This spec sends
// each value both ways over the same composition and compares the answers.
import { randomUUID } from 'node:crypto';
import type { EventProcessingError } from '@taskflow/tasks-inbound';
import { TASK_MUTABLE_FIELDS } from '@taskflow/tasks-domain';
import type { Core } from './core';
import { createTaskProcessor } from './eventing';
import { composeSpecCore, usePersistence } from './testing/persistence.fixture';

/** A field as a client names it over HTTP and as the inbound seed command names it. */
interface FieldNames {
  readonly http: string;
  readonly inbound: string;
}

const FIELDS = {
  title: { http: 'title', inbound: 'title' },
  description: { http: 'description', inbound: 'description' },
  dueDate: { http: 'dueDate', inbound: 'due_date' },
  labels: { http: 'labels', inbound: 'labels' },
} as const satisfies Record<string, FieldNames>;
type RuledField = keyof typeof FIELDS;

// Fields whose input differs by design, each checked by its own specs: statuses and priorities
// arrive in the seed's spellings (STATUS_SPELLINGS), an assignee by e-mail (assigned_to) instead
// of a user id; the lifecycle stamps are set by the domain, never sent; a rank is a board's
// placement, which the seed's commands do not carry (a task they create goes on top).
const DIFFERENT_BY_DESIGN = [
  'status',
  'priority',
  'assigneeId',
  'rank',
  'completedAt',
  'deletedAt',
];

/** Values the domain refuses, with the code both paths must answer. */
const BAD: readonly { field: RuledField; case: string; value: unknown; code: string }[] = [
  { field: 'title', case: 'blank after trimming', value: '   ', code: 'INVALID_FIELD' },
  { field: 'title', case: 'over 200 characters', value: 'x'.repeat(201), code: 'INVALID_FIELD' },
  {
    field: 'description',
    case: 'over 10,000 characters',
    value: 'x'.repeat(10_001),
    code: 'INVALID_FIELD',
  },
  { field: 'dueDate', case: 'a bare date', value: '2030-06-01', code: 'INVALID_FIELD' },
  { field: 'dueDate', case: 'no offset', value: '2030-06-01T10:00:00', code: 'INVALID_FIELD' },
  {
    field: 'dueDate',
    case: 'an impossible day',
    value: '2030-02-30T10:00:00Z',
    code: 'INVALID_FIELD',
  },
  { field: 'dueDate', case: 'the year 0', value: '0000-06-01T10:00:00Z', code: 'INVALID_FIELD' },
  { field: 'labels', case: 'a blank label', value: ['ok', '  '], code: 'INVALID_FIELD' },
  { field: 'labels', case: 'a 51-character label', value: ['x'.repeat(51)], code: 'INVALID_FIELD' },
  {
    field: 'labels',
    case: '21 distinct labels',
    value: Array.from({ length: 21 }, (_, i) => `l${i}`),
    code: 'INVALID_FIELD',
  },
];

/** Values the domain accepts, normalised: both paths must store the same result. */
const GOOD: readonly { field: RuledField; case: string; value: unknown }[] = [
  { field: 'title', case: 'padded', value: '  Plan the launch  ' },
  { field: 'title', case: 'with a control character', value: 'a\u0007b' },
  { field: 'description', case: 'multi-line', value: 'line one\nline two' },
  { field: 'dueDate', case: 'with an offset', value: '2030-06-01T10:00:00+02:00' },
  { field: 'dueDate', case: 'with nanoseconds', value: '2030-06-01T10:00:00.123456789Z' },
  { field: 'labels', case: 'padded and repeated', value: [' ops ', 'ops', 'web'] },
];

/** The id of the task a path created. */
interface Created {
  readonly id: string;
}

/** A problem's code and its issue messages for one field. */
interface Refusal {
  readonly code: string;
  readonly messages: readonly string[];
}

const { store } = usePersistence('task_field_rules');
let core: Core;
let token: string;
let projectId: string;

beforeAll(async () => {
  core = composeSpecCore(store);
  const owner = await core.users.ensureByEmail({ email: 'rules@example.com', name: 'R' }, null);
  token = await core.tokens.issue(owner, 600);
  const context = { actorId: owner.id, correlationId: null };
  projectId = (await core.projects.create({ name: 'Rules' }, context)).id;
});

/** POST /tasks with `field` set to `value`: the created task, or the refusal for `field`. */
async function overHttp(field: RuledField, value: unknown): Promise<Created | Refusal> {
  const response = await core.api.handle({
    method: 'POST',
    path: '/tasks',
    query: {},
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ projectId, title: 'Rules', [FIELDS[field].http]: value }),
  });
  const body = response.body as Record<string, unknown>;
  if (response.status === 201) return { id: String(body['id']) };
  const errors = (body['errors'] ?? []) as { path: string; message: string }[];
  const own = errors.filter((e) => e.path.split('.')[0] === FIELDS[field].http);
  return { code: String(body['code']), messages: own.map((e) => e.message) };
}

/** A `task.created` seed command with `field` set to `value`, through the processor. */
async function inbound(field: RuledField, value: unknown): Promise<Created | Refusal> {
  const processor = createTaskProcessor(core, store, {
    defaultProjectName: 'Inbound',
    systemUserEmail: 'system@example.com',
  });
  const taskData = { title: 'Rules', [FIELDS[field].inbound]: value };
  try {
    const outcome = await processor.process({
      version: '0',
      id: randomUUID(),
      'detail-type': 'Task Created',
      source: 'task.management',
      account: '123456789012',
      time: '2030-01-01T00:00:00Z',
      region: 'eu-west-1',
      resources: [],
      detail: { eventType: 'task.created', taskData },
    });
    return { id: outcome.taskId };
  } catch (error) {
    const refusal = error as EventProcessingError;
    // `CODE: detail.taskData.<field>[.i]: <message>; ...`, one issue per field path.
    const prefix = `detail.taskData.${FIELDS[field].inbound}`;
    const issues = refusal.message.slice(refusal.code.length + 2).split('; ');
    const messages = issues
      .filter((issue) => issue.startsWith(`${prefix}:`) || issue.startsWith(`${prefix}.`))
      .map((issue) => issue.slice(issue.indexOf(': ') + 2));
    return { code: refusal.code, messages };
  }
}

/** The ruled fields of a task as stored, as text (what SQL reads back). */
async function stored(task: Created): Promise<Record<string, unknown>> {
  const { rows } = await store.db.query<Record<string, unknown>>({
    text: `SELECT title, description, due_date::text AS "dueDate", labels FROM tasks WHERE id = $1`,
    values: [task.id],
  });
  expect(rows).toHaveLength(1);
  return rows[0] ?? {};
}

describe('task field rules, over HTTP and through the inbound processor', () => {
  it('cover every task field, or say why a field differs', () => {
    // Assess
    expect([...Object.keys(FIELDS), ...DIFFERENT_BY_DESIGN].sort()).toEqual(
      [...TASK_MUTABLE_FIELDS].sort(),
    );
    expect(new Set(BAD.map((c) => c.field))).toEqual(new Set(Object.keys(FIELDS)));
    expect(new Set(GOOD.map((c) => c.field))).toEqual(new Set(Object.keys(FIELDS)));
  });

  it.each(BAD)('$field $case: the same code and message on both paths', async (c) => {
    // Act
    const http = await overHttp(c.field, c.value);
    const event = await inbound(c.field, c.value);

    // Assess
    expect(http).toEqual({ code: c.code, messages: [expect.any(String)] });
    expect(event).toEqual(http);
  });

  it.each(GOOD)('$field $case: stored the same way on both paths', async (c) => {
    // Act
    const http = await overHttp(c.field, c.value);
    const event = await inbound(c.field, c.value);

    // Assess
    expect(http).toEqual({ id: expect.any(String) });
    expect(event).toEqual({ id: expect.any(String) });
    expect(await stored(event as Created)).toEqual(await stored(http as Created));
  });
});
