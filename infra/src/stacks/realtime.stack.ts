import type { Construct } from 'constructs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { LiveAlias } from '../constructs/live-alias.construct';
import { TaskflowFunction } from '../constructs/taskflow-function.construct';
import { AppStack, type AppStackProps, type MonitoredApp } from './app-stack';

/** Live updates over WebSocket: the WebSocket API, its two lifecycle handlers, the broadcaster. */
export class RealtimeStack extends AppStack {
  readonly connect: TaskflowFunction;
  readonly disconnect: TaskflowFunction;
  readonly broadcaster: TaskflowFunction;
  readonly functions: MonitoredApp['functions'];
  readonly deadLetterQueues: readonly sqs.IQueue[] = [];

  constructor(scope: Construct, id: string, props: AppStackProps) {
    super(scope, id, props);
    const { config, foundation } = props;
    const common = {
      config,
      bundleDir: props.bundleDir,
      ...(foundation.functionNetwork === undefined ? {} : { network: foundation.functionNetwork }),
    };
    this.connect = new TaskflowFunction(this, 'WsConnect', {
      ...common,
      app: 'ws-connect',
      description: 'Taskflow WebSocket $connect: admits a project member',
    })
      .bindDatabase(foundation.database)
      .bindJwtSecret(foundation.jwtSecret);
    this.disconnect = new TaskflowFunction(this, 'WsDisconnect', {
      ...common,
      app: 'ws-disconnect',
      description: 'Taskflow WebSocket $disconnect: forgets the connection',
    }).bindDatabase(foundation.database);
    this.broadcaster = new TaskflowFunction(this, 'Broadcaster', {
      ...common,
      app: 'broadcaster',
      description: "Taskflow broadcaster: posts each event to its project's WebSocket connections",
    }).bindDatabase(foundation.database);
    this.functions = [
      {
        fn: this.connect,
        live: new LiveAlias(this, 'WsConnectLive', { fn: this.connect, config, provisioned: true }),
      },
      {
        fn: this.disconnect,
        live: new LiveAlias(this, 'WsDisconnectLive', {
          fn: this.disconnect,
          config,
          provisioned: false,
        }),
      },
      {
        fn: this.broadcaster,
        live: new LiveAlias(this, 'BroadcasterLive', {
          fn: this.broadcaster,
          config,
          provisioned: false,
        }),
      },
    ];
  }
}
