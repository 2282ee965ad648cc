// `npm run events:schemas`: writes docs/events/<type>.v<version>.schema.json for every event,
// and an index, from the zod event definitions of every context (gathered in app-composition).
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TASKFLOW_EVENTS } from '@taskflow/app-composition';
import { eventJsonSchemas, renderEventIndex } from '@taskflow/platform-events';

const dir = join(process.cwd(), 'docs', 'events');
mkdirSync(dir, { recursive: true });
for (const stale of readdirSync(dir).filter((f) => f.endsWith('.schema.json')))
  rmSync(join(dir, stale));
const schemas = eventJsonSchemas(TASKFLOW_EVENTS);
for (const { fileName, schema } of schemas)
  writeFileSync(join(dir, fileName), `${JSON.stringify(schema, null, 2)}\n`);
writeFileSync(join(dir, 'README.md'), renderEventIndex(schemas));
process.stdout.write(`wrote ${schemas.length} event schemas to docs/events\n`);
