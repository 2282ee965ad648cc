import { ForbiddenError, NotFoundError } from '@taskflow/platform-kernel';
import { ProjectAccess, projectNotFound } from './project-access';
import { errorOf } from '@taskflow/platform-assertions';
import { SAMPLE_IDS, expectDomainError, sampleRoles } from '@taskflow/platform-testing';

const { PROJECT_ID, OWNER, EDITOR, VIEWER, STRANGER } = SAMPLE_IDS;

const access = ProjectAccess.of(PROJECT_ID, sampleRoles());

describe('ProjectAccess', () => {
  it.each([
    { who: 'the owner', userId: OWNER, role: 'owner' },
    { who: 'an editor', userId: EDITOR, role: 'editor' },
    { who: 'a viewer', userId: VIEWER, role: 'viewer' },
  ])('requireMember answers the role of $who', ({ userId, role }) => {
    // Act
    const result = access.requireMember(userId);

    // Assess
    expect(result).toBe(role);
    expect(access.isMember(userId)).toBe(true);
    expect(access.roleOf(userId)).toBe(role);
  });

  it('requireMember answers a non-member as if the project did not exist', () => {
    // Act
    const error = errorOf(() => access.requireMember(STRANGER));

    // Assess
    expectDomainError(error, NotFoundError, 'PROJECT_NOT_FOUND', {
      message: projectNotFound(PROJECT_ID).message,
    });
    expect(access.isMember(STRANGER)).toBe(false);
    expect(access.roleOf(STRANGER)).toBeNull();
  });

  it.each([
    { who: 'the owner', userId: OWNER },
    { who: 'an editor', userId: EDITOR },
  ])('requireWriter lets $who write', ({ userId }) => {
    // Act
    const act = (): void => access.requireWriter(userId);

    // Assess
    expect(act).not.toThrow();
  });

  it.each([
    { who: 'a viewer', userId: VIEWER, type: ForbiddenError, code: 'ROLE_FORBIDDEN' },
    { who: 'a non-member', userId: STRANGER, type: NotFoundError, code: 'PROJECT_NOT_FOUND' },
  ])('requireWriter refuses $who with $code', ({ userId, type, code }) => {
    // Act
    const error = errorOf(() => access.requireWriter(userId));

    // Assess
    expectDomainError(error, type, code);
  });
});
