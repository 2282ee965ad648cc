import { ProjectRoleSchema, TaskPrioritySchema, TaskStatusSchema } from '@taskflow/platform-events';
import { z } from 'zod';
import * as S from '../schemas';

type JsonSchema = Record<string, unknown>;

/** Where a named schema lives in the document. */
export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/**
 * The response shapes that have a name in the document. A schema registered here is emitted
 * once under `components/schemas` and every use of it (a response, a page's `items`, a nested
 * enum) becomes a `$ref`, so a client generator sees one `Task`, not one copy per operation.
 * Adding a name is one line: `[S.Something, 'Something']`.
 */
const NAMED: readonly (readonly [z.ZodType, string])[] = [
  [TaskStatusSchema, 'TaskStatus'],
  [TaskPrioritySchema, 'TaskPriority'],
  [ProjectRoleSchema, 'ProjectRole'],
  [S.UserResponse, 'User'],
  [S.UserPage, 'UserPage'],
  [S.ProjectResponse.shape.members.element, 'Member'],
  [S.ProjectResponse, 'Project'],
  [S.ProjectPage, 'ProjectPage'],
  [S.TaskResponse, 'Task'],
  [S.TaskPage, 'TaskPage'],
  [S.HistoryEntrySchema, 'HistoryEntry'],
  [S.TaskHistory, 'TaskHistory'],
  [S.CommentResponse, 'Comment'],
  [S.CommentPage, 'CommentPage'],
  [S.StreamTicketResponse, 'StreamTicket'],
  [S.HealthResponse, 'Health'],
  [S.ProblemSchema, 'Problem'],
];

const registry = z.registry<{ id: string }>();
for (const [schema, id] of NAMED) registry.add(schema, { id });

/** The name of a registered response schema, or undefined for one documented inline. */
export function componentName(schema: z.ZodType): string | undefined {
  return registry.get(schema)?.id;
}

/** `components/schemas` of the document: every named shape, referring to the others by `$ref`. */
export function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(registry, {
    io: 'output',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  return Object.fromEntries(
    Object.entries(schemas).map(([name, schema]) => {
      // The document declares the dialect once (jsonSchemaDialect) and names each schema by its
      // key: a per-schema $schema or $id would only restate that.
      const rest = { ...schema };
      delete rest['$schema'];
      delete rest['$id'];
      return [name, rest];
    }),
  );
}
