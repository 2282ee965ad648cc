import { type FunctionTestbed, functionTestbed } from '@taskflow/app-testing';
import { invokeBundle, lambdaContext, websocketConnectEvent } from '@taskflow/platform-testing';

describe('ws-connect Lambda ($connect of the WebSocket API)', () => {
  let bed: FunctionTestbed;
  let main: typeof import('./main');
  let projectId: string;
  let ownerToken: string;
  let strangerToken: string;
  let ownerId: string;

  const connection = async (connectionId: string) => {
    const { persistence } = await main.ready();
    const { rows } = await persistence.db.query<{
      user_id: string;
      project_id: string;
      region: string | null;
    }>({
      text: `SELECT user_id::text, project_id::text, region FROM ws_connections
             WHERE connection_id = $1`,
      values: [connectionId],
    });
    return rows[0] ?? null;
  };

  beforeAll(async () => {
    bed = await functionTestbed('ws-connect', {
      JWT_SECRET: 'lambda-ws-connect-spec-secret-012345678',
    });
    main = await import('./main');
    const { core } = await main.ready();
    const owner = await core.users.ensureByEmail(
      { email: 'ws-owner@example.com', name: 'O' },
      null,
    );
    const stranger = await core.users.ensureByEmail({ email: 'ws-x@example.com', name: 'X' }, null);
    ownerId = owner.id;
    ownerToken = await core.tokens.issue(owner, 3600);
    strangerToken = await core.tokens.issue(stranger, 3600);
    projectId = (
      await core.projects.create({ name: 'WS' }, { actorId: owner.id, correlationId: null })
    ).id;
  });

  afterAll(async () => {
    await (await main.ready()).close();
    await bed.stop();
  });

  it("admits a member with a bearer token and keeps the connection for its region's broadcaster", async () => {
    const result = await main.handler(
      websocketConnectEvent({
        connectionId: 'conn-bearer=',
        query: { projectId },
        headers: { Authorization: `Bearer ${ownerToken}` },
      }),
      lambdaContext('taskflow-ws-connect'),
    );
    expect(result.statusCode).toBe(200);
    // The function's AWS_REGION (the testbed's): only that region's broadcaster can reach it.
    expect(await connection('conn-bearer=')).toEqual({
      user_id: ownerId,
      project_id: projectId,
      region: 'eu-west-1',
    });
  });

  it('admits a browser with a one-minute stream ticket in the query', async () => {
    const { core } = await main.ready();
    const { ticket } = await core.tickets.issue(ownerId, projectId, Date.now() + 60_000);
    const result = await main.handler(
      websocketConnectEvent({ connectionId: 'conn-ticket=', query: { projectId, ticket } }),
      lambdaContext('taskflow-ws-connect'),
    );
    expect(result.statusCode).toBe(200);
    expect(await connection('conn-ticket=')).not.toBeNull();
  });

  it.each([
    [
      'a non-member (the project does not exist for them)',
      () => ({ headers: { Authorization: `Bearer ${strangerToken}` }, query: { projectId } }),
      404,
    ],
    ['no credentials', () => ({ query: { projectId } }), 401],
    [
      'a bad token',
      () => ({ headers: { Authorization: 'Bearer nope' }, query: { projectId } }),
      401,
    ],
    ['no project id', () => ({ headers: { Authorization: `Bearer ${ownerToken}` } }), 400],
    [
      'a malformed project id',
      () => ({ headers: { Authorization: `Bearer ${ownerToken}` }, query: { projectId: 'nope' } }),
      400,
    ],
  ])('refuses %s with a problem document, keeping nothing', async (_case, request, status) => {
    const result = await main.handler(
      websocketConnectEvent({ connectionId: 'conn-refused=', ...request() }),
      lambdaContext('taskflow-ws-connect'),
    );
    expect(result.statusCode).toBe(status);
    expect(result.headers?.['content-type']).toContain('application/problem+json');
    expect(await connection('conn-refused=')).toBeNull();
  });

  it('the built bundle admits a connection in a fresh process', async () => {
    const run = await invokeBundle(
      bed.bundle,
      [
        websocketConnectEvent({
          connectionId: 'conn-bundle=',
          query: { projectId },
          headers: { Authorization: `Bearer ${ownerToken}` },
        }),
      ],
      bed.env,
      { functionName: 'taskflow-ws-connect' },
    );
    expect(run.invocations).toEqual([
      expect.objectContaining({ ok: true, value: expect.objectContaining({ statusCode: 200 }) }),
    ]);
    expect(run.logs.find((l) => l['message'] === 'connect')).toMatchObject({
      service: 'taskflow-ws-connect',
      connectionId: 'conn-bundle=',
      status: 200,
    });
    expect(await connection('conn-bundle=')).toMatchObject({ region: 'eu-west-1' });
  });
});
