import {
  type ApiLogger,
  type CorsOrigins,
  HttpApi,
  type Route,
  StreamGate,
  StreamTickets,
  type SystemRouteDependencies,
  TokenIssuer,
  TokenVerifier,
  buildOpenApi,
  systemRoutes,
} from '@taskflow/platform-http';
import {
  PROJECT_OPENAPI,
  type ProjectRouteDependencies,
  ProjectStreamAccess,
  projectRoutes,
} from '@taskflow/projects-adapters';
import { ProjectUseCases } from '@taskflow/projects-application';
import { systemClock, uuidV7Generator } from '@taskflow/platform-kernel';
import {
  TASK_OPENAPI,
  type TaskRouteDependencies,
  commentRoutes,
  taskRoutes,
} from '@taskflow/tasks-adapters';
import { TaskUseCases } from '@taskflow/tasks-application';
import {
  type DevSignInDependencies,
  USER_OPENAPI,
  UserIdentityResolver,
  devSignInRoutes,
  type UserRouteDependencies,
  userRoutes,
} from '@taskflow/users-adapters';
import { UserUseCases } from '@taskflow/users-application';
import type { JwksSettings } from '@taskflow/platform-config';
import type { Persistence } from './persistence';

/** The version reported by /health and the OpenAPI document. */
export const TASKFLOW_VERSION = '0.1.0';

/** What the API's routes drive. */
export interface ApiRouteDependencies
  extends
    SystemRouteDependencies,
    UserRouteDependencies,
    ProjectRouteDependencies,
    TaskRouteDependencies {}

/**
 * Every route of the API, in matching order (the first declared route that matches a request
 * wins): the system routes, then the users', the projects' (with their live streams), the
 * tasks' and their comments'.
 */
export function apiRoutes(d: ApiRouteDependencies): Route[] {
  return [
    ...systemRoutes(d),
    ...userRoutes(d),
    ...projectRoutes(d),
    ...taskRoutes(d),
    ...commentRoutes(d),
  ];
}

/** The OpenAPI document of `routes`, described with every context's documentation. */
export function apiDocument(routes: readonly Route[]): Record<string, unknown> {
  return buildOpenApi(routes, { version: TASKFLOW_VERSION }, [
    USER_OPENAPI,
    PROJECT_OPENAPI,
    TASK_OPENAPI,
  ]);
}

/**
 * The OpenAPI document of the API as a deployment serves it, built without a database: the
 * routes only document here (the builder never calls a handler). `devSignIn`: as the local
 * host in its default set-up serves it, with `POST /dev/sign-in`.
 */
export function documentedApi(options: { readonly devSignIn: boolean }): Record<string, unknown> {
  const routes = apiRoutes({} as ApiRouteDependencies);
  if (options.devSignIn) routes.push(...devSignInRoutes({} as DevSignInDependencies));
  return apiDocument(routes);
}

/** What the core needs to know, whatever runs it (host, Lambda). */
export interface CoreSettings {
  /** HS256 secret of the tokens and stream tickets this deployment issues. */
  readonly signingSecret: string;
  readonly jwtIssuer: string;
  readonly jwtAudience: string;
  /** An external identity provider (Cognito...) whose RS256 tokens are accepted too. */
  readonly jwks: JwksSettings | null;
  /** Browser origins allowed to call the API cross-origin (default: same-origin only). */
  readonly corsOrigins?: CorsOrigins;
  /** Reported by /health. */
  readonly region: string;
  /**
   * Serve `POST /dev/sign-in` (a token for any e-mail address, no password), issuing tokens of
   * this lifetime. Only the local host in its default set-up sets it; absent: not served.
   */
  readonly devSignIn?: { readonly ttlSeconds: number } | null;
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
  const tokens = new TokenIssuer(settings.signingSecret, settings.jwtIssuer, settings.jwtAudience);
  // Built on the first request for it, not during every cold start.
  let openApi: unknown = null;
  const routes: Route[] = apiRoutes({
    tickets,
    users,
    projects,
    tasks,
    databaseUp: () => persistence.db.ping(),
    version: TASKFLOW_VERSION,
    region: settings.region,
    openApi: () => (openApi ??= apiDocument(routes)),
  });
  if (settings.devSignIn)
    routes.push(...devSignInRoutes({ users, tokens, ttlSeconds: settings.devSignIn.ttlSeconds }));
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
    tokens,
    verifier,
    identities,
    tickets,
    gate: new StreamGate({
      authenticator: verifier,
      identities,
      tickets,
      access: new ProjectStreamAccess(projects),
    }),
  };
}
