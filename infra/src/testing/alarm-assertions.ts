import type { Template } from 'aws-cdk-lib/assertions';
import type { Resources } from './template-assertions';

/** A resource's properties, or any part of them. */
export type Json = Record<string, unknown>;

/** The alarms by name; every name must be a literal (a token would read "[object Object]"). */
export function alarmsOf(template: Template): Record<string, Json> {
  const found = template.findResources('AWS::CloudWatch::Alarm') as Resources;
  const byName: Record<string, Json> = {};
  for (const [id, { Properties: props }] of Object.entries(found)) {
    const name = props?.['AlarmName'];
    if (typeof name !== 'string')
      throw new Error(`alarm ${id} has a computed name: ${JSON.stringify(name)}`);
    if (name in byName) throw new Error(`two alarms are named ${name}`);
    byName[name] = props ?? {};
  }
  return byName;
}

/** The properties of the alarm with this name; throws when there is none. */
export function alarm(template: Template, name: string): Json {
  const found = alarmsOf(template)[name];
  if (found === undefined) throw new Error(`no alarm ${name}`);
  return found;
}

/** One alarm's single metric, whichever of CloudFormation's two forms it was written in. */
export interface AlarmMetric {
  readonly namespace: unknown;
  readonly metricName: unknown;
  readonly dimensions: unknown;
  readonly period: unknown;
  readonly statistic: unknown;
}

/** The {@link AlarmMetric} of an alarm's properties; throws on a metric-math alarm. */
export function metricOf(props: Json): AlarmMetric {
  const metrics = props['Metrics'] as { MetricStat?: Json }[] | undefined;
  if (metrics === undefined)
    return {
      namespace: props['Namespace'],
      metricName: props['MetricName'],
      dimensions: props['Dimensions'],
      period: props['Period'],
      statistic: props['Statistic'] ?? props['ExtendedStatistic'],
    };
  const stat = metrics[0]?.MetricStat;
  if (stat === undefined || metrics.length !== 1) throw new Error('not a single-metric alarm');
  const metric = stat['Metric'] as Json;
  return {
    namespace: metric['Namespace'],
    metricName: metric['MetricName'],
    dimensions: metric['Dimensions'],
    period: stat['Period'],
    statistic: stat['Stat'],
  };
}

/** The alarm topic of a region's foundation, as the monitoring stack imports it. */
export const ALARM_TOPIC: unknown = expect.objectContaining({
  'Fn::ImportValue': expect.stringMatching(/foundation-.*AlarmTopic/),
});

/** The alarm notifies the alarm topic both when it goes off and when it is OK again. */
export function expectNotifiesTopic(props: Json): void {
  expect(props['AlarmActions']).toEqual([ALARM_TOPIC]);
  expect(props['OKActions']).toEqual([ALARM_TOPIC]);
}

/** The alarm has these properties (among others) and notifies the alarm topic. */
export function expectAlarmSettings(props: Json, settings: Json): void {
  expect(props).toMatchObject(settings);
  expectNotifiesTopic(props);
}

/** What one alarm watches, and how. */
export interface ExpectedAlarm {
  /** The fields of its metric to check; with `exact`, the whole metric (`toEqual`). */
  readonly metric: Partial<AlarmMetric>;
  readonly exact?: boolean;
  /** Properties the alarm must have: threshold, periods, comparison, missing data. */
  readonly settings: Json;
}

/**
 * The alarm `name` watches its one metric as expected, with the expected settings, and
 * notifies the alarm topic. Returns its metric, for checks of the dimensions beyond these.
 */
export function expectAlarm(
  template: Template,
  name: string,
  expected: ExpectedAlarm,
): AlarmMetric {
  const props = alarm(template, name);
  const metric = metricOf(props);
  if (expected.exact === true) expect(metric).toEqual(expected.metric);
  else expect(metric).toMatchObject(expected.metric);
  expectAlarmSettings(props, expected.settings);
  return metric;
}
