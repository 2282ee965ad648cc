import { FixedClock, InMemoryOutbox, SequentialIdGenerator } from '@taskflow/platform-testing';
import { InMemoryUserRepository, type ProjectCoMembership } from './in-memory-user.repository';

/** The ports the users context's use cases need, in memory, sharing one outbox. */
export interface InMemoryUserPorts {
  readonly clock: FixedClock;
  readonly ids: SequentialIdGenerator;
  /** The one outbox every repository appends to. */
  readonly outbox: InMemoryOutbox;
  readonly users: InMemoryUserRepository;
}

/** Options of the in-memory port sets: the start of their clock and id sequence. */
export interface InMemoryPortsOptions {
  readonly start?: Date | string;
}

/**
 * A fresh set of the users context's ports. `projects`, when given, is who shares a project
 * with whom (the user directory's visibility rule); without it a user sees only themself.
 */
export function inMemoryUserPorts(
  options: InMemoryPortsOptions = {},
  projects?: ProjectCoMembership,
): InMemoryUserPorts {
  const clock = new FixedClock(options.start);
  const ids = new SequentialIdGenerator(
    options.start === undefined ? {} : { start: options.start },
  );
  const outbox = new InMemoryOutbox();
  return {
    clock,
    ids,
    outbox,
    users: new InMemoryUserRepository({ outbox, ...(projects === undefined ? {} : { projects }) }),
  };
}
