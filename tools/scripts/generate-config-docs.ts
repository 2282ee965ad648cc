// `npm run config:docs`: rewrites the configuration table of README.md (between its
// config-table markers) from the one configuration schema in libs/platform/config.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { replaceConfigTable } from '@taskflow/platform-config';

const readme = join(process.cwd(), 'README.md');
const before = readFileSync(readme, 'utf8');
const after = replaceConfigTable(before);
if (after !== before) writeFileSync(readme, after);
process.stdout.write(
  `${after === before ? 'unchanged' : 'rewrote'}: the configuration table of README.md\n`,
);
