import {
  AccessDeniedException,
  InternalException,
  ResourceNotFoundException,
  ThrottlingException,
} from '@aws-sdk/client-eventbridge';
import { fullJitterDelay } from './backoff';
import { classifyCallError, classifyEntryError } from './put-events.errors';
import { PUT_EVENTS_MAX_BYTES, packBatches, putEventsEntrySize } from './put-events.limits';

const metadata = { $metadata: {} };

describe('putEventsEntrySize', () => {
  it.each([
    ['ASCII members only', { Source: 'abc', DetailType: 'de', Detail: '{}' }, 3 + 2 + 2],
    ['Time counts 14 bytes', { Source: 'a', DetailType: 'b', Detail: '{}', Time: new Date() }, 18],
    ['UTF-8 bytes, not UTF-16 units', { Source: 'a', DetailType: 'b', Detail: '"€é😀"' }, 2 + 11],
    ['each resource', { Source: 'a', DetailType: 'b', Detail: '{}', Resources: ['xy', 'z'] }, 7],
    [
      'bus name and trace header do not count',
      { Source: 'a', DetailType: 'b', Detail: '{}', EventBusName: 'bus', TraceHeader: 'Root=1' },
      4,
    ],
  ])('%s', (_case, entry, expected) => {
    // Act
    const size = putEventsEntrySize(entry);

    // Assess
    expect(size).toBe(expected);
  });
});

describe('packBatches', () => {
  const limits = { maxEntries: 3, maxBytes: 10 };

  it.each([
    ['nothing', [], []],
    ['count limit', [1, 1, 1, 1, 1, 1, 1], [[1, 1, 1], [1, 1, 1], [1]]],
    ['byte limit', [4, 4, 4, 6, 4], [[4, 4], [4, 6], [4]]],
    ['exactly the byte limit', [5, 5, 10], [[5, 5], [10]]],
    ['an item over the limit travels alone', [2, 11, 2], [[2], [11], [2]]],
  ])('%s', (_case, sizes, expected) => {
    // Act
    const batches = packBatches(sizes, (size) => size, limits);

    // Assess
    expect(batches).toEqual(expected);
  });

  it('defaults to 10 entries and 256 KB per call', () => {
    // Prepare
    const sizes = [...Array<number>(12).fill(1), PUT_EVENTS_MAX_BYTES - 1, 1, 1];

    // Act
    const batches = packBatches(sizes, (size) => size);

    // Assess
    expect(batches.map((batch) => batch.length)).toEqual([10, 2, 2, 1]);
  });
});

describe('fullJitterDelay', () => {
  it.each([
    [1, 0.5, 50],
    [2, 0.5, 100],
    [3, 0.5, 200],
    [4, 0.5, 250],
    [60, 0.999, 499],
    [1, 0, 0],
  ])('retry %i with random %d waits %i ms (base 100, cap 500)', (retry, random, expected) => {
    // Act
    const delay = fullJitterDelay(retry, 100, 500, () => random);

    // Assess
    expect(delay).toBe(expected);
  });
});

describe('classifyEntryError', () => {
  it.each([
    ['InternalFailure', 'retryable'],
    ['ThrottlingException', 'retryable'],
    ['SomethingNewAndTransient', 'retryable'],
    ['AccessDeniedException', 'permanent'],
    ['InvalidAccountIdException', 'permanent'],
    ['InvalidArgument', 'permanent'],
    ['MalformedDetail', 'permanent'],
    ['RedactionFailure', 'permanent'],
    ['NotAuthorizedForSourceException', 'permanent'],
    ['NotAuthorizedForDetailTypeException', 'permanent'],
  ])('%s is %s', (code, expected) => {
    // Act
    const kind = classifyEntryError(code);

    // Assess
    expect(kind).toBe(expected);
  });
});

describe('classifyCallError', () => {
  const reset = Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });

  it.each([
    ['throttling', new ThrottlingException({ message: 'Rate exceeded', ...metadata }), 'throttled'],
    ['internal', new InternalException({ message: 'boom', ...metadata }), 'transient'],
    ['connection reset', reset, 'transient'],
    ['not an Error', 'weird', 'transient'],
    ['access denied', new AccessDeniedException({ message: 'no', ...metadata }), 'refused'],
    ['no such bus', new ResourceNotFoundException({ message: 'no', ...metadata }), 'refused'],
  ])('%s → %s', (_case, error, expected) => {
    // Act
    const verdict = classifyCallError(error);

    // Assess
    expect(verdict.kind).toBe(expected);
  });

  it('names a network error by its code', () => {
    // Act
    const verdict = classifyCallError(reset);

    // Assess
    expect(verdict).toEqual({ kind: 'transient', code: 'ECONNRESET', message: 'socket hang up' });
  });
});
