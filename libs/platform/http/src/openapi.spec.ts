import { z } from 'zod';
import { buildOpenApi } from './openapi';
import { json, route, type Route } from './route';
import { systemRoutes } from './system.routes';

type Json = Record<string, unknown>;

// The routes only document here: the builder never calls a handler or a dependency.
const system = systemRoutes({
  databaseUp: () => Promise.resolve(true),
  version: '1.2.3',
  region: 'local',
  openApi: () => ({}),
});

/** An authenticated GET route of one operation, with what it declares for the document. */
const probe = (overrides: Partial<Route> = {}): Route =>
  route({
    method: 'GET',
    path: '/probes/{id}',
    operationId: 'getProbe',
    summary: 'A probe.',
    tag: 'probes',
    auth: true,
    params: z.strictObject({ id: z.uuid() }),
    responses: { 200: { description: 'The probe', schema: ProbeResponse } },
    problems: { 404: ['PROBE_NOT_FOUND'] },
    handle: () => Promise.resolve(json(200, {})),
    ...overrides,
  });

const ProbeResponse = z.object({ id: z.uuid() });

const PROBES = {
  tags: [{ name: 'probes', description: 'Probes.' }],
  schemas: [[ProbeResponse, 'Probe']] as const,
  problemDetails: { PROBE_NOT_FOUND: 'no such probe' },
};

describe('buildOpenApi', () => {
  it('documents the HTTP core’s own routes and shapes without any context', () => {
    // Act
    const document = buildOpenApi(system, { version: '1.2.3' });

    // Assess
    expect(Object.keys(document['paths'] as Json)).toEqual(['/health', '/openapi.json']);
    expect(Object.keys((document['components'] as Json)['schemas'] as Json)).toEqual([
      'Health',
      'Problem',
    ]);
    expect(document['tags']).toEqual([
      { name: 'system', description: 'Health and this description; no authentication.' },
    ]);
  });

  it('takes a context’s tags, named shapes and problem details from its documentation', () => {
    // Act
    const document = buildOpenApi([...system, probe()], { version: '1' }, [PROBES]);

    // Assess
    const operation = ((document['paths'] as Json)['/probes/{id}'] as Json)['get'] as Json;
    const responses = operation['responses'] as Record<string, Json>;
    expect(JSON.stringify(responses['200'])).toContain('"$ref":"#/components/schemas/Probe"');
    expect(JSON.stringify(responses['404'])).toContain('no such probe');
    expect((document['tags'] as Json[]).map((t) => t['name'])).toEqual(['system', 'probes']);
  });

  it('refuses to document a route whose problem codes nobody wrote down', () => {
    const undocumented: Route = route({
      method: 'GET',
      path: '/new',
      operationId: 'somethingNew',
      summary: 'New.',
      tag: 'system',
      auth: true,
      query: z.strictObject({}),
      responses: { 200: { description: 'ok' } },
      handle: () => Promise.resolve(json(200, {})),
    });
    expect(() => buildOpenApi([undocumented], { version: '1' })).toThrow(/somethingNew/);
  });

  it.each([
    ['a tag nothing describes', { tags: [] }, /tag probes/],
    ['a problem code nothing explains', { problemDetails: {} }, /PROBE_NOT_FOUND/],
  ])('refuses to document a route with %s', (_, documentation, error) => {
    expect(() =>
      buildOpenApi([probe()], { version: '1' }, [{ ...PROBES, ...documentation }]),
    ).toThrow(error);
  });

  it('refuses a schema name given twice', () => {
    const twice = { schemas: [[z.string(), 'Probe']] as const };
    expect(() => buildOpenApi([probe()], { version: '1' }, [PROBES, twice])).toThrow(/Probe/);
  });
});
