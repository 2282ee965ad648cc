import {
  type ApiLogger,
  type CorsOrigins,
  HttpApi,
  StreamGate,
  StreamTickets,
  TokenIssuer,
  TokenVerifier,
  UserIdentityResolver,
  buildOpenApi,
  buildRoutes,
} from '@taskflow/platform-http';
import { ProjectUseCases } from '@taskflow/projects-application';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import { TaskUseCases } from '@taskflow/tasks-application';
import { UserUseCases } from '@taskflow/users-application';
import type { Persistence } from './persistence';

/** The version reported by /health and the OpenAPI document. */
export const TASKFLOW_VERSION = '0.1.0';

/** What the core needs to know, whatever runs it (host, Lambda). */
export interface CoreSettings {
  /** HS256 secret of the tokens and stream tickets this deployment issues. */
  readonly signingSecret: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** An external identity provider (Cognito...) whose RS256 tokens are accepted too. */
  readonly jwks: {
    readonly url: string;
    readonly issuer: string;
    readonly audience: string | null;
  } | null;
  /** Browser origins allowed to call the API cross-origin (default: same-origin only). */
  readonly corsOrigins?: CorsOrigins;
  /** Reported by /health. */
  readonly region: string;
}

/** The use cases and the transport-neutral HTTP API over one persistence. */
export interface Core {
  readonly users: UserUseCases;
  readonly projects: ProjectUseCases;
  readonly tasks: TaskUseCases;
  readonly api: HttpApi;
  readonly tokens: TokenIssuer;
  readonly verifier: TokenVerifier;
  readonly identities: UserIdentityResolver;
  readonly tickets: StreamTickets;
  /** Admission to live project streams (SSE, WebSocket connect). */
  readonly gate: StreamGate;
}

/** Wires the use cases and the HTTP API: the part every entry point shares. */
export function composeCore(
  persistence: Persistence,
  settings: CoreSettings,
  logger: ApiLogger,
): Core {
  const users = new UserUseCases(persistence.users, systemClock, uuidV7Generator);
  const tasks = new TaskUseCases(
    persistence.tasks,
    persistence.comments,
    persistence.projects,
    systemClock,
    uuidV7Generator,
  );
  // A member removed from a project is unassigned from its tasks in the same transaction, or,
  // where transactions are bounded (DSQL), the first of them there and the rest in batches.
  const limit = persistence.releasesPerTransaction;
  const projects = new ProjectUseCases(
    persistence.projects,
    persistence.users,
    systemClock,
    uuidV7Generator,
    {
      transactions: persistence.db,
      departures: {
        memberLeaving: (projectId, userId, context, max) =>
          tasks.memberLeaving(projectId, userId, context, max),
      },
      ...(limit === null ? {} : { changesPerTransaction: limit }),
    },
  );
  const verifier = new TokenVerifier({
    hs256Secret: settings.signingSecret,
    issuer: settings.jwtIssuer,
    audience: settings.jwtAudience,
    jwks: settings.jwks,
  });
  const identities = new UserIdentityResolver(users);
  const tickets = new StreamTickets(settings.signingSecret, settings.jwtIssuer);
  // Built on the first request for it, not during every cold start.
  let openApi: unknown = null;
  const routes = buildRoutes({
    tickets,
    users,
    projects,
    tasks,
    databaseUp: () => persistence.db.ping(),
    version: TASKFLOW_VERSION,
    region: settings.region,
    openApi: () => (openApi ??= buildOpenApi(routes, { version: TASKFLOW_VERSION })),
  });
  const api = new HttpApi({
    routes,
    authenticator: verifier,
    identities,
    idempotency: persistence.idempotency,
    transactions: persistence.db,
    logger,
    corsOrigins: settings.corsOrigins ?? [],
  });
  return {
    users,
    projects,
    tasks,
    api,
    tokens: new TokenIssuer(settings.signingSecret, settings.jwtIssuer, settings.jwtAudience),
    verifier,
    identities,
    tickets,
    gate: new StreamGate({ authenticator: verifier, identities, tickets, projects }),
  };
}
