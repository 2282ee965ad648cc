import { composeHost } from './composition';
import { ConfigError, loadConfig } from './config';
import { DEMO_USER, tokenFor } from './demo-user';
import { scheduleIdempotencyPurge } from './maintenance';
import { listen } from './server';

const TWELVE_HOURS = 12 * 60 * 60;

async function main(): Promise<void> {
  const config = loadConfig();
  const host = await composeHost(config);
  const running = await listen(host, config.port, config.host);
  const stopPurge = scheduleIdempotencyPurge(host);
  host.logger.info({ url: running.url }, 'Taskflow is listening');
  process.stdout.write(`\nTaskflow is running at ${running.url}\n`);
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
}

main().catch((error: unknown) => {
  process.stderr.write(
    `${error instanceof ConfigError ? error.message : String((error as Error).stack ?? error)}\n`,
  );
  process.exit(1);
});
