import { ConflictError, ValidationError, uuidV7Generator } from '@taskflow/platform-kernel';
import { User } from '@taskflow/users-domain';
import { encodeCursor } from '@taskflow/platform-postgres';
import { count, token, useTestDatabase } from '@taskflow/platform-postgres/testing';
import { openUsersDatabase, useCasesOver } from './testing/database.fixture';

function newUser(name: string, email: string): User {
  return User.create({ id: uuidV7Generator.next(), name, email, actorId: null, now: new Date() });
}

describe('PgUserRepository', () => {
  const store = useTestDatabase('pp_users', openUsersDatabase);

  /** Stores a fresh user and returns their id. */
  async function stored(name: string, email = `${token()}@example.com`): Promise<string> {
    const user = newUser(name, email);
    await store.users.add(user, { correlationId: null });
    return user.id;
  }

  /** Makes the users members of one new project (rows only: the directory reads nothing else). */
  async function shareProject(userIds: readonly string[]): Promise<void> {
    const projectId = uuidV7Generator.next();
    for (const userId of userIds) {
      await store.db.query({
        text: `INSERT INTO project_members (project_id, user_id, role, added_at) VALUES ($1, $2, 'editor', now())`,
        values: [projectId, userId],
      });
    }
  }

  describe('add and find', () => {
    it('stores a user that findById returns as it was', async () => {
      // Prepare
      const user = newUser('Ada Lovelace', `ada.${token()}@example.com`);
      const expected = user.snapshot();

      // Act
      await store.users.add(user, { correlationId: 'c-add' });
      const found = await store.users.findById(user.id);

      // Assess
      expect(found?.snapshot()).toEqual(expected);
    });

    it.each([
      { stored: 'Grace.Hopper@Example.COM', asked: 'grace.hopper@example.com' },
      { stored: 'grace.hopper@example.com', asked: 'GRACE.HOPPER@EXAMPLE.COM' },
      { stored: 'Grace.Hopper@example.com', asked: '  grace.HOPPER@example.com  ' },
    ])('finds $stored by e-mail $asked, whatever the case', async ({ stored, asked }) => {
      // Prepare
      const tag = token();
      const user = newUser('Grace', stored.replace('@', `.${tag}@`));
      await store.users.add(user, { correlationId: null });

      // Act
      const found = await store.users.findByEmail(asked.replace('@', `.${tag}@`));

      // Assess
      expect(found?.id).toBe(user.id);
      expect(found?.email).toBe(stored.replace('@', `.${tag}@`));
    });

    it.each([
      ['findById', () => store.users.findById(uuidV7Generator.next())],
      ['findByEmail', () => store.users.findByEmail(`nobody.${token()}@example.com`)],
    ])('%s answers null for an unknown user', async (_name, find) => {
      // Act
      const found = await find();

      // Assess
      expect(found).toBeNull();
    });
  });

  describe('a duplicate e-mail', () => {
    it.each([
      { first: 'Linus@Example.com', second: 'linus@example.com' },
      { first: 'linus@example.com', second: 'LINUS@EXAMPLE.COM' },
      { first: 'linus@example.com', second: 'linus@example.com' },
    ])(
      '$second after $first is a ConflictError EMAIL_TAKEN and keeps the original intact',
      async ({ first, second }) => {
        // Prepare
        const tag = token();
        const original = newUser('Original', first.replace('@', `.${tag}@`));
        await store.users.add(original, { correlationId: null });
        const duplicate = newUser('Duplicate', second.replace('@', `.${tag}@`));

        // Act
        const attempt = store.users.add(duplicate, { correlationId: null });

        // Assess
        await expect(attempt).rejects.toBeInstanceOf(ConflictError);
        await expect(attempt).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
        expect(
          (await store.users.findByEmail(second.replace('@', `.${tag}@`)))?.snapshot(),
        ).toEqual(original.snapshot());
        expect(await store.users.findById(duplicate.id)).toBeNull();
        expect(
          await count(store.db, 'SELECT count(*) AS n FROM outbox WHERE aggregate_id = $1', [
            duplicate.id,
          ]),
        ).toBe(0);
      },
    );

    it('inside a transaction, leaves the transaction usable: the winner can be read and more written', async () => {
      const email = `race.${token()}@example.com`;
      const winner = newUser('Winner', email);
      await store.users.add(winner, { correlationId: null });
      const later = newUser('Later', `later.${token()}@example.com`);

      const found = await store.db.run(async () => {
        await expect(
          store.users.add(newUser('Loser', email), { correlationId: null }),
        ).rejects.toMatchObject({ code: 'EMAIL_TAKEN' });
        // A unique violation would have aborted the transaction: these would fail.
        const read = await store.users.findByEmail(email);
        await store.users.add(later, { correlationId: null });
        return read;
      });

      expect(found?.id).toBe(winner.id);
      expect(await store.users.findById(later.id)).not.toBeNull();
    });

    it('concurrent registrations of one address inside transactions: one user, every caller gets it', async () => {
      const email = `burst.${token()}@example.com`;
      const app = useCasesOver(store);
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) =>
          store.db.run(() => app.users.ensureByEmail({ email, name: `N${String(i)}` }, null)),
        ),
      );
      expect(new Set(results.map((u) => u.id)).size).toBe(1);
      expect(
        await count(store.db, 'SELECT count(*) AS n FROM users WHERE email_lower = $1', [email]),
      ).toBe(1);
    });

    it('is told apart from other unique violations by constraint name (same id is not EMAIL_TAKEN)', async () => {
      // Prepare
      const id = uuidV7Generator.next();
      const now = new Date();
      await store.users.add(
        User.create({
          id,
          name: 'First',
          email: `first.${token()}@example.com`,
          actorId: null,
          now,
        }),
        { correlationId: null },
      );
      const sameId = User.create({
        id,
        name: 'Second',
        email: `second.${token()}@example.com`,
        actorId: null,
        now,
      });

      // Act
      const attempt = store.users.add(sameId, { correlationId: null });

      // Assess
      await expect(attempt).rejects.not.toBeInstanceOf(ConflictError);
      await expect(attempt).rejects.toMatchObject({ code: '23505', constraint: 'users_pkey' });
    });
  });

  describe('findVisible', () => {
    it('answers the viewer themself and a co-member, null for an outsider or nobody', async () => {
      // Prepare
      const viewer = await stored('Viewer');
      const mate = await stored('Mate');
      const outsider = await stored('Outsider');
      const outsidersMate = await stored('Outsider’s mate');
      await shareProject([viewer, mate]);
      await shareProject([outsider, outsidersMate]);

      // Act
      const found = await Promise.all(
        [viewer, mate, outsider, outsidersMate, uuidV7Generator.next()].map(
          async (id) => (await store.users.findVisible(id, viewer))?.id ?? null,
        ),
      );

      // Assess
      expect(found).toEqual([viewer, mate, null, null, null]);
    });
  });

  describe('list', () => {
    it('lists the viewer and their co-members only, each once however many projects they share', async () => {
      // Prepare
      const tag = token();
      const viewer = await stored(`Viewer ${tag}`);
      const mate = await stored(`Mate ${tag}`);
      const otherMate = await stored(`Other mate ${tag}`);
      const outsider = await stored(`Outsider ${tag}`);
      await shareProject([viewer, mate]);
      await shareProject([viewer, mate, otherMate]);
      await shareProject([outsider, mate]);

      // Act
      const page = await store.users.list({ viewerId: viewer, limit: 50, cursor: null, q: tag });
      const outsiders = await store.users.list({
        viewerId: outsider,
        limit: 50,
        cursor: null,
        q: tag,
      });

      // Assess
      expect(page.items.map((user) => user.id)).toEqual([viewer, mate, otherMate]);
      expect(outsiders.items.map((user) => user.id)).toEqual([mate, outsider]);
    });

    it('pages 5 matching users 2 at a time in 3 pages, each once, ending with a null cursor', async () => {
      // Prepare
      const tag = token();
      const viewer = await stored('Pager viewer');
      const added: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const user = newUser(`Pager ${tag} ${i}`, `pager${i}.${tag}@example.com`);
        await store.users.add(user, { correlationId: null });
        added.push(user.id);
        // An outsider matching q between each pair, never listed.
        await stored(`Pager ${tag} outsider ${i}`);
      }
      await shareProject([viewer, ...added]);

      // Act
      const pages: (readonly string[])[] = [];
      const cursors: (string | null)[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.users.list({ viewerId: viewer, limit: 2, cursor, q: tag });
        pages.push(page.items.map((user) => user.id));
        cursors.push(page.nextCursor);
        cursor = page.nextCursor;
      } while (cursor !== null && pages.length < 10);

      // Assess
      expect(pages.map((page) => page.length)).toEqual([2, 2, 1]);
      expect(pages.flat()).toEqual(added);
      expect(cursors[2]).toBeNull();
      expect(cursors.slice(0, 2)).not.toContain(null);
    });

    it('pages without a filter through every visible user exactly once', async () => {
      // Prepare
      const viewer = await stored('Unfiltered viewer');
      const team = [viewer];
      for (let i = 0; i < 7; i += 1) team.push(await stored(`Unfiltered ${i}`));
      await stored('Unfiltered outsider');
      await shareProject(team);

      // Act
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await store.users.list({ viewerId: viewer, limit: 3, cursor, q: null });
        seen.push(...page.items.map((user) => user.id));
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 100);

      // Assess
      expect(seen).toEqual(team);
      expect(pages).toBe(3);
    });

    it.each([
      { q: '100%', expected: ['100% Done'] },
      { q: '%', expected: ['100% Done'] },
      { q: 'a_b', expected: ['a_b literal'] },
      { q: '_', expected: ['a_b literal'] },
      { q: 'back\\slash', expected: ['back\\slash'] },
      { q: 'NEEDLE', expected: ['needle in name', 'by mail'] },
      { q: 'needle-mail', expected: ['by mail'] },
    ])(
      'matches q=$q literally and case-insensitively in name or e-mail',
      async ({ q, expected }) => {
        // Prepare: each call gets users of its own, told apart by a tag in their e-mail.
        const tag = token();
        const people = [
          ['100% Done', 'percent'],
          ['1000 Done', 'thousand'],
          ['a_b literal', 'underscore'],
          ['axb literal', 'wildcard'],
          ['back\\slash', 'backslash'],
          ['backslash', 'plain'],
          ['needle in name', 'name'],
          ['by mail', 'needle-mail'],
        ] as const;
        const viewer = await stored('Searcher');
        const team = [viewer];
        for (const [name, local] of people)
          team.push(await stored(name, `${local}.${tag}@example.com`));
        await shareProject(team);

        // Act
        const page = await store.users.list({ viewerId: viewer, limit: 50, cursor: null, q });

        // Assess
        const mine = page.items.filter((user) => user.email.includes(`.${tag}@`));
        expect(mine.map((user) => user.snapshot().name)).toEqual(expected);
      },
    );

    it.each([
      ['a garbage string', 'not-a-cursor!'],
      [
        'base64 of something that is not an id',
        Buffer.from('hello world', 'utf8').toString('base64url'),
      ],
      ['an empty string', ''],
      ['a raw uuid (not encoded)', uuidV7Generator.next()],
    ])('refuses %s as cursor with ValidationError INVALID_CURSOR', async (_what, cursor) => {
      // Act
      const attempt = store.users.list({
        viewerId: uuidV7Generator.next(),
        limit: 2,
        cursor,
        q: null,
      });

      // Assess
      await expect(attempt).rejects.toBeInstanceOf(ValidationError);
      await expect(attempt).rejects.toMatchObject({
        code: 'INVALID_CURSOR',
        issues: [{ path: 'cursor' }],
      });
    });

    it('accepts a well-formed cursor of an id it never issued (keyset, not offset)', async () => {
      // Act
      const page = await store.users.list({
        viewerId: uuidV7Generator.next(),
        limit: 2,
        cursor: encodeCursor('ffffffff-ffff-7fff-bfff-ffffffffffff'),
        q: null,
      });

      // Assess
      expect(page).toEqual({ items: [], nextCursor: null });
    });
  });
});
