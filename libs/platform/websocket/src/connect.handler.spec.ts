import {
  AuthenticationError,
  StreamGate,
  StreamTickets,
  TokenIssuer,
  TokenVerifier,
} from '@taskflow/platform-http';
import {
  type ConnectionStore,
  type MembershipCheck,
  WEBSOCKET_MAX_CONNECTION_MS,
} from '@taskflow/platform-live-updates';
import { NotFoundError } from '@taskflow/platform-kernel';
import { InMemoryConnectionStore, SequentialIdGenerator } from '@taskflow/platform-testing';
import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { type ConnectDeps, handleConnect } from './connect.handler';
import { CONNECTED_AT, connectEvent, disconnectEvent } from './testing/api-gateway-events.fixture';
import { InvalidWebSocketEventError, type WebSocketLifecycleEvent } from './websocket-events';

const SECRET = 'a-test-secret-of-at-least-32-bytes!!';
const ISSUER = 'taskflow-test';
const AUDIENCE = 'taskflow-api';

/**
 * Projects and their members, as the projects context answers them to the gate (a non-member
 * and an unknown project are both PROJECT_NOT_FOUND).
 */
class ProjectMembers {
  private readonly members = new Map<string, Set<string>>();
  constructor(private readonly ids: SequentialIdGenerator) {}

  async create(
    input: { readonly name: string },
    context: { readonly actorId: string; readonly correlationId: string | null },
  ) {
    const id = this.ids.next();
    this.members.set(id, new Set([context.actorId]));
    return Promise.resolve({ id, name: input.name });
  }

  async addMember(input: { readonly projectId: string; readonly userId: string }) {
    this.members.get(input.projectId)?.add(input.userId);
    return Promise.resolve();
  }

  async removeMember(input: { readonly projectId: string; readonly userId: string }) {
    this.members.get(input.projectId)?.delete(input.userId);
    return Promise.resolve();
  }

  isMember(projectId: string, userId: string): boolean {
    return this.members.get(projectId)?.has(userId) ?? false;
  }

  async admit(projectId: string, userId: string): Promise<void> {
    if (!this.isMember(projectId, userId))
      throw new NotFoundError('PROJECT_NOT_FOUND', `project ${projectId} not found`);
    return Promise.resolve();
  }
}

/** Two users, a project with one of them as member, and the real stream gate over them. */
async function world() {
  const ids = new SequentialIdGenerator();
  const projects = new ProjectMembers(ids);
  const person = (name: string) => ({
    id: ids.next(),
    name,
    email: `${name.toLowerCase()}@example.com`,
  });
  const owner = person('Olive');
  const member = person('Bob');
  const stranger = person('Sam');
  const known = new Set([owner.id, member.id, stranger.id]);
  const project = await projects.create(
    { name: 'Apollo' },
    { actorId: owner.id, correlationId: null },
  );
  await projects.addMember({ projectId: project.id, userId: member.id });
  const tickets = new StreamTickets(SECRET, ISSUER);
  const verifier = new TokenVerifier({
    hs256Secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: null,
  });
  const gate = new StreamGate({
    authenticator: verifier,
    identities: {
      userIdOf: async (identity) => {
        await Promise.resolve();
        if (identity.kind === 'local' && known.has(identity.userId)) return identity.userId;
        throw new AuthenticationError('USER_UNKNOWN', 'the token names no user Taskflow knows');
      },
    },
    tickets,
    access: projects,
  });
  const membership: MembershipCheck = {
    isMember: async (projectId, userId) => Promise.resolve(projects.isMember(projectId, userId)),
  };
  const store = new InMemoryConnectionStore();
  const connections: ConnectionStore = store;
  const tokens = new TokenIssuer(SECRET, ISSUER, AUDIENCE);
  const bearer = async (user: { id: string; email: string; name: string }) =>
    `Bearer ${await tokens.issue(user, 300)}`;
  const deps: ConnectDeps = { gate, connections, membership };
  /** The `$connect` of `user` to the project, with a bearer token and any other `headers`. */
  const connectAs = async (
    user: { id: string; email: string; name: string },
    headers: Readonly<Record<string, string>> = {},
  ) =>
    connectEvent({
      query: { projectId: project.id },
      headers: { Authorization: await bearer(user), ...headers },
    });
  return { projects, owner, member, stranger, project, tickets, store, deps, bearer, connectAs };
}

type World = Awaited<ReturnType<typeof world>>;

/** A copy of `value` without `keys`. */
function without<T extends object, K extends keyof T>(value: T, ...keys: K[]): Omit<T, K> {
  const copy = { ...value };
  for (const key of keys) Reflect.deleteProperty(copy, key);
  return copy;
}

describe('handleConnect', () => {
  let w: World;

  beforeEach(async () => {
    w = await world();
  });

  const problem = (body: string) => JSON.parse(body) as Record<string, unknown>;

  it('admits a member with a bearer token and registers the connection until it certainly ends', async () => {
    // Prepare
    const event = connectEvent({
      connectionId: 'L0SM9cOFvHcCIhw=',
      query: { projectId: w.project.id },
      headers: { Authorization: await w.bearer(w.member) },
    });

    // Act
    const result = await handleConnect(event, w.deps);

    // Assess
    expect(result).toEqual({ statusCode: 200, headers: {}, body: '' });
    expect(w.store.all).toEqual([
      {
        connectionId: 'L0SM9cOFvHcCIhw=',
        projectId: w.project.id,
        userId: w.member.id,
        connectedAt: new Date(CONNECTED_AT),
        expiresAt: new Date(CONNECTED_AT + WEBSOCKET_MAX_CONNECTION_MS),
      },
    ]);
  });

  it('admits a browser with a stream ticket in the query string', async () => {
    // Prepare
    const { ticket } = await w.tickets.issue(w.member.id, w.project.id, Date.now() + 60_000);
    const event = connectEvent({ query: { projectId: w.project.id, ticket } });

    // Act
    const result = await handleConnect(event, w.deps);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(w.store.all.map((c) => c.userId)).toEqual([w.member.id]);
  });

  it('reads the Authorization header from the multi-value map when that is all there is', async () => {
    // Prepare
    const event = without(await w.connectAs(w.owner), 'headers');

    // Act
    const result = await handleConnect(event, w.deps);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(w.store.all.map((c) => c.userId)).toEqual([w.owner.id]);
  });

  it('accepts the @types/aws-lambda WebSocket event type as it is', async () => {
    // Prepare: the type lacks headers, so only a ticket can authenticate it
    const { ticket } = await w.tickets.issue(w.member.id, w.project.id, Date.now() + 60_000);
    const rest = without(
      connectEvent({ query: { projectId: w.project.id, ticket } }),
      'headers',
      'multiValueHeaders',
    );
    const typed: APIGatewayProxyWebsocketEventV2 = {
      ...rest,
      requestContext: { ...rest.requestContext, messageId: 'none' },
    };

    // Act
    const result = await handleConnect(typed, w.deps);

    // Assess
    expect(result.statusCode).toBe(200);
  });

  it.each([
    {
      case: 'no projectId',
      query: {},
      errors: [{ path: 'projectId', message: 'Required' }],
    },
    {
      case: 'an empty projectId',
      query: { projectId: '' },
      errors: [{ path: 'projectId', message: 'Required' }],
    },
    {
      case: 'a projectId that is not a UUID',
      query: { projectId: 'apollo' },
      errors: [{ path: 'projectId', message: 'Invalid UUID' }],
    },
    {
      case: 'two projectIds',
      query: {
        projectId: ['01900000-0000-7000-8000-000000000001', '01900000-0000-7000-8000-000000000002'],
      },
      errors: [{ path: 'projectId', message: 'give one project id' }],
    },
    {
      case: 'two tickets',
      query: { projectId: '01900000-0000-7000-8000-000000000001', ticket: ['a', 'b'] },
      errors: [{ path: 'ticket', message: 'give one ticket' }],
    },
    {
      case: 'an unknown parameter',
      query: { projectId: '01900000-0000-7000-8000-000000000001', lastEventId: '1.x' },
      errors: [{ path: 'lastEventId', message: 'unknown parameter' }],
    },
  ])(
    'refuses $case with 400 naming the parameter, registering nothing',
    async ({ query, errors }) => {
      // Prepare
      const event = connectEvent({ query, headers: { Authorization: await w.bearer(w.member) } });

      // Act
      const result = await handleConnect(event, w.deps);

      // Assess
      expect(result.statusCode).toBe(400);
      expect(result.headers).toEqual({ 'content-type': 'application/problem+json' });
      expect(problem(result.body)).toMatchObject({
        status: 400,
        code: 'VALIDATION_FAILED',
        errors,
      });
      expect(w.store.all).toEqual([]);
    },
  );

  it('refuses a request to resume (Last-Event-ID): nothing is replayed over WebSocket', async () => {
    // Prepare
    const event = await w.connectAs(w.member, { 'Last-Event-ID': '12.abc' });

    // Act
    const result = await handleConnect(event, w.deps);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(problem(result.body)).toMatchObject({
      errors: [{ path: 'Last-Event-ID', message: expect.stringMatching(/not supported/) }],
    });
    expect(w.store.all).toEqual([]);
  });

  it('answers the gate’s 401 and Bearer challenge when no credentials are given', async () => {
    // Prepare
    const event = connectEvent({ query: { projectId: w.project.id } });

    // Act
    const result = await handleConnect(event, w.deps);

    // Assess
    expect(result.statusCode).toBe(401);
    expect(result.headers).toEqual({
      'content-type': 'application/problem+json',
      'www-authenticate': 'Bearer',
    });
    expect(problem(result.body)).toMatchObject({ status: 401, code: 'TOKEN_MISSING' });
    expect(w.store.all).toEqual([]);
  });

  it('answers 401 for a ticket issued for another project', async () => {
    // Prepare
    const other = await w.projects.create(
      { name: 'Gemini' },
      { actorId: w.member.id, correlationId: null },
    );
    const { ticket } = await w.tickets.issue(w.member.id, other.id, Date.now() + 60_000);
    const event = connectEvent({ query: { projectId: w.project.id, ticket } });

    // Act
    const result = await handleConnect(event, w.deps);

    // Assess
    expect(result.statusCode).toBe(401);
    expect(problem(result.body)).toMatchObject({ code: 'TOKEN_INVALID' });
    expect(w.store.all).toEqual([]);
  });

  it('answers 404 to someone who is not a member, as the API does', async () => {
    // Prepare
    const event = await w.connectAs(w.stranger);

    // Act
    const result = await handleConnect(event, w.deps);

    // Assess
    expect(result.statusCode).toBe(404);
    expect(problem(result.body)).toMatchObject({ status: 404, code: 'PROJECT_NOT_FOUND' });
    expect(w.store.all).toEqual([]);
  });

  it('refuses, and forgets the connection, when the member was removed just after the gate let them in', async () => {
    // Prepare: the removal commits between the gate's check and the registration
    const registeredAtCheck: string[] = [];
    const membership: MembershipCheck = {
      isMember: async (projectId, userId) => {
        registeredAtCheck.push(...w.store.all.map((c) => c.connectionId));
        await w.projects.removeMember({ projectId, userId });
        return w.deps.membership.isMember(projectId, userId);
      },
    };
    const event = await w.connectAs(w.member);

    // Act
    const result = await handleConnect(event, { ...w.deps, membership });

    // Assess: registered before the check, so a removal broadcast could have found it
    expect(registeredAtCheck).toEqual(['TWegAeXYIAMCE5Q=']);
    expect(result.statusCode).toBe(404);
    expect(problem(result.body)).toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    expect(w.store.all).toEqual([]);
  });

  it.each([
    { case: 'forgets the connection and fails', removeFails: false, left: [] },
    {
      case: 'reports the membership failure even when forgetting the connection fails too',
      removeFails: true,
      left: ['TWegAeXYIAMCE5Q='],
    },
  ])('when the second membership check fails, $case', async ({ removeFails, left }) => {
    // Prepare
    if (removeFails) w.store.failOn('remove', new Error('still down'));
    const membership: MembershipCheck = {
      isMember: () => Promise.reject(new Error('database down')),
    };
    const event = await w.connectAs(w.member);

    // Act
    const outcome = handleConnect(event, { ...w.deps, membership });

    // Assess
    await expect(outcome).rejects.toThrow('database down');
    expect(w.store.all.map((c) => c.connectionId)).toEqual(left);
  });

  it('fails (API Gateway answers 500) when the connection cannot be registered', async () => {
    // Prepare
    w.store.failOn('add', new Error('database down'));
    const event = await w.connectAs(w.member);

    // Act
    const outcome = handleConnect(event, w.deps);

    // Assess
    await expect(outcome).rejects.toThrow('database down');
  });

  it.each<[string, () => WebSocketLifecycleEvent, string]>([
    [
      'a $disconnect event',
      () => disconnectEvent(),
      'requestContext.eventType: expected CONNECT, got "DISCONNECT"',
    ],
    [
      'no connection id',
      () => {
        const event = connectEvent();
        return { ...event, requestContext: { ...event.requestContext, connectionId: '' } };
      },
      'requestContext.connectionId: missing',
    ],
    [
      'no connectedAt',
      () => {
        const event = connectEvent();
        const context = without(event.requestContext, 'connectedAt');
        return { ...event, requestContext: context as typeof event.requestContext };
      },
      'requestContext.connectedAt: missing',
    ],
    [
      'no requestContext',
      () => {
        return without(connectEvent(), 'requestContext') as WebSocketLifecycleEvent;
      },
      'requestContext: missing',
    ],
  ])('throws for %s (a wiring mistake), naming the field', async (_case, make, message) => {
    // Act
    const outcome = handleConnect(make(), w.deps);

    // Assess
    await expect(outcome).rejects.toThrow(InvalidWebSocketEventError);
    await expect(handleConnect(make(), w.deps)).rejects.toThrow(message);
    expect(w.store.all).toEqual([]);
  });
});
