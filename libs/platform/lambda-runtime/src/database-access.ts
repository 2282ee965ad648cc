import { DsqlSigner } from '@aws-sdk/dsql-signer';
import type { DatabaseCredentials } from '@taskflow/platform-postgres';
import { z } from 'zod';
import { DSQL_ADMIN_USER, type DatabaseSource, LambdaConfigError } from './config';
import type { SecretReader } from './secret-reader';

/** A DSQL endpoint's token maker: each call signs a new token (valid 15 minutes). */
export type DsqlTokens = (target: {
  readonly endpoint: string;
  readonly region: string;
  readonly user: string;
}) => () => Promise<string>;

/**
 * IAM authentication tokens from `@aws-sdk/dsql-signer`, signed with the execution role's
 * credentials: `DbConnectAdmin` for the `admin` user, `DbConnect` for any other (a role mapped
 * with `AWS IAM GRANT`). Signing is local (no call to AWS), so a token per connection is cheap.
 */
export const dsqlSignerTokens: DsqlTokens = ({ endpoint, region, user }) => {
  const signer = new DsqlSigner({ hostname: endpoint, region });
  return user === DSQL_ADMIN_USER
    ? () => signer.getDbConnectAdminAuthToken()
    : () => signer.getDbConnectAuthToken();
};

/** What the database secret and DSQL need from the cloud; injected in tests. */
export interface DatabaseAccess {
  readonly secrets: SecretReader;
  readonly dsqlTokens: DsqlTokens;
}

/** Where the pool connects and how each new connection gets its password. */
export interface ResolvedDatabase {
  /** postgres://user@host:port/database; with the password only for `DATABASE_AUTH=url`. */
  readonly url: string;
  readonly credentials?: DatabaseCredentials;
}

/**
 * RDS's secret shape (what `DatabaseSecret`, `Credentials.fromGeneratedSecret` and rotation
 * write). A secret RDS manages itself holds only username and password: host then comes from
 * `DATABASE_HOST`, port defaults to 5432 and dbname to `postgres`.
 */
const RdsSecretSchema = z.object({
  username: z.string().min(1),
  password: z.string().min(1),
  host: z.string().min(1).optional(),
  port: z.coerce.number().int().min(1).max(65_535).optional(),
  dbname: z.string().min(1).optional(),
});

type RdsSecret = z.infer<typeof RdsSecretSchema>;

const SECRET_VARIABLE = 'DATABASE_SECRET_ARN';

/**
 * Turns the configured source into a pool target, reading the database secret now (at cold
 * start) for `secret`.
 */
export async function resolveDatabase(
  source: DatabaseSource,
  region: string,
  access: DatabaseAccess,
): Promise<ResolvedDatabase> {
  switch (source.auth) {
    case 'url':
      return { url: source.url };
    case 'secret': {
      const read = async (): Promise<RdsSecret> =>
        parseRdsSecret(await access.secrets.read(source.secretArn, SECRET_VARIABLE));
      const first = await read();
      const host = source.host ?? first.host;
      if (host === undefined)
        throw new LambdaConfigError(
          `the secret ${SECRET_VARIABLE} names has no host: set DATABASE_HOST`,
        );
      return {
        url: postgresUrl(first.username, host, first.port ?? 5432, first.dbname ?? 'postgres'),
        credentials: new SecretCredentials(first, read),
      };
    }
    case 'dsql-iam': {
      const token = access.dsqlTokens({ endpoint: source.endpoint, region, user: source.user });
      return {
        url: postgresUrl(source.user, source.endpoint, source.port, source.database),
        // A token is checked only when a connection opens: a fresh one for each, never cached.
        credentials: { password: token },
      };
    }
  }
}

/**
 * The password of the database secret as last read. After the server refused it, the secret is
 * read again, unless it was since the refused connection started: connections refused together
 * (and a password that is simply wrong) cost one read, not one each. The user, host and
 * database stay those read at cold start: single-user rotation changes only the password.
 */
class SecretCredentials implements DatabaseCredentials {
  private rereading: Promise<void> | null = null;
  /** When the last read finished (`performance.now()`); the cold start's read came first. */
  private readAt = performance.now();

  constructor(
    private current: RdsSecret,
    private readonly read: () => Promise<RdsSecret>,
  ) {}

  password(): Promise<string> {
    return Promise.resolve(this.current.password);
  }

  refresh(since: number): Promise<void> {
    if (this.rereading !== null) return this.rereading;
    if (this.readAt > since) return Promise.resolve();
    this.rereading = this.read()
      .then((secret) => {
        this.current = secret;
        this.readAt = performance.now();
      })
      .finally(() => {
        this.rereading = null;
      });
    return this.rereading;
  }
}

function parseRdsSecret(text: string): RdsSecret {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text it choked on: the secret itself.
    throw new LambdaConfigError(
      `the secret ${SECRET_VARIABLE} names is not JSON (expected RDS's {username, password, host, port, dbname})`,
    );
  }
  const parsed = RdsSecretSchema.safeParse(json);
  if (!parsed.success) {
    // Paths and kinds only: an issue's input would be a value of the secret.
    const fields = parsed.error.issues.map((issue) => issue.path.join('.') || '(root)');
    throw new LambdaConfigError(
      `the secret ${SECRET_VARIABLE} names is not in RDS's shape: check ${[...new Set(fields)].join(', ')}`,
    );
  }
  return parsed.data;
}

function postgresUrl(user: string, host: string, port: number, database: string): string {
  const url = new URL('postgres://localhost');
  url.hostname = host;
  url.port = String(port);
  url.username = encodeURIComponent(user);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}
