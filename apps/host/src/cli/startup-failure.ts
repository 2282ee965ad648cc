import { EmbeddedPostgresError } from '@taskflow/platform-postgres';
import { ConfigError, type HostConfig } from '../config';

/** A Node.js system error (`listen EADDRINUSE`, `open EACCES`, `connect ECONNREFUSED`...). */
interface SystemError extends Error {
  readonly code: string;
  readonly syscall: string;
  readonly port?: number;
}

function isSystemError(error: unknown): error is SystemError {
  return (
    error instanceof Error &&
    typeof (error as Partial<SystemError>).code === 'string' &&
    typeof (error as Partial<SystemError>).syscall === 'string'
  );
}

/** An error the PostgreSQL server sent (pg's DatabaseError: it carries a severity and SQLSTATE). */
function isServerError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    typeof (error as { severity?: unknown }).severity === 'string' &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/**
 * What to tell a person whose host or command did not start: the condition and what to change,
 * without a stack trace, for every cause they can fix (configuration, ports, the data folder,
 * the database).
 *
 * @param config - the configuration in force, for advice naming its values; null when the
 *   configuration itself is what failed.
 * @returns null for any other error: the caller decides (the host prints the stack, since such an
 *   error is a bug and a bug report needs it; a command prints its own errors' messages).
 */
export function describeStartupFailure(error: unknown, config: HostConfig | null): string | null {
  // Node 20 connects to `localhost` on ::1 and 127.0.0.1 at once; both refusals arrive together.
  const first: unknown =
    error instanceof AggregateError ? (error.errors as unknown[])[0] : undefined;
  const cause = first ?? error;
  if (cause instanceof ConfigError) return cause.message;
  if (cause instanceof EmbeddedPostgresError) return embeddedFailure(cause, config);
  if (isSystemError(cause)) return systemFailure(cause, config);
  if (isServerError(cause)) return `PostgreSQL refused: ${cause.message} (SQLSTATE ${cause.code})`;
  return null;
}

function embeddedFailure(error: EmbeddedPostgresError, config: HostConfig | null): string {
  const dataDir = config?.dataDir ?? '.data';
  const running = error.running;
  if (error.code === 'ALREADY_RUNNING' && running?.owned === true) {
    const port = config === null || config.port === 0 ? 0 : config.port + 1;
    const lines = [
      `Another Taskflow host (or a command such as npm run seed) is using the data folder ${dataDir}:` +
        ` its embedded PostgreSQL runs as pid ${running.pid}` +
        `${running.port === null ? '' : ` on port ${running.port}`}. Leave it running.`,
      'To run a second host beside it:',
      `  with data of its own:   TASKFLOW_DATA_DIR=${dataDir}-2 PORT=${port} npm start`,
    ];
    if (running.port !== null) {
      lines.push(
        `  on the same data:       DATABASE_URL=postgres://postgres:postgres@127.0.0.1:${running.port}/postgres PORT=${port} npm start`,
        '                          (that database stops when the first host stops)',
      );
    }
    return lines.join('\n');
  }
  switch (error.code) {
    case 'DATA_DIR_NOT_ACCESSIBLE':
    case 'INCOMPATIBLE_VERSION':
      return `${error.message}\n(TASKFLOW_DATA_DIR chooses the data folder; it is ${dataDir} now)`;
    case 'PORT_IN_USE':
      return `The embedded PostgreSQL could not bind EMBEDDED_POSTGRES_PORT=${String(config?.embeddedPostgresPort ?? '?')}: another program holds it. Choose another, or unset it for a free one.`;
    default:
      return error.message;
  }
}

function systemFailure(error: SystemError, config: HostConfig | null): string {
  if (error.syscall === 'listen' && error.code === 'EADDRINUSE') {
    const port = error.port ?? config?.port;
    return `Port ${String(port)} is already in use (another Taskflow host?): choose another with PORT, e.g. PORT=${String((port ?? 3000) + 1)} npm start`;
  }
  if (error.syscall === 'listen' && error.code === 'EACCES') {
    return `Port ${String(error.port ?? config?.port)} needs privileges to listen on: choose one above 1023 with PORT`;
  }
  if (error.syscall === 'connect' || error.syscall === 'getaddrinfo') {
    return `Cannot reach the database (${error.message}): check DATABASE_URL, or unset it to use the embedded PostgreSQL`;
  }
  return error.message;
}
