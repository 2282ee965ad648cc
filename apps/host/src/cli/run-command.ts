import { type Host, composeHost } from '../composition';
import { type HostConfig, loadConfig } from '../config';
import { describeStartupFailure } from './startup-failure';

/** Runs a one-shot command against the configured (or embedded) database, then closes it. */
export function runCommand(
  work: (host: Host) => Promise<void>,
  options: { migrate: boolean } = { migrate: true },
): void {
  void (async () => {
    let host: Host | null = null;
    let config: HostConfig | null = null;
    try {
      // Quiet by default: a command's output is its result (a token must print alone).
      config = loadConfig(process.env, { LOG_LEVEL: 'warn' });
      host = await composeHost(config, {
        ...options,
        attachToRunningDatabase: true,
      });
      await work(host);
      await host.close();
    } catch (error) {
      await host?.close().catch(() => undefined);
      const text = describeStartupFailure(error, config) ?? (error as Error).message;
      process.stderr.write(`${text}\n`);
      process.exitCode = 1;
    }
  })();
}
