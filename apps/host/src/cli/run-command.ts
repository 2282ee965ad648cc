import { type Host, composeHost } from '../composition';
import { ConfigError, loadConfig } from '../config';

/** Runs a one-shot command against the configured (or embedded) database, then closes it. */
export function runCommand(
  work: (host: Host) => Promise<void>,
  options: { migrate: boolean } = { migrate: true },
): void {
  void (async () => {
    let host: Host | null = null;
    try {
      // Quiet by default: a command's output is its result (a token must print alone).
      host = await composeHost(loadConfig(process.env, { LOG_LEVEL: 'warn' }), {
        ...options,
        attachToRunningDatabase: true,
      });
      await work(host);
      await host.close();
    } catch (error) {
      await host?.close().catch(() => undefined);
      process.stderr.write(
        `${error instanceof ConfigError ? error.message : (error as Error).message}\n`,
      );
      process.exitCode = 1;
    }
  })();
}
