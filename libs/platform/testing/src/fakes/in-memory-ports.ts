import { FixedClock } from './fixed.clock';
import { InMemoryCommentRepository } from './in-memory-comment.repository';
import { InMemoryOutbox } from './in-memory-outbox';
import { InMemoryProjectRepository } from './in-memory-project.repository';
import { InMemoryTaskRepository } from './in-memory-task.repository';
import { InMemoryUserRepository } from './in-memory-user.repository';
import { SequentialIdGenerator } from './sequential-id.generator';

/** Every port the use cases need, in memory, wired together. */
export interface InMemoryPorts {
  readonly clock: FixedClock;
  readonly ids: SequentialIdGenerator;
  /** The one outbox every repository below appends to. */
  readonly outbox: InMemoryOutbox;
  readonly users: InMemoryUserRepository;
  readonly projects: InMemoryProjectRepository;
  readonly tasks: InMemoryTaskRepository;
  readonly comments: InMemoryCommentRepository;
}

/**
 * A fresh, isolated set of in-memory ports sharing one outbox: the task listing and the user
 * directory filter by the project fake's membership, as the adapters join `project_members`.
 */
export function inMemoryPorts(options: { readonly start?: Date | string } = {}): InMemoryPorts {
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
    tasks: new InMemoryTaskRepository(projects, { outbox }),
    comments: new InMemoryCommentRepository({ outbox }),
  };
}
