import { NO_TASK_FILTERS, type TaskPriority, type TaskStatus } from '@taskflow/tasks-domain';
import type { Host } from '../composition';
import { runCommand } from './run-command';
import { helpIfAsked, refuseArguments } from './usage';

const USAGE = `usage: npm run seed

Adds sample data: users alice, bob and carol @example.com, the project "Taskflow launch" (Alice
owns it, Bob edits, Carol views) and five tasks. Running it again adds nothing.`;

const PEOPLE = [
  { email: 'alice@example.com', name: 'Alice Example' },
  { email: 'bob@example.com', name: 'Bob Example' },
  { email: 'carol@example.com', name: 'Carol Example' },
] as const;

const PROJECT_NAME = 'Taskflow launch';

const TASKS: readonly {
  title: string;
  status: TaskStatus;
  priority: TaskPriority;
  labels: string[];
  assignee: number | null;
}[] = [
  {
    title: 'Write the launch announcement',
    status: 'in_progress',
    priority: 'high',
    labels: ['marketing'],
    assignee: 0,
  },
  {
    title: 'Load-test the API',
    status: 'pending',
    priority: 'urgent',
    labels: ['engineering', 'performance'],
    assignee: 1,
  },
  {
    title: 'Review the privacy policy',
    status: 'blocked',
    priority: 'medium',
    labels: ['legal'],
    assignee: null,
  },
  {
    title: 'Pick the launch date',
    status: 'completed',
    priority: 'low',
    labels: ['planning'],
    assignee: 0,
  },
  {
    title: 'Record the demo video',
    status: 'pending',
    priority: 'medium',
    labels: ['marketing'],
    assignee: 1,
  },
];

/** Adds the sample data once: running it again changes nothing. */
async function seed(host: Host): Promise<void> {
  const [alice, bob, carol] = await Promise.all(
    PEOPLE.map((p) => host.users.ensureByEmail(p, 'seed')),
  );
  if (!alice || !bob || !carol) throw new Error('seed users missing');
  const owner = { actorId: alice.id, correlationId: 'seed' };
  const mine = await host.projects.listMine(100, null, owner);
  let project = mine.items.find((p) => p.name === PROJECT_NAME);
  if (!project) {
    project = await host.projects.create({ name: PROJECT_NAME }, owner);
    await host.projects.addMember({ projectId: project.id, userId: bob.id, role: 'editor' }, owner);
    await host.projects.addMember(
      { projectId: project.id, userId: carol.id, role: 'viewer' },
      owner,
    );
  }
  const existing = await host.tasks.list(
    { ...NO_TASK_FILTERS, projectId: project.id, limit: 100 },
    owner,
  );
  const titles = new Set(existing.items.map((t) => t.title));
  const people = [alice, bob];
  let created = 0;
  for (const task of TASKS) {
    if (titles.has(task.title)) continue;
    const assignee = task.assignee === null ? null : (people[task.assignee]?.id ?? null);
    await host.tasks.create(
      {
        projectId: project.id,
        title: task.title,
        status: task.status,
        priority: task.priority,
        labels: task.labels,
        assigneeId: assignee,
      },
      owner,
    );
    created += 1;
  }
  process.stdout.write(
    `seeded: users ${PEOPLE.map((p) => p.email).join(', ')}; project "${PROJECT_NAME}" (${project.id}); ${created} new tasks\n`,
  );
}

const args = process.argv.slice(2);
helpIfAsked(args, USAGE);
refuseArguments(args, USAGE);
runCommand(seed);
