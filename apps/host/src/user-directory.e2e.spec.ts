import { addMember, useLogin, useProjectOwner } from './testing/fixtures';
import { asRecord, expectProblem, itemsOf } from './testing/responses';
import { type TestResponse, useTestHost } from './testing/test-host';

describe('the user directory over real HTTP: only people who share a project', () => {
  const t = useTestHost('directory');
  const owner = useProjectOwner(t, 'dir-owner@example.com', 'Shared');
  const mate = useLogin(t, 'dir-mate@example.com', 'Milo Mate');
  const outsider = useLogin(t, 'dir-outsider@example.com', 'Oscar Outsider');

  beforeAll(async () => {
    await addMember(t, owner, mate, 'editor');
  });

  const listed = async (token: string, query = ''): Promise<string[]> => {
    const response = await t.request('GET', `/users${query}`, { token });
    expect(response.status).toBe(200);
    return itemsOf(response.body).map((user) => String(user['id']));
  };

  it('lists the caller and their co-members, never an outsider', async () => {
    expect((await listed(owner.token)).sort()).toEqual([owner.userId, mate.userId].sort());
    expect((await listed(mate.token)).sort()).toEqual([owner.userId, mate.userId].sort());
    expect(await listed(outsider.token)).toEqual([outsider.userId]);
  });

  it('searches with q only within the visible set', async () => {
    expect(await listed(owner.token, '?q=OUTSIDER')).toEqual([]);
    expect(await listed(owner.token, '?q=dir-')).toHaveLength(2);
    expect(await listed(owner.token, '?q=milo')).toEqual([mate.userId]);
    expect(await listed(outsider.token, '?q=dir-')).toEqual([outsider.userId]);
  });

  it('pages the visible set with the keyset cursor, each user once', async () => {
    const first = await t.request('GET', '/users?limit=1', { token: owner.token });
    const cursor = String(asRecord(first.body)['nextCursor']);
    const second = await t.request('GET', `/users?limit=1&cursor=${cursor}`, {
      token: owner.token,
    });

    const ids = [...itemsOf(first.body), ...itemsOf(second.body)].map((user) => user['id']);
    expect(ids.sort()).toEqual([owner.userId, mate.userId].sort());
    expect(asRecord(second.body)['nextCursor']).toBeNull();
  });

  it('reads a co-member, and answers 404 for an outsider exactly as for nobody', async () => {
    const read = await t.request('GET', `/users/${mate.userId}`, { token: owner.token });
    const hidden = await t.request('GET', `/users/${outsider.userId}`, { token: owner.token });
    const missing = await t.request('GET', '/users/01890000-0000-7000-8000-000000000000', {
      token: owner.token,
    });
    const fromOutside = await t.request('GET', `/users/${owner.userId}`, {
      token: outsider.token,
    });

    expect(read.status).toBe(200);
    expect(asRecord(read.body)).toMatchObject({ id: mate.userId, email: 'dir-mate@example.com' });
    const bodyOf = (response: TestResponse) => {
      const { code, status, title, detail } = expectProblem(response, 404, 'USER_NOT_FOUND');
      return { code, status, title, detail: String(detail).replace(/[0-9a-f-]{36}/, '{id}') };
    };
    expect(bodyOf(hidden)).toEqual(bodyOf(missing));
    expect(bodyOf(fromOutside)).toEqual(bodyOf(missing));
  });

  describe('POST /projects/{id}/members by e-mail', () => {
    it('adds a user by exact e-mail (any case), who then sees the project and its members', async () => {
      const newcomer = await t.login('dir-newcomer@example.com', 'Nell Newcomer');

      const added = await t.request('POST', `/projects/${owner.projectId}/members`, {
        token: owner.token,
        body: { email: ' DIR-Newcomer@Example.com ', role: 'viewer' },
      });

      expect(added.status).toBe(201);
      expect(asRecord(added.body)['members']).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ userId: newcomer.userId, role: 'viewer' }),
        ]),
      );
      expect(await listed(newcomer.token)).toEqual(expect.arrayContaining([owner.userId]));
      expect(await listed(owner.token)).toEqual(expect.arrayContaining([newcomer.userId]));
    });

    it('answers 404 EMAIL_NOT_FOUND for an unregistered e-mail, adding nobody', async () => {
      const before = asRecord(
        (await t.request('GET', `/projects/${owner.projectId}`, { token: owner.token })).body,
      );

      const response = await t.request('POST', `/projects/${owner.projectId}/members`, {
        token: owner.token,
        body: { email: 'nobody-here@example.com', role: 'viewer' },
      });

      expectProblem(response, 404, 'EMAIL_NOT_FOUND');
      const after = asRecord(
        (await t.request('GET', `/projects/${owner.projectId}`, { token: owner.token })).body,
      );
      expect(after['version']).toBe(before['version']);
    });

    it('tells a non-owner 403 OWNER_REQUIRED, whether the e-mail is registered or not', async () => {
      for (const email of ['dir-outsider@example.com', 'nobody-here@example.com']) {
        expectProblem(
          await t.request('POST', `/projects/${owner.projectId}/members`, {
            token: mate.token,
            body: { email, role: 'viewer' },
          }),
          403,
          'OWNER_REQUIRED',
        );
      }
    });

    it.each([
      [
        'both userId and email',
        { userId: '01890000-0000-7000-8000-000000000000', email: 'a@b.co' },
        'email',
      ],
      ['neither userId nor email', {}, 'userId'],
      ['an email that is not a string', { email: 42 }, 'email'],
    ])('400 naming %s', async (_case, member, path) => {
      const response = await t.request('POST', `/projects/${owner.projectId}/members`, {
        token: owner.token,
        body: { ...member, role: 'viewer' },
      });

      const problem = expectProblem(response, 400, 'VALIDATION_FAILED');
      expect(problem['errors']).toEqual([expect.objectContaining({ path })]);
    });

    it('400 INVALID_EMAIL naming email for a malformed address', async () => {
      const response = await t.request('POST', `/projects/${owner.projectId}/members`, {
        token: owner.token,
        body: { email: 'not-an-address', role: 'viewer' },
      });

      const problem = expectProblem(response, 400, 'INVALID_EMAIL');
      expect(problem['errors']).toEqual([expect.objectContaining({ path: 'email' })]);
    });
  });
});
