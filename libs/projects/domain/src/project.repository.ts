import type { Page, WriteContext } from '@taskflow/platform-kernel';
import type { ProjectAccess } from './project-access';
import type { Project } from './project.aggregate';

/** Port to the projects store. */
export interface ProjectRepository {
  /** Stores a new project, its members and its events atomically. */
  add(project: Project, context: WriteContext): Promise<void>;
  /**
   * Stores membership changes and events atomically, only if the stored version is still the
   * one the project was loaded at; otherwise throws `StaleVersionError`.
   */
  save(project: Project, context: WriteContext): Promise<void>;
  findById(id: string): Promise<Project | null>;
  /** The roles of the given users in a project, or null when the project does not exist. */
  accessFor(projectId: string, userIds: readonly string[]): Promise<ProjectAccess | null>;
  /** Projects the user is a member of, oldest first. */
  listForMember(userId: string, limit: number, cursor: string | null): Promise<Page<Project>>;
}
