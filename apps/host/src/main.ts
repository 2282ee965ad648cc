import { describeStartupFailure } from './cli/startup-failure';
import { type Host, composeHost } from './composition';
import { type HostConfig, loadConfig } from './config';
import { DEMO_USER, tokenFor } from './demo-user';
import { hasWebBoard } from './express-app';
import { scheduleIdempotencyPurge } from './maintenance';
import { type RunningServer, listen } from './server';

const TWELVE_HOURS = 12 * 60 * 60;

async function main(config: HostConfig): Promise<void> {
  const host = await composeHost(config);
  let running: RunningServer;
  try {
    running = await listen(host, config.port, config.host);
  } catch (error) {
    // The embedded database this process started must not outlive a host that never served.
    await host.close().catch(() => undefined);
    throw error;
  }
  const stopPurge = scheduleIdempotencyPurge(host);
  host.logger.info({ url: running.url }, 'Taskflow is listening');
  process.stdout.write(`\nTaskflow is running at ${running.url}\n`);
  process.stdout.write(
    hasWebBoard(config.webDir)
      ? `Board: open ${running.url}/ in a browser${config.devSignIn ? ' (sign in with any name and e-mail)' : ''}\n`
      : `Board: not built (npx nx build web), the API alone is served\n`,
  );
  if (config.databaseUrl === null) process.stdout.write(embeddedDatabaseNote(host));
  if (config.printDemoToken) {
    const token = await tokenFor(host, DEMO_USER.email, DEMO_USER.name, TWELVE_HOURS);
    process.stdout.write(
      `Demo token (${DEMO_USER.email}, valid 12 h):\n\n  export TOKEN=${token}\n\n`,
    );
    process.stdout.write(
      `Try: curl -s ${running.url}/users/me -H "Authorization: Bearer $TOKEN"\n\n`,
    );
  }

  let signals = 0;
  const shutdown = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) process.exit(1);
    host.logger.info({ signal }, 'shutting down: draining requests');
    stopPurge();
    running.stop().then(
      () => {
        host.logger.info('stopped cleanly');
        process.exit(0);
      },
      (error: unknown) => {
        host.logger.error({ err: error }, 'unclean shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A closed terminal: without a handler Node exits at once, and the embedded PostgreSQL (in a
  // process group of its own) would keep running with nobody to stop it.
  process.on('SIGHUP', shutdown);
}

/** Where the embedded database is, so that psql (or any client) can look inside it. */
function embeddedDatabaseNote(host: Host): string {
  return (
    `Database: embedded PostgreSQL in ${host.config.dataDir}/postgres, while the host runs:\n` +
    `  psql ${host.persistence.db.config.url}\n`
  );
}

function fail(error: unknown, config: HostConfig | null): never {
  const text = describeStartupFailure(error, config) ?? String((error as Error).stack ?? error);
  process.stderr.write(`${text}\n`);
  process.exit(1);
}

let config: HostConfig;
try {
  config = loadConfig();
} catch (error) {
  fail(error, null);
}
main(config).catch((error: unknown) => fail(error, config));
