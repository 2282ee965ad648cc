import { POSTGRES_SESSION_OPTIONS } from '@taskflow/platform-postgres';
import { createServer } from 'node:http';
import { z } from 'zod';
import { Pool } from 'pg';
import { createTaskDirectly } from './scenarios';

const Settings = z.object({
  databaseUrl: z.string().min(1),
  poolSize: z.number().int().positive(),
  userId: z.uuid(),
  projectId: z.uuid(),
});

/**
 * A diagnostic server for `BENCH_DIAGNOSE=bare`: bare `node:http` (no Express, no auth, no
 * validation, no idempotency) answering POST /tasks with exactly the direct baseline's work.
 * Measured over HTTP like the host, it splits the host's gap into what HTTP itself costs on
 * this machine and what the application stack adds. Settings come as JSON in argv[2]; it
 * prints `listening <url>` once ready.
 */
function main(): void {
  const settings = Settings.parse(JSON.parse(process.argv[2] ?? '{}'));
  const pool = new Pool({
    connectionString: settings.databaseUrl,
    max: settings.poolSize,
    application_name: 'taskflow-bench-bare',
    options: POSTGRES_SESSION_OPTIONS,
  });
  pool.on('error', () => undefined);
  let created = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      // The body is parsed as the host would, then the same statements run.
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      createTaskDirectly(pool, settings.userId, settings.projectId, (created += 1)).then(
        (task) => {
          res.writeHead(task === null ? 404 : 201, {
            'content-type': 'application/json; charset=utf-8',
          });
          res.end(JSON.stringify(task));
        },
        (error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(String(error));
        },
      );
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    process.stdout.write(`listening http://127.0.0.1:${port}\n`);
  });
  const stop = (): void => {
    server.close();
    void pool.end().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main();
