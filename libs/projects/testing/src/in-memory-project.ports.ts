import {
  type InMemoryPortsOptions,
  type InMemoryUserPorts,
  InMemoryUserRepository,
} from '@taskflow/users-testing';
import { FixedClock, InMemoryOutbox, SequentialIdGenerator } from '@taskflow/platform-testing';
import { InMemoryProjectRepository } from './in-memory-project.repository';

/** The ports the projects context's use cases need, in memory, sharing one outbox. */
export interface InMemoryProjectPorts extends InMemoryUserPorts {
  readonly projects: InMemoryProjectRepository;
}

/**
 * A fresh set of the users and projects contexts' ports: the user directory filters by the
 * project fake's membership, as the adapters join `project_members`.
 */
export function inMemoryProjectPorts(options: InMemoryPortsOptions = {}): InMemoryProjectPorts {
  const clock = new FixedClock(options.start);
  const ids = new SequentialIdGenerator(
    options.start === undefined ? {} : { start: options.start },
  );
  const outbox = new InMemoryOutbox();
  const projects = new InMemoryProjectRepository({ outbox });
  return {
    clock,
    ids,
    outbox,
    users: new InMemoryUserRepository({ outbox, projects }),
    projects,
  };
}
