import { type InMemoryProjectPorts, inMemoryProjectPorts } from '@taskflow/projects-testing';
import type { InMemoryPortsOptions } from '@taskflow/users-testing';
import { InMemoryCommentRepository } from './in-memory-comment.repository';
import { InMemoryTaskRepository } from './in-memory-task.repository';

/** Every port the use cases of all three contexts need, in memory, wired together. */
export interface InMemoryPorts extends InMemoryProjectPorts {
  readonly tasks: InMemoryTaskRepository;
  readonly comments: InMemoryCommentRepository;
}

/**
 * A fresh, isolated set of in-memory ports sharing one outbox: the task listing and the user
 * directory filter by the project fake's membership, as the adapters join `project_members`.
 */
export function inMemoryPorts(options: InMemoryPortsOptions = {}): InMemoryPorts {
  const ports = inMemoryProjectPorts(options);
  return {
    ...ports,
    tasks: new InMemoryTaskRepository(ports.projects, { outbox: ports.outbox }),
    comments: new InMemoryCommentRepository({ outbox: ports.outbox }),
  };
}
