import { Comment } from '@taskflow/tasks-domain';
import { ValidationError, uuidV7Generator } from '@taskflow/platform-kernel';
import { as } from '@taskflow/platform-postgres/testing';
import { useOwnerWithProject, useTasksDatabase } from './testing/database.fixture';

describe('PgCommentRepository', () => {
  const { store, app } = useTasksDatabase('pp_comments');
  const given = useOwnerWithProject(app);

  it('stores a comment that listForTask returns as it was', async () => {
    // Prepare
    const task = await given.createTask('Discussed');
    const access = await store.projects.accessFor(given.projectId, [given.ownerId]);
    if (access === null) throw new Error('project not stored');
    const comment = Comment.create({
      id: uuidV7Generator.next(),
      taskId: task.id,
      projectId: given.projectId,
      body: '  Looks good ✓\nship it  ',
      authorId: given.ownerId,
      access,
      now: new Date('2030-01-01T10:00:00.123Z'),
    });
    const expected = comment.snapshot();

    // Act
    await store.comments.add(comment, { correlationId: null });
    const page = await store.comments.listForTask(task.id, 10, null);

    // Assess
    expect(page.items.map((c) => c.snapshot())).toEqual([expected]);
    expect(expected.body).toBe('Looks good ✓\nship it');
    expect(page.nextCursor).toBeNull();
  });

  it.each([
    { total: 5, limit: 2, sizes: [2, 2, 1] },
    { total: 4, limit: 2, sizes: [2, 2] },
    { total: 3, limit: 5, sizes: [3] },
    { total: 0, limit: 3, sizes: [0] },
  ])(
    'pages $total comments $limit at a time, oldest first, each once',
    async ({ total, limit, sizes }) => {
      // Prepare
      const task = await given.createTask(`Thread of ${total}`);
      const other = await given.createTask('Other thread');
      const written: string[] = [];
      for (let i = 0; i < total; i += 1) {
        written.push((await app.tasks.comment(task.id, `comment ${i}`, as(given.ownerId))).id);
        await app.tasks.comment(other.id, `elsewhere ${i}`, as(given.ownerId));
      }

      // Act
      const pages: string[][] = [];
      const cursors: (string | null)[] = [];
      let cursor: string | null = null;
      do {
        const page = await store.comments.listForTask(task.id, limit, cursor);
        pages.push(page.items.map((c) => c.snapshot().body));
        cursor = page.nextCursor;
        cursors.push(cursor);
      } while (cursor !== null && pages.length < 10);

      // Assess
      expect(pages.map((page) => page.length)).toEqual(sizes);
      expect(pages.flat()).toEqual(written.map((_, i) => `comment ${i}`));
      expect(cursors.at(-1)).toBeNull();
      expect(cursors.slice(0, -1)).not.toContain(null);
    },
  );

  it('refuses a garbage cursor with ValidationError INVALID_CURSOR', async () => {
    // Act
    const attempt = store.comments.listForTask(uuidV7Generator.next(), 2, 'garbage');

    // Assess
    await expect(attempt).rejects.toBeInstanceOf(ValidationError);
    await expect(attempt).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
  });
});
