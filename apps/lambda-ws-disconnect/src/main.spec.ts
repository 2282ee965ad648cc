import { type FunctionTestbed, functionTestbed } from '@taskflow/app-testing';
import type { Persistence } from '@taskflow/app-composition';
import { invokeBundle, lambdaContext, websocketDisconnectEvent } from '@taskflow/platform-testing';

const PROJECT = '01900000-0000-7000-8000-000000000001';
const USER = '01900000-0000-7000-8000-0000000000a1';

describe('ws-disconnect Lambda ($disconnect of the WebSocket API)', () => {
  let bed: FunctionTestbed;
  let persistence: Persistence;
  let main: typeof import('./main');

  const add = (connectionId: string, expiresAt: Date) =>
    persistence.connections.add({
      connectionId,
      projectId: PROJECT,
      userId: USER,
      connectedAt: new Date(expiresAt.getTime() - 7_200_000),
      expiresAt,
    });
  const stored = async (): Promise<string[]> =>
    (await persistence.connections.forProject(PROJECT, new Date(0)))
      .map((c) => c.connectionId)
      .sort();

  beforeAll(async () => {
    // No JWT_SECRET: this function serves no caller.
    bed = await functionTestbed('ws-disconnect');
    persistence = bed.persistence;
    main = await import('./main');
  });

  afterAll(async () => {
    await (await main.ready()).persistence.close();
    await bed.stop();
  });

  it('forgets the connection, and purges expired ones left by clients that vanished', async () => {
    const later = new Date(Date.now() + 3_600_000);
    await add('open-1=', later);
    await add('open-2=', later);
    await add('expired=', new Date(Date.now() - 1_000));

    const result = await main.handler(websocketDisconnectEvent('open-1='), lambdaContext());

    expect(result.statusCode).toBe(200);
    expect(await stored()).toEqual(['open-2=']);
  });

  it('answers 200 for a connection it never knew (API Gateway may call $disconnect twice)', async () => {
    const result = await main.handler(websocketDisconnectEvent('never-seen='), lambdaContext());
    expect(result.statusCode).toBe(200);
  });

  it('the built bundle forgets a connection in a fresh process', async () => {
    await add('bundle=', new Date(Date.now() + 3_600_000));
    const run = await invokeBundle(bed.bundle, [websocketDisconnectEvent('bundle=')], bed.env, {
      functionName: 'taskflow-ws-disconnect',
    });
    expect(run.invocations).toEqual([
      expect.objectContaining({ ok: true, value: expect.objectContaining({ statusCode: 200 }) }),
    ]);
    expect(await stored()).not.toContain('bundle=');
  });
});
