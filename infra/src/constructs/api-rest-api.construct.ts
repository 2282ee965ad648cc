import { RemovalPolicy } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import { logRetention, type TaskflowConfig } from '../config/config.schema';
import { acknowledgeFindings } from './nag-findings';

/** The health route of the API (libs/platform/http routes.ts): no token, no API key. */
export const HEALTH_PATH = 'health';

/** Props of {@link TaskflowRestApi}. */
export interface TaskflowRestApiProps {
  readonly config: TaskflowConfig;
  /** What every method invokes: the api function's `live` alias, never `$LATEST`. */
  readonly handler: lambda.IFunction;
  /**
   * The region's `AWS::ApiGateway::Account` (foundation stack): the stage logs through its
   * CloudWatch role, so it must be set before the stage is created.
   */
  readonly accountLoggingRole: IDependable;
  /**
   * Leave `GET /health` outside the source-address restriction: Route 53's health checkers
   * call it from their own addresses.
   */
  readonly healthOpenToAnyAddress: boolean;
  /**
   * The origins the api function answers CORS for (`CORS_ALLOWED_ORIGINS`): the configured
   * ones, and the web board's when it is deployed (see {@link corsOriginsWith}).
   */
  readonly corsOrigins: readonly string[];
}

/**
 * The JSON fields of each access log line: who called, what, the answer, and where the time
 * went (the integration's share, WAF's verdict, the API key used).
 */
function accessLogFormat(): apigateway.AccessLogFormat {
  const f = apigateway.AccessLogField;
  return apigateway.AccessLogFormat.custom(
    JSON.stringify({
      requestId: f.contextRequestId(),
      extendedRequestId: f.contextExtendedRequestId(),
      requestTime: f.contextRequestTime(),
      requestTimeEpoch: f.contextRequestTimeEpoch(),
      ip: f.contextIdentitySourceIp(),
      userAgent: f.contextIdentityUserAgent(),
      httpMethod: f.contextHttpMethod(),
      resourcePath: f.contextResourcePath(),
      path: f.contextPath(),
      protocol: f.contextProtocol(),
      status: f.contextStatus(),
      responseLength: f.contextResponseLength(),
      responseLatency: f.contextResponseLatency(),
      integrationLatency: f.contextIntegrationLatency(),
      integrationStatus: f.contextIntegrationStatus(),
      errorType: f.contextErrorResponseType(),
      errorMessage: f.contextErrorMessageString(),
      wafStatus: f.contextWafStatus(),
      apiKeyId: f.contextIdentityApiKeyId(),
      xrayTraceId: f.contextXrayTraceId(),
    }),
  );
}

/**
 * The value of `Access-Control-Allow-Origin` on the answers API Gateway makes itself (throttled
 * 429, missing API key 403, its 5xx), or null. Such answers cannot echo the caller's origin
 * after checking it, so they carry the header only when one answer fits every allowed caller:
 * `*`, or the one configured origin. With several origins the browser sees a CORS error
 * instead, as for any answer to a disallowed origin.
 */
export function gatewayResponseOrigin(origins: readonly string[]): string | null {
  const [only, ...others] = origins;
  return only !== undefined && others.length === 0 ? only : null;
}

/**
 * The origins the API answers CORS for: `config.api.corsOrigins` and the web board's origin
 * (`https://<distribution domain>`) when it is deployed, unless any origin is allowed already
 * (`*` must stay alone).
 */
export function corsOriginsWith(
  configured: readonly string[],
  webOrigin: string | undefined,
): readonly string[] {
  return webOrigin === undefined || configured.includes('*')
    ? configured
    : [...configured, webOrigin];
}

/**
 * The region's REST API: a regional endpoint whose root and `{proxy+}` pass every method,
 * OPTIONS included, to the api function (the router answers CORS preflights, 404 and 405 the
 * same way as the local host). The `<stage>` stage traces with X-Ray, writes JSON access logs
 * to its own log group and error-level execution logs, and throttles every method as
 * configured.
 *
 * With `apiKeyRequired`, every method needs an API key of the usage plan except `GET /health`
 * (probes and health checks) and OPTIONS (a browser's preflight cannot carry one). With
 * `allowedCidrs`, a resource policy refuses callers from other addresses.
 */
export class TaskflowRestApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly stage: apigateway.Stage;
  readonly accessLogGroup: logs.LogGroup;
  /** The usage plan's key, when keys are required (its value stays in API Gateway). */
  readonly apiKey: apigateway.ApiKey | null;
  readonly usagePlan: apigateway.UsagePlan | null;

  constructor(scope: Construct, id: string, props: TaskflowRestApiProps) {
    super(scope, id);
    const { config, handler } = props;
    const { throttling, apiKeyRequired } = config.api;
    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: logRetention(config),
      removalPolicy: config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    const policy = sourceAddressPolicy(config.network.allowedCidrs, props.healthOpenToAnyAddress);
    this.api = new apigateway.RestApi(this, 'RestApi', {
      restApiName: `${config.projectName}-${config.stage}-api`,
      description: `Taskflow ${config.stage} REST API`,
      endpointConfiguration: {
        types: [apigateway.EndpointType.REGIONAL],
        ipAddressType: dualStack(config)
          ? apigateway.IpAddressType.DUAL_STACK
          : apigateway.IpAddressType.IPV4,
      },
      // The account-level role is the foundation's (one per account and region).
      cloudWatchRole: false,
      apiKeySourceType: apigateway.ApiKeySourceType.HEADER,
      ...(policy === null ? {} : { policy }),
      deployOptions: {
        stageName: config.stage,
        tracingEnabled: true,
        metricsEnabled: true,
        // Errors only: INFO would log every request twice (the access log has them), and
        // request bodies (dataTrace) may hold personal data.
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: accessLogFormat(),
        throttlingRateLimit: throttling.rateLimit,
        throttlingBurstLimit: throttling.burstLimit,
      },
    });
    // API Gateway applies a changed resource policy only with a new deployment.
    this.api.latestDeployment?.addToLogicalId({
      allowedCidrs: config.network.allowedCidrs,
      healthOpenToAnyAddress: props.healthOpenToAnyAddress,
    });
    this.stage = this.api.deploymentStage;
    this.stage.node.addDependency(props.accountLoggingRole);

    const integration = new apigateway.LambdaIntegration(handler, {
      proxy: true,
      // The console's test button needs a permission of its own; nobody deploys by it.
      allowTestInvoke: false,
    });
    const keyed = { apiKeyRequired };
    const open = { apiKeyRequired: false };
    const proxy = this.api.root.addResource('{proxy+}');
    for (const resource of [this.api.root, proxy]) {
      resource.addMethod('ANY', integration, keyed);
      resource.addMethod('OPTIONS', integration, open);
    }
    const health = this.api.root.addResource(HEALTH_PATH);
    health.addMethod('GET', integration, open);
    health.addMethod('OPTIONS', integration, open);
    // Other methods on /health reach the router (405) like any path, keyed like any path.
    health.addMethod('ANY', integration, keyed);

    const origin = gatewayResponseOrigin(props.corsOrigins);
    if (origin !== null) {
      const headers: Record<string, string> = { 'Access-Control-Allow-Origin': `'${origin}'` };
      if (origin !== '*') headers['Vary'] = "'Origin'";
      this.api.addGatewayResponse('Default4xx', {
        type: apigateway.ResponseType.DEFAULT_4XX,
        responseHeaders: headers,
      });
      this.api.addGatewayResponse('Default5xx', {
        type: apigateway.ResponseType.DEFAULT_5XX,
        responseHeaders: headers,
      });
    }

    if (apiKeyRequired) {
      this.apiKey = new apigateway.ApiKey(this, 'ApiKey', {
        description: `Taskflow ${config.stage}: the key of the default usage plan`,
        enabled: true,
      });
      this.usagePlan = this.api.addUsagePlan('UsagePlan', {
        name: `${config.projectName}-${config.stage}-default`,
        description: 'Every API key: the stage throttle, per key',
        throttle: { rateLimit: throttling.rateLimit, burstLimit: throttling.burstLimit },
        apiStages: [{ api: this.api, stage: this.stage }],
      });
      this.usagePlan.addApiKey(this.apiKey);
    } else {
      this.apiKey = null;
      this.usagePlan = null;
    }

    acknowledgeFindings(this.api, {
      APIG2:
        'The proxy integration passes every request to the api function, whose router validates paths, parameters and bodies against the same zod schemas as the local host and the OpenAPI document (one rule, one place); a gateway model would be a second copy',
      APIG4:
        'The api function authorizes every request but /health and CORS preflights itself: it verifies the Bearer token (Cognito ID token by JWKS, or a Taskflow HS256 token) with the same verifier the local host runs; a gateway authorizer could not accept the Taskflow tokens nor keep /health and OPTIONS open',
      COG4: 'Cognito ID tokens are verified in the api function by JWKS (JWKS_URL / JWKS_ISSUER / JWKS_AUDIENCE), which also accepts Taskflow-issued tokens; a Cognito authorizer would refuse those and duplicate the check',
    });
  }

  /** `https://<id>.execute-api.<region>.amazonaws.com/<stage>/<path>`. */
  urlFor(path: string): string {
    return this.api.urlForPath(`/${path}`);
  }
}

/**
 * True when the API answers over IPv6 as well: not with `allowedCidrs`, whose IPv4 ranges an
 * IPv6 caller (preferred by dual-stack clients) could never match.
 */
export function dualStack(config: TaskflowConfig): boolean {
  return config.network.allowedCidrs.length === 0;
}

/**
 * A resource policy that lets anyone invoke but refuses addresses outside `cidrs` (null when
 * none are configured: the API is open to the internet, behind its keys and tokens).
 */
function sourceAddressPolicy(
  cidrs: readonly string[],
  healthOpen: boolean,
): iam.PolicyDocument | null {
  if (cidrs.length === 0) return null;
  const everything = 'execute-api:/*';
  return new iam.PolicyDocument({
    statements: [
      new iam.PolicyStatement({
        sid: 'AllowInvoke',
        effect: iam.Effect.ALLOW,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        resources: [everything],
      }),
      new iam.PolicyStatement({
        sid: 'DenyOutsideAllowedCidrs',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['execute-api:Invoke'],
        ...(healthOpen
          ? { notResources: [`execute-api:/*/GET/${HEALTH_PATH}`] }
          : { resources: [everything] }),
        conditions: { NotIpAddress: { 'aws:SourceIp': [...cidrs] } },
      }),
    ],
  });
}
