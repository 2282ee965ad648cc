import { CfnOutput, Stack } from 'aws-cdk-lib';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { DEFAULT_TASKFLOW_EVENT_SOURCE, type EventRule, eventRules } from '@taskflow/platform-event-routing';
import { deploymentRegions } from '../config/config.schema';
import type { DeadLetterQueue } from '../constructs/dead-letter-queue.construct';
import type { LiveAlias } from '../constructs/live-alias.construct';
import type { TaskflowFunction } from '../constructs/taskflow-function.construct';
import { WebSocketLiveApi } from '../constructs/websocket-api.construct';
import { WebSocketBroadcast } from '../constructs/websocket-broadcast.construct';
import { WebSocketForward } from '../constructs/websocket-forward.construct';
import { AppStack, type AppStackProps, type MonitoredApp } from './app-stack';
import { sharedNames } from './foundation.stack';

/** The HTTP route that issues the `ticket` a browser passes to `$connect` (libs/shared/http-api). */
const STREAM_TICKETS_ROUTE = 'POST /projects/{id}/stream-tickets';

/**
 * Live updates over WebSocket: the WebSocket API whose `$connect` and `$disconnect` run the two
 * lifecycle functions, and the broadcaster that the bus's rule for Taskflow's own events
 * invokes, which posts each event to its project's connections. With two regions, the events
 * put on this region's bus are also forwarded to the other region's, whose broadcaster alone
 * reaches the clients connected there.
 */
export class RealtimeStack extends AppStack {
  readonly connect: TaskflowFunction;
  readonly disconnect: TaskflowFunction;
  readonly broadcaster: TaskflowFunction;
  readonly connectLive: LiveAlias;
  readonly disconnectLive: LiveAlias;
  readonly broadcasterLive: LiveAlias;
  readonly functions: MonitoredApp['functions'];
  /** The WebSocket API, its stage and their logs (charted by the monitoring stack). */
  readonly webSocket: WebSocketLiveApi;
  readonly webSocketApi: WebSocketLiveApi['api'];
  readonly webSocketStage: WebSocketLiveApi['stage'];
  /** The broadcaster's rule and its two dead-letter queues. */
  readonly broadcast: WebSocketBroadcast;
  /** With two regions: the rule forwarding this region's events to the other region's bus. */
  readonly forward: WebSocketForward | null;
  readonly deadLetterQueues: readonly sqs.IQueue[];

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, foundation } = props;
    // ws-connect needs no callback URL: it answers API Gateway, it never calls @connections.
    this.connect = this.taskflowFunction('WsConnect', {
      app: 'ws-connect',
      description: 'Taskflow WebSocket $connect: admits a project member',
    })
      .bindDatabase(foundation.database)
      .bindJwtSecret(foundation.jwtSecret);
    this.disconnect = this.taskflowFunction('WsDisconnect', {
      app: 'ws-disconnect',
      description: 'Taskflow WebSocket $disconnect: forgets the connection',
    }).bindDatabase(foundation.database);
    // With aurora-postgresql this runs in the Aurora VPC (functionNetwork) and reaches the API
    // Gateway Management API through the NAT gateway: no interface endpoint serves
    // @connections, which is why the configuration requires at least one NAT gateway.
    this.broadcaster = this.taskflowFunction('Broadcaster', {
      app: 'broadcaster',
      description: "Taskflow broadcaster: posts each event to its project's WebSocket connections",
    }).bindDatabase(foundation.database);

    const connect = this.withLiveAlias(this.connect, true);
    const disconnect = this.withLiveAlias(this.disconnect, false);
    const broadcaster = this.withLiveAlias(this.broadcaster, false);
    this.connectLive = connect.live;
    this.disconnectLive = disconnect.live;
    this.broadcasterLive = broadcaster.live;
    this.functions = [connect, disconnect, broadcaster];

    this.webSocket = new WebSocketLiveApi(this, 'WebSocket', {
      config,
      connect: this.connectLive.alias,
      disconnect: this.disconnectLive.alias,
      cloudWatchRole: foundation.apiGatewayAccount,
    });
    this.webSocketApi = this.webSocket.api;
    this.webSocketStage = this.webSocket.stage;
    this.webSocket.bindManagementApi(this.broadcaster);

    const rule = eventRules({ source: DEFAULT_TASKFLOW_EVENT_SOURCE }).find(
      (r) => r.target === 'broadcaster',
    );
    if (rule === undefined) throw new Error('@taskflow/event-routing has no broadcaster rule');
    this.broadcast = new WebSocketBroadcast(this, 'Broadcast', {
      config,
      eventBus: foundation.eventBus,
      rule,
      broadcaster: this.broadcasterLive.alias,
    });
    this.forward = config.multiRegion ? this.forwardToOtherRegion(rule) : null;
    this.deadLetterQueues = [
      this.broadcast.deliveryDeadLetters.queue,
      this.broadcast.failureDeadLetters.queue,
      ...(this.forward === null ? [] : [this.forward.deadLetters.queue]),
    ];

    this.outputs();
  }

  /**
   * Whichever region's api or relay publishes an event, it lands on one region's bus only; the
   * other region's broadcaster gets it through this rule.
   */
  private forwardToOtherRegion(rule: EventRule): WebSocketForward {
    const { config, foundation } = this;
    const here = Stack.of(this).region;
    const regions = deploymentRegions(config);
    const other = regions.find((region) => region !== here);
    if (other === undefined || !regions.includes(here))
      throw new Error(
        `a realtime stack in ${here} is not one of the regions ${regions.join(', ')}`,
      );
    return new WebSocketForward(this, 'Forward', {
      config,
      eventBus: foundation.eventBus,
      rule,
      toRegion: other,
      toBusName: sharedNames(config).eventBus,
    });
  }

  private outputs(): void {
    const { region } = Stack.of(this);
    const url = this.webSocket.url;
    new CfnOutput(this, 'WebSocketUrl', { value: url });
    new CfnOutput(this, 'ConnectCommand', {
      description: `Connects as a project member; the ticket comes from ${STREAM_TICKETS_ROUTE} (or send Authorization: Bearer <token> with wscat -H)`,
      value: `npx wscat -c "${url}?projectId=<project id>&ticket=<ticket from ${STREAM_TICKETS_ROUTE}>"`,
    });
    for (const { fn } of this.functions)
      new CfnOutput(this, `${pascal(fn.app)}FunctionName`, { value: fn.functionName });

    const live = `${this.broadcaster.functionName}:${this.broadcasterLive.alias.aliasName}`;
    const redrive = (queue: DeadLetterQueue, payload: string): string =>
      `aws sqs receive-message --region ${region} --queue-url ${queue.queue.queueUrl} --max-number-of-messages 10 --visibility-timeout 120 --output json | jq -c '.Messages // [] | .[]' | while read -r m; do aws lambda invoke --region ${region} --function-name ${live} --invocation-type Event --cli-binary-format raw-in-base64-out --payload "$(jq -c '${payload}' <<<"$m")" /dev/null && aws sqs delete-message --region ${region} --queue-url ${queue.queue.queueUrl} --receipt-handle "$(jq -r .ReceiptHandle <<<"$m")"; done`;
    // No SQS queue feeds these queues, so `aws sqs start-message-move-task --source-arn` has
    // no source to move messages back to: a redrive invokes the broadcaster's alias again.
    const queues = [
      {
        name: 'DeliveryDeadLetters',
        dlq: this.broadcast.deliveryDeadLetters,
        what: 'events EventBridge could not deliver to the broadcaster (message body = the event)',
        payload: '.Body | fromjson',
      },
      {
        name: 'FailureDeadLetters',
        dlq: this.broadcast.failureDeadLetters,
        what: "events the broadcaster failed on after its retries (Lambda's record; the event is requestPayload)",
        payload: '.Body | fromjson | .requestPayload',
      },
    ];
    if (this.forward !== null) {
      // No redrive command: a live update that old is stale, and the other region's clients
      // read the current state when they reconnect. The queue is there to be alarmed on.
      const { deadLetters, toRegion, toBusName } = this.forward;
      new CfnOutput(this, 'ForwardDeadLettersUrl', {
        description: `events EventBridge could not put on the ${toBusName} bus of ${toRegion} (message body = the event)`,
        value: deadLetters.queue.queueUrl,
      });
      new CfnOutput(this, 'ForwardDeadLettersArn', { value: deadLetters.queue.queueArn });
    }
    for (const { name, dlq, what, payload } of queues) {
      new CfnOutput(this, `${name}Url`, { description: what, value: dlq.queue.queueUrl });
      new CfnOutput(this, `${name}Arn`, { value: dlq.queue.queueArn });
      new CfnOutput(this, `${name}RedriveCommand`, {
        description:
          'Re-invokes the live broadcaster with up to 10 dead-lettered events and deletes each one sent (repeat until empty; needs jq)',
        value: redrive(dlq, payload),
      });
    }
  }
}

/** `ws-connect` -> `WsConnect`. */
function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
