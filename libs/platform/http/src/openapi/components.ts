import { z } from 'zod';

type JsonSchema = Record<string, unknown>;

/** A response shape with a name in the document: `[schema, 'Name']`. */
export type NamedSchema = readonly [z.ZodType, string];

/** Where a named schema lives in the document. */
export const schemaRef = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

/**
 * The response shapes that have a name in one document. A schema registered here is emitted
 * once under `components/schemas` and every use of it (a response, a page's `items`, a nested
 * enum) becomes a `$ref`, so a client generator sees one `Task`, not one copy per operation.
 */
export class Components {
  private readonly registry = z.registry<{ id: string }>();

  constructor(named: readonly NamedSchema[]) {
    const names = new Set<string>();
    for (const [schema, id] of named) {
      if (names.has(id)) throw new Error(`the schema name ${id} is given twice`);
      names.add(id);
      this.registry.add(schema, { id });
    }
  }

  /** The name of a registered response schema, or undefined for one documented inline. */
  nameOf(schema: z.ZodType): string | undefined {
    return this.registry.get(schema)?.id;
  }

  /** `components/schemas` of the document: every named shape, referring to the others by `$ref`. */
  schemas(): Record<string, JsonSchema> {
    const { schemas } = z.toJSONSchema(this.registry, {
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
}
