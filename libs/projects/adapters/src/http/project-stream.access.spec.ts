import { inMemoryProjectPorts } from '@taskflow/projects-testing';
import { ProjectUseCases } from '@taskflow/projects-application';
import { UserUseCases } from '@taskflow/users-application';
import { ProjectStreamAccess } from './project-stream.access';

async function world() {
  const ports = inMemoryProjectPorts();
  const users = new UserUseCases(ports.users, ports.clock, ports.ids);
  const projects = new ProjectUseCases(ports.projects, ports.users, ports.clock, ports.ids);
  const owner = await users.ensureByEmail({ name: 'Olive', email: 'olive@example.com' }, null);
  const stranger = await users.ensureByEmail({ name: 'Sam', email: 'sam@example.com' }, null);
  const project = await projects.create(
    { name: 'Apollo' },
    { actorId: owner.id, correlationId: null },
  );
  return { access: new ProjectStreamAccess(projects), owner, stranger, project };
}

type World = Awaited<ReturnType<typeof world>>;

describe('ProjectStreamAccess', () => {
  it('admits a member of the project', async () => {
    // Prepare
    const w = await world();

    // Act
    const admission = w.access.admit(w.project.id, w.owner.id);

    // Assess
    await expect(admission).resolves.toBeUndefined();
  });

  it.each([
    ['a non-member', (w: World) => ({ projectId: w.project.id, userId: w.stranger.id })],
    [
      'anyone, to an unknown project',
      (w: World) => ({ projectId: '01890000-0000-7000-8000-00000000dead', userId: w.owner.id }),
    ],
  ])('refuses %s as PROJECT_NOT_FOUND', async (_, request) => {
    // Prepare
    const w = await world();
    const { projectId, userId } = request(w);

    // Act
    const admission = w.access.admit(projectId, userId);

    // Assess
    await expect(admission).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
  });
});
