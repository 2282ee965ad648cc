import { PatternError, compilePattern, matchesPattern } from './event-pattern.matcher';

// The sample event of the EventBridge user guide and Event Ruler's README.
const EC2_EVENT = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: {
    'c-count': 5,
    'd-count': 3,
    'x-limit': 301.8,
    'source-ip': '10.0.0.33',
    'instance-id': 'i-000000aaaaaa00000',
    state: 'running',
  },
};

// "Matching null values and empty strings in Amazon EventBridge event patterns".
const NULLS_EVENT = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

// Event Ruler's "JSON Array Matching".
const EMPLOYEES_EVENT = {
  employees: [
    { firstName: 'John', lastName: 'Doe' },
    { firstName: 'Anna', lastName: 'Smith' },
    { firstName: 'Peter', lastName: 'Jones' },
  ],
};

// Event Ruler's "$or" examples.
const CLOUDWATCH_EVENT = {
  source: 'aws.cloudwatch',
  metricName: 'NetworkIn',
  namespace: 'AWS/EC2',
  metricType: 'MetricType',
  metricId: 1234,
};

describe('matchesPattern, the cases of the EventBridge documentation', () => {
  it.each<{ case: string; pattern: unknown; event?: unknown; matches: boolean }>([
    // Event pattern syntax, matching values and arrays
    {
      case: 'the simple pattern of the guide',
      pattern: {
        'detail-type': ['EC2 Instance State-change Notification'],
        resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
        detail: { state: ['initializing', 'running'] },
      },
      matches: true,
    },
    {
      case: 'a value not in the list',
      pattern: { detail: { state: ['initializing'] } },
      matches: false,
    },
    {
      case: 'one of several sources',
      pattern: { source: ['aws.ec2', 'aws.fargate'] },
      matches: true,
    },
    { case: 'exact strings are case-sensitive', pattern: { source: ['AWS.EC2'] }, matches: false },
    { case: 'a number as a number', pattern: { detail: { 'c-count': [5] } }, matches: true },
    {
      case: 'a number never equals its text',
      pattern: { detail: { 'c-count': ['5'] } },
      matches: false,
    },
    {
      case: 'a field the event lacks',
      pattern: { detail: { 'e-count': [5] } },
      matches: false,
    },
    {
      case: 'a nested field under a missing object',
      pattern: { detail: { state: ['running'] } },
      event: { source: 'aws.ec2' },
      matches: false,
    },
    {
      case: 'array intersection (resources)',
      pattern: {
        resources: [
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
          'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
        ],
      },
      event: {
        resources: [
          'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b:autoScalingGroupName/ASGTerminate',
          'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
        ],
      },
      matches: true,
    },
    {
      case: 'array without intersection',
      pattern: { resources: ['arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] },
      matches: false,
    },
    // Null values and empty strings
    {
      case: 'an empty string',
      pattern: { detail: { eventVersion: [''] } },
      event: NULLS_EVENT,
      matches: true,
    },
    {
      case: 'null',
      pattern: { detail: { responseElements: [null] } },
      event: NULLS_EVENT,
      matches: true,
    },
    {
      case: 'null is not ""',
      pattern: { detail: { eventVersion: [null] } },
      event: NULLS_EVENT,
      matches: false,
    },
    {
      case: '"" is not null',
      pattern: { detail: { responseElements: [''] } },
      event: NULLS_EVENT,
      matches: false,
    },
    {
      case: 'null is not absent',
      pattern: { detail: { other: [null] } },
      event: NULLS_EVENT,
      matches: false,
    },
    {
      case: 'a boolean',
      pattern: { detail: { flag: [true] } },
      event: { detail: { flag: true } },
      matches: true,
    },
    {
      case: 'a boolean is not its text',
      pattern: { detail: { flag: ['true'] } },
      event: { detail: { flag: true } },
      matches: false,
    },
    // Prefix and suffix
    { case: 'prefix', pattern: { time: [{ prefix: '2017-10-02' }] }, matches: true },
    { case: 'another prefix', pattern: { time: [{ prefix: '2017-10-03' }] }, matches: false },
    {
      case: 'prefix ignoring case',
      pattern: { source: [{ prefix: { 'equals-ignore-case': 'AWS.EC' } }] },
      matches: true,
    },
    {
      case: 'prefix never matches a number',
      pattern: { detail: { 'c-count': [{ prefix: '5' }] } },
      matches: false,
    },
    { case: 'suffix', pattern: { source: [{ suffix: 'ec2' }] }, matches: true },
    { case: 'another suffix', pattern: { source: [{ suffix: '.png' }] }, matches: false },
    {
      case: 'suffix ignoring case',
      pattern: { detail: { 'instance-id': [{ suffix: { 'equals-ignore-case': 'AA00000' } }] } },
      matches: true,
    },
    // Equals-ignore-case and wildcard
    {
      case: 'equals-ignore-case',
      pattern: { source: [{ 'equals-ignore-case': 'AWS.EC2' }] },
      matches: true,
    },
    {
      case: 'equals-ignore-case is not a prefix',
      pattern: { source: [{ 'equals-ignore-case': 'AWS.EC' }] },
      matches: false,
    },
    { case: 'wildcard', pattern: { source: [{ wildcard: 'aws.*' }] }, matches: true },
    {
      case: 'several wildcards',
      pattern: { detail: { 'instance-id': [{ wildcard: 'i-*aaa*0' }] } },
      matches: true,
    },
    {
      case: 'wildcard is anchored',
      pattern: { source: [{ wildcard: 'Simple*Service' }] },
      matches: false,
    },
    {
      case: 'escaped star is literal',
      pattern: { name: [{ wildcard: 'a\\*b' }] },
      event: { name: 'a*b' },
      matches: true,
    },
    {
      case: 'escaped star is not a wildcard',
      pattern: { name: [{ wildcard: 'a\\*b' }] },
      event: { name: 'axb' },
      matches: false,
    },
    {
      case: 'escaped backslash',
      pattern: { path: [{ wildcard: 'C:\\\\*' }] },
      event: { path: 'C:\\x' },
      matches: true,
    },
    {
      case: 'regex characters are literal',
      pattern: { v: [{ wildcard: 'a.c*' }] },
      event: { v: 'abcd' },
      matches: false,
    },
    // Anything-but
    {
      case: 'anything-but a string',
      pattern: { detail: { state: [{ 'anything-but': 'initializing' }] } },
      matches: true,
    },
    {
      case: 'anything-but the value',
      pattern: { detail: { state: [{ 'anything-but': 'running' }] } },
      matches: false,
    },
    {
      case: 'anything-but a number',
      pattern: { detail: { 'x-limit': [{ 'anything-but': 123 }] } },
      matches: true,
    },
    {
      case: 'anything-but that number',
      pattern: { detail: { 'c-count': [{ 'anything-but': 5 }] } },
      matches: false,
    },
    {
      case: 'anything-but a list of strings',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } },
      matches: true,
    },
    {
      case: 'anything-but a list holding the value',
      pattern: { detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } },
      matches: false,
    },
    {
      case: 'anything-but a list of numbers',
      pattern: { detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } },
      matches: true,
    },
    {
      case: 'anything-but a prefix',
      pattern: { detail: { state: [{ 'anything-but': { prefix: 'init' } }] } },
      matches: true,
    },
    {
      case: 'anything-but the prefix',
      pattern: { detail: { state: [{ 'anything-but': { prefix: 'run' } }] } },
      matches: false,
    },
    {
      case: 'anything-but a suffix',
      pattern: { detail: { state: [{ 'anything-but': { suffix: '.png' } }] } },
      matches: true,
    },
    {
      case: 'anything-but the suffix',
      pattern: { detail: { state: [{ 'anything-but': { suffix: 'ning' } }] } },
      matches: false,
    },
    {
      case: 'anything-but ignoring case',
      pattern: { detail: { state: [{ 'anything-but': { 'equals-ignore-case': 'RUNNING' } }] } },
      matches: false,
    },
    {
      case: 'anything-but a list ignoring case',
      pattern: {
        detail: {
          state: [{ 'anything-but': { 'equals-ignore-case': ['stopped', 'INITIALIZING'] } }],
        },
      },
      matches: true,
    },
    {
      case: 'anything-but a wildcard',
      pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      event: { FilePath: '/usr/bin/node' },
      matches: true,
    },
    {
      case: 'anything-but the wildcard',
      pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] },
      event: { FilePath: '/usr/lib/node' },
      matches: false,
    },
    {
      case: 'anything-but needs the field',
      pattern: { detail: { gone: [{ 'anything-but': 'x' }] } },
      matches: false,
    },
    // Numeric
    {
      case: 'a numeric range',
      pattern: { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }] } },
      matches: true,
    },
    {
      case: 'an upper bound',
      pattern: { detail: { 'd-count': [{ numeric: ['<', 10] }] } },
      matches: true,
    },
    {
      case: 'numeric equality',
      pattern: { detail: { 'x-limit': [{ numeric: ['=', 3.018e2] }] } },
      matches: true,
    },
    {
      case: 'outside the range',
      pattern: { detail: { 'c-count': [{ numeric: ['>', 5] }] } },
      matches: false,
    },
    {
      case: 'numeric never matches a string',
      pattern: { detail: { state: [{ numeric: ['>', 0] }] } },
      matches: false,
    },
    // IP address
    {
      case: 'an IPv4 block',
      pattern: { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } },
      matches: true,
    },
    {
      case: 'another IPv4 block',
      pattern: { detail: { 'source-ip': [{ cidr: '10.0.1.0/24' }] } },
      matches: false,
    },
    {
      case: 'an IPv6 block',
      pattern: { ip: [{ cidr: '2001:db8::/32' }] },
      event: { ip: '2001:db8::1' },
      matches: true,
    },
    // Exists
    { case: 'exists: true', pattern: { detail: { state: [{ exists: true }] } }, matches: true },
    {
      case: 'exists: true, absent',
      pattern: { detail: { gone: [{ exists: true }] } },
      matches: false,
    },
    {
      case: 'exists: false, present',
      pattern: { detail: { 'c-count': [{ exists: false }] } },
      matches: false,
    },
    {
      case: 'exists: false, absent',
      pattern: { detail: { 'c-count': [{ exists: false }] } },
      event: { detail: { state: 'running' } },
      matches: true,
    },
    {
      case: 'exists: false over an object (not a leaf)',
      pattern: { detail: { 'c-count': [{ exists: false }] } },
      event: { detail: { state: 'running', 'c-count': { c1: 100 } } },
      matches: true,
    },
    {
      case: 'exists: true over an object (not a leaf)',
      pattern: { detail: { 'c-count': [{ exists: true }] } },
      event: { detail: { 'c-count': { c1: 100 } } },
      matches: false,
    },
    {
      case: 'exists: true over null',
      pattern: { detail: { responseElements: [{ exists: true }] } },
      event: NULLS_EVENT,
      matches: true,
    },
    {
      case: 'exists: false without the parent',
      pattern: { detail: { x: [{ exists: false }] } },
      event: { source: 'a' },
      matches: true,
    },
    {
      case: 'a value or absent',
      pattern: { detail: { x: ['a', { exists: false }] } },
      matches: true,
    },
    // The complex example
    {
      case: 'the complex example',
      pattern: {
        time: [{ prefix: '2017-10-02' }],
        detail: {
          state: [{ 'anything-but': 'initializing' }],
          'c-count': [{ numeric: ['>', 0, '<=', 5] }],
          'd-count': [{ numeric: ['<', 10] }],
          'x-limit': [{ 'anything-but': [100, 200, 300] }],
          'source-ip': [{ cidr: '10.0.0.0/8' }],
        },
      },
      matches: true,
    },
    // Arrays of objects (array-consistent)
    {
      case: 'a field of an array element',
      pattern: { employees: { firstName: ['Anna'] } },
      event: EMPLOYEES_EVENT,
      matches: true,
    },
    {
      case: 'two fields of one element',
      pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } },
      event: EMPLOYEES_EVENT,
      matches: true,
    },
    {
      case: 'two fields of different elements',
      pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } },
      event: EMPLOYEES_EVENT,
      matches: false,
    },
    {
      case: 'exists: false looks through the array',
      pattern: { employees: { firstName: [{ exists: false }] } },
      event: EMPLOYEES_EVENT,
      matches: false,
    },
    // $or
    {
      case: '$or, second alternative',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization', 'ReadLatency'] },
          { namespace: ['AWS/EC2', 'AWS/ES'] },
        ],
      },
      event: CLOUDWATCH_EVENT,
      matches: true,
    },
    {
      case: '$or, no alternative',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/ES'] }],
      },
      event: CLOUDWATCH_EVENT,
      matches: false,
    },
    {
      case: '$or with an AND and a nested $or inside',
      pattern: {
        source: ['aws.cloudwatch'],
        $or: [
          { metricName: ['CPUUtilization', 'ReadLatency'] },
          {
            metricType: ['MetricType'],
            namespace: ['AWS/EC2', 'AWS/ES'],
            $or: [{ metricId: [1234] }, { spaceId: [1000] }],
          },
          { scope: ['Service'] },
        ],
      },
      event: CLOUDWATCH_EVENT,
      matches: true,
    },
    {
      case: 'parallel $or at two levels',
      pattern: {
        $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }],
        detail: {
          $or: [
            { source: ['aws.cloudwatch'] },
            { 'detail-type': ['CloudWatch Alarm State Change'] },
          ],
        },
      },
      event: { ...CLOUDWATCH_EVENT, detail: { 'detail-type': 'CloudWatch Alarm State Change' } },
      matches: true,
    },
  ])('$case', ({ pattern, event, matches }) => {
    // Act
    const result = matchesPattern(pattern, event ?? EC2_EVENT);

    // Assess
    expect(result).toBe(matches);
  });

  it.each([
    { case: 'a string', event: 'aws.ec2' },
    { case: 'an array', event: [EC2_EVENT] },
    { case: 'null', event: null },
  ])('never matches an event that is not an object ($case)', ({ event }) => {
    // Act
    const result = matchesPattern({ source: [{ exists: false }] }, event);

    // Assess
    expect(result).toBe(false);
  });
});

describe('compilePattern, malformed patterns', () => {
  it.each<{ case: string; pattern: unknown; path: string }>([
    { case: 'not an object', pattern: ['aws.ec2'], path: 'pattern' },
    { case: 'no field', pattern: {}, path: 'pattern' },
    { case: 'a bare value', pattern: { source: 'aws.ec2' }, path: 'source' },
    { case: 'an empty array', pattern: { source: [] }, path: 'source' },
    { case: 'an empty nested pattern', pattern: { detail: {} }, path: 'detail' },
    { case: 'an unknown filter', pattern: { source: [{ contains: 'ec2' }] }, path: 'source[0]' },
    {
      case: 'two filters in one object',
      pattern: { source: [{ prefix: 'a', suffix: 'b' }] },
      path: 'source[0]',
    },
    { case: 'a nested array value', pattern: { source: [['aws.ec2']] }, path: 'source[0]' },
    {
      case: 'consecutive wildcards',
      pattern: { source: [{ wildcard: 'a**b' }] },
      path: 'source[0].wildcard',
    },
    {
      case: 'a stray backslash',
      pattern: { source: [{ wildcard: 'a\\b' }] },
      path: 'source[0].wildcard',
    },
    {
      case: 'a non-numeric bound',
      pattern: { n: [{ numeric: ['>', '1'] }] },
      path: 'n[0].numeric[1]',
    },
    {
      case: '= with another bound',
      pattern: { n: [{ numeric: ['=', 1, '<', 2] }] },
      path: 'n[0].numeric[0]',
    },
    {
      case: 'two lower bounds',
      pattern: { n: [{ numeric: ['>', 1, '>=', 2] }] },
      path: 'n[0].numeric[2]',
    },
    {
      case: 'an unknown operator',
      pattern: { n: [{ numeric: ['!=', 1] }] },
      path: 'n[0].numeric[0]',
    },
    {
      case: 'a mixed anything-but list',
      pattern: { s: [{ 'anything-but': [1, 'a'] }] },
      path: 's[0].anything-but',
    },
    {
      case: 'an unknown anything-but filter',
      pattern: { s: [{ 'anything-but': { contains: 'a' } }] },
      path: 's[0].anything-but',
    },
    { case: 'exists that is not a boolean', pattern: { s: [{ exists: 'yes' }] }, path: 's[0]' },
    { case: 'exists both ways', pattern: { s: [{ exists: true }, { exists: false }] }, path: 's' },
    { case: 'a $or of one', pattern: { $or: [{ source: ['a'] }] }, path: '$or' },
    { case: 'a $or of values', pattern: { $or: ['a', 'b'] }, path: '$or' },
    { case: 'a bad CIDR block', pattern: { ip: [{ cidr: '10.0.0.0/33' }] }, path: 'ip[0].cidr' },
    { case: 'a prefix that is not a string', pattern: { s: [{ prefix: 1 }] }, path: 's[0].prefix' },
  ])('refuses $case, naming where', ({ pattern, path }) => {
    // Act
    const act = (): unknown => compilePattern(pattern);

    // Assess
    expect(act).toThrow(PatternError);
    expect(act).toThrow(expect.objectContaining({ path: path === 'pattern' ? '' : path }));
  });
});
