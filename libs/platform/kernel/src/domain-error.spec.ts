import {
  ConflictError,
  DomainError,
  ForbiddenError,
  NotFoundError,
  StaleVersionError,
  ValidationError,
} from './domain-error';

describe('domain errors', () => {
  it.each<{ error: DomainError; name: string }>([
    { error: new ValidationError('INVALID_FIELD', 'bad'), name: 'ValidationError' },
    { error: new NotFoundError('TASK_NOT_FOUND', 'gone'), name: 'NotFoundError' },
    { error: new ForbiddenError('ROLE_FORBIDDEN', 'no'), name: 'ForbiddenError' },
    { error: new ConflictError('LAST_OWNER', 'keep one'), name: 'ConflictError' },
    { error: new StaleVersionError(1, 2), name: 'StaleVersionError' },
  ])('$name is a DomainError named after its class', ({ error, name }) => {
    // Assess
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(name);
  });

  it('ValidationError.field addresses one field by path', () => {
    // Act
    const error = ValidationError.field('INVALID_FIELD', 'labels.3', 'must not be empty');

    // Assess
    expect(error.code).toBe('INVALID_FIELD');
    expect(error.message).toBe('labels.3: must not be empty');
    expect(error.issues).toEqual([{ path: 'labels.3', message: 'must not be empty' }]);
  });

  it.each([
    { actual: 4, message: 'expected version 3 but the current version is 4' },
    { actual: null, message: 'expected version 3 but the resource changed' },
  ])('StaleVersionError carries the versions (actual $actual)', ({ actual, message }) => {
    // Act
    const error = new StaleVersionError(3, actual);

    // Assess
    expect(error.code).toBe('STALE_VERSION');
    expect(error.expectedVersion).toBe(3);
    expect(error.actualVersion).toBe(actual);
    expect(error.message).toBe(message);
  });
});
