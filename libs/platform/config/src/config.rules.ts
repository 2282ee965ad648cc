import { INBOUND_COMMAND_SOURCE } from '@taskflow/platform-event-routing';
import {
  DATABASE_AUTH_VARIABLES,
  LAMBDA_MAX_POOL_SIZE,
  type RawSectionValues,
  type SectionName,
} from './config.schema';
import { type LambdaNeeds, isNeeded } from './lambda-needs';

/** What a rule may look at besides the values: which variables were set, what is needed. */
export interface RuleContext {
  /** Names set in the environment (or by the caller's defaults), before the schema's defaults. */
  readonly given: ReadonlySet<string>;
  readonly needs: LambdaNeeds;
}

/** The parsed sections an entry point took, before derived defaults. */
export type RawEnvironment = { readonly [S in SectionName]?: RawSectionValues<S> };

/** A rule across variables; it applies where an entry point takes all its sections. */
export interface ConfigRule {
  readonly sections: readonly SectionName[];
  /** The problems found, each naming its variables (never a value). */
  check(environment: RawEnvironment, context: RuleContext): readonly string[];
}

function rule<const K extends SectionName>(
  sections: readonly K[],
  check: (
    environment: { readonly [S in K]: RawSectionValues<S> },
    context: RuleContext,
  ) => readonly string[],
): ConfigRule {
  // The parser runs a rule only when every section it names was taken.
  return { sections, check: (environment, context) => check(environment as never, context) };
}

const WHY_REQUIRED = {
  DATABASE_URL: 'postgres://user:password@host/db',
  DATABASE_SECRET_ARN: 'the credentials’ secret in Secrets Manager',
  DSQL_ENDPOINT: 'the cluster endpoint, <id>.dsql.<region>.on.aws',
} as const;

const REQUIRED_BY_AUTH = {
  url: 'DATABASE_URL',
  secret: 'DATABASE_SECRET_ARN',
  'dsql-iam': 'DSQL_ENDPOINT',
} as const;

/** The board's OIDC sign-in settings: any of them set asks for the required ones. */
const WEB_OIDC_VARIABLES = [
  'TASKFLOW_WEB_OIDC_AUTHORIZE_URL',
  'TASKFLOW_WEB_OIDC_TOKEN_URL',
  'TASKFLOW_WEB_OIDC_LOGOUT_URL',
  'TASKFLOW_WEB_OIDC_CLIENT_ID',
  'TASKFLOW_WEB_OIDC_SCOPES',
] as const;
const WEB_OIDC_REQUIRED = [
  'TASKFLOW_WEB_OIDC_AUTHORIZE_URL',
  'TASKFLOW_WEB_OIDC_TOKEN_URL',
  'TASKFLOW_WEB_OIDC_CLIENT_ID',
] as const;

/** Every rule across variables, in the order their problems are reported. */
export const CONFIG_RULES: readonly ConfigRule[] = [
  rule(['database', 'databaseAccess'], ({ database, databaseAccess }) => {
    const mode = databaseAccess.DATABASE_AUTH;
    const values: Readonly<Record<string, unknown>> = { ...database, ...databaseAccess };
    const problems: string[] = [];
    // Another mode's variable is a mistake in the deployment: refusing it keeps, for one, a
    // password-bearing DATABASE_URL from sitting beside the secret meant to replace it.
    for (const [other, names] of Object.entries(DATABASE_AUTH_VARIABLES)) {
      if (other === mode) continue;
      for (const name of names)
        if (values[name] !== undefined)
          problems.push(`${name} is not used with DATABASE_AUTH=${mode}`);
    }
    if (mode === 'dsql-iam') {
      if (database.DATABASE_SSL !== undefined && database.DATABASE_SSL !== 'verify')
        problems.push(
          'DATABASE_SSL must be verify with DATABASE_AUTH=dsql-iam (IAM tokens travel only over verified TLS)',
        );
      if (database.DATABASE_DIALECT === 'postgres')
        problems.push('DATABASE_DIALECT must be dsql with DATABASE_AUTH=dsql-iam');
    }
    const required = REQUIRED_BY_AUTH[mode];
    if (values[required] === undefined)
      problems.push(
        `${required} is required with DATABASE_AUTH=${mode} (${WHY_REQUIRED[required]})`,
      );
    return problems;
  }),
  rule(['events'], ({ events }) =>
    events.EVENT_SOURCE === INBOUND_COMMAND_SOURCE
      ? [
          `EVENT_SOURCE must differ from ${INBOUND_COMMAND_SOURCE} (our own events would loop into the processor)`,
        ]
      : [],
  ),
  rule(['auth', 'local'], ({ auth, local }) =>
    local.TASKFLOW_DEV_SIGN_IN === true && auth.JWKS_URL !== undefined
      ? [
          'TASKFLOW_DEV_SIGN_IN cannot be true with JWKS_URL (an identity provider signs people in; a password-less sign-in beside it would let anyone in)',
        ]
      : [],
  ),
  rule(['webSignIn', 'auth'], ({ webSignIn, auth }, { given }) => {
    const set = WEB_OIDC_VARIABLES.filter((name) => given.has(name));
    if (set.length === 0) return [];
    const missing = WEB_OIDC_REQUIRED.filter((name) => webSignIn[name] === undefined);
    const problems =
      missing.length > 0
        ? [
            `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} required with ${set.join(', ')} (the board's sign-in needs an authorization endpoint, a token endpoint and a client id)`,
          ]
        : [];
    if (auth.JWKS_URL === undefined)
      problems.push(
        `JWKS_URL is required with ${set.join(', ')} (the API verifies the provider's ID tokens by its keys)`,
      );
    return problems;
  }),
  rule(['auth'], ({ auth }) =>
    auth.JWKS_URL !== undefined && auth.JWKS_ISSUER === undefined
      ? ['JWKS_ISSUER is required with JWKS_URL']
      : [],
  ),
  rule(['auth', 'secrets'], ({ auth, secrets }, { needs }) => {
    if (auth.JWT_SECRET !== undefined && secrets.JWT_SECRET_ARN !== undefined)
      return ['set JWT_SECRET_ARN or JWT_SECRET, not both'];
    if (
      isNeeded(needs, 'auth') &&
      auth.JWT_SECRET === undefined &&
      secrets.JWT_SECRET_ARN === undefined
    )
      return [
        'JWT_SECRET_ARN is required (JWT_SECRET for local runs): it signs stream tickets and verifies local tokens',
      ];
    return [];
  }),
  rule(['events'], ({ events }, { needs }) =>
    isNeeded(needs, 'events') && events.EVENT_BUS_NAME === undefined
      ? ['EVENT_BUS_NAME is required (this function publishes events)']
      : [],
  ),
  rule(['websocket'], ({ websocket }, { needs }) =>
    isNeeded(needs, 'websocket') && websocket.WEBSOCKET_CALLBACK_URL === undefined
      ? ['WEBSOCKET_CALLBACK_URL is required (this function posts to WebSocket clients)']
      : [],
  ),
  rule(['http'], ({ http }) =>
    http.HTTP_HEADERS_TIMEOUT_MS > http.HTTP_REQUEST_TIMEOUT_MS
      ? ['HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS']
      : [],
  ),
  // The Region has a default for the host's /health only: a function signing AWS requests for
  // Region "local" would fail at its first call instead of at its cold start.
  rule(['lambda', 'aws'], (_environment, { given }) =>
    given.has('AWS_REGION')
      ? []
      : [
          'AWS_REGION is required (Lambda sets it: the Region of Secrets Manager, DSQL tokens and EventBridge)',
        ],
  ),
  rule(['lambda', 'database'], ({ database }) =>
    database.DATABASE_POOL_SIZE > LAMBDA_MAX_POOL_SIZE
      ? [
          `DATABASE_POOL_SIZE must be at most ${String(LAMBDA_MAX_POOL_SIZE)} in a Lambda function (one invocation at a time per execution environment; Aurora's connection limit is shared by every concurrent one)`,
        ]
      : [],
  ),
];
