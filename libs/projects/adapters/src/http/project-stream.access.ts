import type { StreamAccess } from '@taskflow/platform-http';
import type { ProjectUseCases } from '@taskflow/projects-application';

/**
 * Admission to a project's live stream by the projects use cases: a member may follow it; an
 * unknown project and a non-member are the same 404 `PROJECT_NOT_FOUND` as reading the project.
 */
export class ProjectStreamAccess implements StreamAccess {
  constructor(private readonly projects: ProjectUseCases) {}

  async admit(projectId: string, userId: string): Promise<void> {
    await this.projects.get(projectId, { actorId: userId, correlationId: null });
  }
}
