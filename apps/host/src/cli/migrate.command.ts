import { runCommand } from './run-command';

// `npm run migrate`: applies pending migrations and says which.
runCommand(
  async (host) => {
    const report = await host.persistence.migrate();
    process.stdout.write(
      report.applied.length === 0
        ? `schema up to date (${report.alreadyApplied} migrations)\n`
        : `applied ${report.applied.length} migrations: ${report.applied.join(', ')}\n`,
    );
  },
  { migrate: false },
);
