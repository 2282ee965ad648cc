import { ProjectAccess } from '@taskflow/projects-domain';
import { ForbiddenError, NotFoundError } from '@taskflow/platform-kernel';
import { COMMENT_BODY_BOUNDS, Comment } from './comment.aggregate';
import { errorOf } from '@taskflow/platform-assertions';
import {
  SAMPLE_IDS,
  expectDomainError,
  itRefusesTextOutOfBounds,
  sampleRoles,
} from '@taskflow/platform-testing';

const { PROJECT_ID, TASK_ID, COMMENT_ID, OWNER, EDITOR, VIEWER, STRANGER } = SAMPLE_IDS;

const NOW = new Date('2025-01-02T10:00:00.000Z');

const access = ProjectAccess.of(PROJECT_ID, sampleRoles());

const write = (body: string, authorId = EDITOR): Comment =>
  Comment.create({
    id: COMMENT_ID,
    taskId: TASK_ID,
    projectId: PROJECT_ID,
    body,
    authorId,
    access,
    now: NOW,
  });

describe('Comment.create', () => {
  it('trims the body and raises comment.added', () => {
    // Act
    const comment = write('  Looks good to me.\n');

    // Assess
    const snapshot = {
      id: COMMENT_ID,
      taskId: TASK_ID,
      projectId: PROJECT_ID,
      authorId: EDITOR,
      body: 'Looks good to me.',
      createdAt: NOW.toISOString(),
    };
    expect(comment.snapshot()).toEqual(snapshot);
    expect(comment.pullEvents()).toEqual([
      {
        type: 'comment.added',
        schemaVersion: 1,
        data: {
          commentId: COMMENT_ID,
          taskId: TASK_ID,
          authorId: EDITOR,
          body: 'Looks good to me.',
          createdAt: NOW.toISOString(),
        },
        aggregateId: COMMENT_ID,
        aggregateVersion: 1,
        projectId: PROJECT_ID,
        actor: EDITOR,
        occurredAt: NOW.toISOString(),
      },
    ]);
  });

  it.each([
    { case: 'one character', body: 'k' },
    { case: 'the maximum', body: 'b'.repeat(COMMENT_BODY_BOUNDS.max) },
    { case: 'the maximum in emoji', body: '👍'.repeat(COMMENT_BODY_BOUNDS.max) },
  ])('accepts a body of $case', ({ body }) => {
    // Act
    const comment = write(body);

    // Assess
    expect(comment.snapshot().body).toBe(body);
  });

  itRefusesTextOutOfBounds(
    { path: 'body', max: COMMENT_BODY_BOUNDS.max, tooLong: 'must be at most 10000 characters' },
    write,
  );

  it.each([
    { who: 'the owner', authorId: OWNER },
    { who: 'an editor', authorId: EDITOR },
  ])('lets $who comment', ({ authorId }) => {
    // Act
    const comment = write('Fine', authorId);

    // Assess
    expect(comment.snapshot().authorId).toBe(authorId);
  });

  it.each([
    { who: 'a viewer', authorId: VIEWER, type: ForbiddenError, code: 'ROLE_FORBIDDEN' },
    { who: 'a non-member', authorId: STRANGER, type: NotFoundError, code: 'PROJECT_NOT_FOUND' },
  ])('refuses $who ($code)', ({ authorId, type, code }) => {
    // Act
    const error = errorOf(() => write('Fine', authorId));

    // Assess
    expectDomainError(error, type, code);
  });
});

describe('Comment.rehydrate', () => {
  it('rebuilds the stored comment without raising events', () => {
    // Prepare
    const stored = write('Stored').snapshot();

    // Act
    const comment = Comment.rehydrate(stored);

    // Assess
    expect(comment.snapshot()).toEqual(stored);
    expect(comment.snapshot()).not.toBe(comment.snapshot());
    expect(comment.pullEvents()).toEqual([]);
  });
});
