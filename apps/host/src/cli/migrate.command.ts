import { runCommand } from './run-command';
import { helpIfAsked, refuseArguments } from './usage';
import { migrate } from '@taskflow/app-composition/migrate';

const USAGE = `usage: npm run migrate

Applies the pending migrations to the database (DATABASE_URL, else the embedded one: the running
host's when \`npm start\` is up) and says which. \`npm start\` migrates by itself.`;

const args = process.argv.slice(2);
helpIfAsked(args, USAGE);
refuseArguments(args, USAGE);
runCommand(
  async (host) => {
    const report = await migrate(host.persistence);
    process.stdout.write(
      report.applied.length === 0
        ? `schema up to date (${report.alreadyApplied} migrations)\n`
        : `applied ${report.applied.length} migrations: ${report.applied.join(', ')}\n`,
    );
  },
  { migrate: false },
);
