import { Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import type { TaskflowConfig } from '../config/config.schema';
import type { ApiStack } from './api.stack';
import type { FoundationStack } from './foundation.stack';
import type { ProcessorStack } from './processor.stack';
import type { RealtimeStack } from './realtime.stack';
import type { RelayStack } from './relay.stack';

/** Props of {@link MonitoringStack}: every stack of the region it watches. */
export interface MonitoringStackProps extends StackProps {
  readonly config: TaskflowConfig;
  readonly foundation: FoundationStack;
  readonly api: ApiStack;
  readonly realtime: RealtimeStack;
  readonly processor: ProcessorStack;
  readonly relay: RelayStack;
}

/** The region's dashboard, alarms and saved Logs Insights queries. */
export class MonitoringStack extends Stack {
  readonly dashboard: cloudwatch.Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringStackProps) {
    super(scope, id, props);
    const apps = [props.api, props.realtime, props.processor, props.relay];
    for (const watched of [props.foundation, ...apps])
      this.addStackDependency(watched, 'watches its resources');
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.config.projectName}-${props.config.stage}-${Stack.of(this).region}`,
    });
    for (const { fn, live } of apps.flatMap((a) => a.functions))
      this.dashboard.addWidgets(
        new cloudwatch.GraphWidget({
          title: `${fn.app}: invocations and errors`,
          left: [live.alias.metricInvocations(), live.alias.metricErrors()],
        }),
      );
  }
}
