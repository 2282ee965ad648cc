import { FixedClock, InMemoryOutbox, SequentialIdGenerator } from '@taskflow/platform-testing';
import { User } from '@taskflow/users-domain';
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

/**
 * A registration of `email` by another process that wins the race: 'Winner' is stored right
 * before the next `add` of `ports.users` is checked. Answers the winner.
 */
export function racingRegistration(ports: InMemoryUserPorts, email: string): User {
  const winner = User.create({
    id: ports.ids.next(),
    name: 'Winner',
    email,
    actorId: null,
    now: ports.clock.now(),
  });
  ports.users.interleave(() => ports.users.add(winner, { correlationId: 'other-process' }));
  return winner;
}
