import type { QueryTracer } from '@taskflow/platform-postgres';
import type * as XRay from 'aws-xray-sdk-core';

type XRaySdk = typeof XRay;
type TraceableClient = Parameters<XRaySdk['captureAWSv3Client']>[0];

/** How a function traces its calls: X-Ray with Lambda active tracing, else nothing. */
export interface Tracing {
  /** The AWS SDK v3 client, with its calls traced as subsegments. */
  client<T extends TraceableClient>(client: T): T;
  /** One subsegment per SQL statement, or undefined when not tracing (no wrapper at all). */
  readonly queries: ((databaseUrl: string) => QueryTracer) | undefined;
}

const UNTRACED: Tracing = { client: (client) => client, queries: undefined };

let sdk: Promise<XRaySdk> | null = null;

/**
 * The tracing of a function: X-Ray where Lambda active tracing is on. The X-Ray SDK is only
 * loaded then (it costs about 30 ms of module initialisation otherwise paid by every cold start).
 * Outside a traced invocation (the init phase, tests) there is no segment: nothing is recorded,
 * nothing logged.
 */
export async function loadTracing(enabled: boolean): Promise<Tracing> {
  if (!enabled) return UNTRACED;
  sdk ??= import('aws-xray-sdk-core').then((loaded) => {
    loaded.setContextMissingStrategy('IGNORE_ERROR');
    return loaded;
  });
  const xray = await sdk;
  return {
    client: (client) => xray.captureAWSv3Client(client),
    queries: (databaseUrl) => xrayQueryTracer(xray, databaseUrl),
  };
}

/**
 * One X-Ray subsegment per SQL statement (`database@host`, namespace remote, with SQL data),
 * closed with the error when the statement fails. Without a current segment it only runs.
 */
export function xrayQueryTracer(xray: XRaySdk, databaseUrl: string): QueryTracer {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'postgres';
  const name = `${database}@${url.hostname}`;
  const user = decodeURIComponent(url.username);
  // Never the password: only where the statement went.
  const target = `postgresql://${url.host}/${database}`;
  return async (statement, run) => {
    const parent = xray.getSegment();
    if (parent === undefined) return run();
    const subsegment = parent.addNewSubsegment(name);
    subsegment.namespace = 'remote';
    subsegment.addSqlData(new xray.database.SqlData(undefined, 'pg', user, target, statement));
    try {
      const result = await run();
      subsegment.close();
      return result;
    } catch (error) {
      subsegment.close(error instanceof Error ? error : String(error));
      throw error;
    }
  };
}
