import { Aws, type CfnElement, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, type IDependable } from 'constructs';
import { logRetention, type TaskflowConfig } from '../config/config.schema';
import { acknowledgeFindings } from './nag-findings';
import type { TaskflowFunction } from './taskflow-function.construct';

/** The management API calls the broadcaster makes: post an event, close a removed member's connection. */
export const MANAGE_CONNECTION_METHODS = ['POST', 'DELETE'] as const;

/**
 * The fields of one access log line. Only what identifies a request and its outcome: no
 * header and no query string, since `$connect` carries the stream ticket in its query string.
 */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTimeEpoch',
  apiId: '$context.apiId',
  stage: '$context.stage',
  routeKey: '$context.routeKey',
  eventType: '$context.eventType',
  connectionId: '$context.connectionId',
  status: '$context.status',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  integrationStatus: '$context.integration.status',
  integrationLatency: '$context.integration.latency',
  integrationRequestId: '$context.integration.requestId',
  error: '$context.error.message',
  integrationError: '$context.integration.error',
} as const;

/** Props of {@link WebSocketLiveApi}. */
export interface WebSocketLiveApiProps {
  readonly config: TaskflowConfig;
  /** `$connect`: the ws-connect function's live alias (it authenticates and admits). */
  readonly connect: lambda.IFunction;
  /** `$disconnect`: the ws-disconnect function's live alias. */
  readonly disconnect: lambda.IFunction;
  /**
   * The region's API Gateway account setting (its CloudWatch role): the stage logs through it,
   * so it must exist first. It lives in the foundation; this construct never creates one.
   */
  readonly cloudWatchRole: IDependable;
}

/**
 * The WebSocket API of live updates: `$connect` and `$disconnect` on the lifecycle functions'
 * live aliases (their Lambda permissions sit on the aliases too), and one stage named after
 * the deployment stage, deployed automatically, throttled, with JSON access logs and
 * error-level execution logs kept for the configured retention.
 *
 * There is no `$default` route: clients only listen (`libs/platform/websocket` handles no
 * client message), so API Gateway answers a message with an error and invokes nothing.
 */
export class WebSocketLiveApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly connectRoute: apigwv2.WebSocketRoute;
  readonly disconnectRoute: apigwv2.WebSocketRoute;
  readonly accessLogGroup: logs.LogGroup;
  /** The group API Gateway writes the stage's execution logs to, created here for its retention. */
  readonly executionLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WebSocketLiveApiProps) {
    super(scope, id);
    const { config } = props;
    const prefix = `${config.projectName}-${config.stage}`;
    const removal = config.deletionProtection ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      apiName: `${prefix}-live`,
      description: `Taskflow ${config.stage}: live project events over WebSocket`,
    });
    this.connectRoute = this.api.addRoute('$connect', {
      integration: new WebSocketLambdaIntegration('Connect', props.connect),
    });
    this.disconnectRoute = this.api.addRoute('$disconnect', {
      integration: new WebSocketLambdaIntegration('Disconnect', props.disconnect),
    });
    acknowledgeFindings(this.connectRoute, {
      APIG4:
        "ws-connect authorizes inside the function: it takes the stream ticket (?ticket=, from POST /projects/{id}/stream-tickets) or the bearer token, verifies it with the JWT signing key and checks the caller's current project membership, then refuses the upgrade with the gate's status. The same admission as the SSE stream, which an API Gateway authorizer could not share (membership needs the database)",
    });
    acknowledgeFindings(this.disconnectRoute, {
      APIG4:
        'API Gateway accepts an authorizer on $connect only: $disconnect is sent by API Gateway itself for a connection $connect already admitted',
    });

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: logRetention(config),
      removalPolicy: removal,
    });
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: config.stage,
      autoDeploy: true,
      description: `Taskflow ${config.stage} live updates`,
      throttle: {
        rateLimit: config.realtime.throttling.rateLimit,
        burstLimit: config.realtime.throttling.burstLimit,
      },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    // Execution logs at ERROR, without data tracing: a full trace would log the handshake's
    // query string, stream ticket included. The L2 stage has no setting for either.
    const cfnStage = this.stage.node.defaultChild as apigwv2.CfnStage;
    cfnStage.addPropertyOverride('DefaultRouteSettings.LoggingLevel', 'ERROR');
    cfnStage.addPropertyOverride('DefaultRouteSettings.DataTraceEnabled', false);
    // The name API Gateway gives a WebSocket stage's execution log group (REST stages use
    // API-Gateway-Execution-Logs_…); made here, the group has a retention and goes with the
    // stack instead of being created by the service on the first error. Not checked against
    // AWS from here (no account): confirm on the first deploy that the errors land in it.
    this.executionLogGroup = new logs.LogGroup(this, 'ExecutionLogs', {
      logGroupName: `/aws/apigateway/${this.api.apiId}/${config.stage}`,
      retention: logRetention(config),
      removalPolicy: removal,
    });
    this.stage.node.addDependency(this.executionLogGroup, props.cloudWatchRole);
  }

  /** `wss://{api}.execute-api.{region}.amazonaws.com/{stage}`: where clients connect. */
  get url(): string {
    return this.stage.url;
  }

  /** `https://{api}.execute-api.{region}.amazonaws.com/{stage}`: the management API's endpoint. */
  get callbackUrl(): string {
    return this.stage.callbackUrl;
  }

  /**
   * Lets a function post to and close this stage's connections, and tells it where
   * (`WEBSOCKET_CALLBACK_URL`): `execute-api:ManageConnections` on this API's stage only,
   * for the {@link MANAGE_CONNECTION_METHODS} the broadcaster uses (not GET).
   */
  bindManagementApi(fn: TaskflowFunction): void {
    const stack = Stack.of(this);
    const apiLogicalId = stack.getLogicalId(this.api.node.defaultChild as CfnElement);
    // Pseudo parameters rather than the stack's region and account: the same ARN whether the
    // stack has an environment or not, so the acknowledgement below names it exactly.
    const connections = (method: string): string =>
      `arn:${Aws.PARTITION}:execute-api:${Aws.REGION}:${Aws.ACCOUNT_ID}:${this.api.apiId}/${this.stage.stageName}/${method}/@connections/*`;
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        resources: MANAGE_CONNECTION_METHODS.map(connections),
      }),
    );
    fn.addEnvironment('WEBSOCKET_CALLBACK_URL', this.callbackUrl);
    for (const method of MANAGE_CONNECTION_METHODS)
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${this.stage.stageName}/${method}/@connections/*]`,
        reason: `Connection ids are minted by API Gateway at $connect, so no ARN can name them in advance: ${method} on the connections of this API's ${this.stage.stageName} stage only`,
      });
  }
}
