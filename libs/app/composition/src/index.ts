/** The one composition root: wires persistence, the use cases, the HTTP API, eventing and the Lambda runtime for the host, every Lambda and the test fixtures. */
export * from './core';
export * from './events';
export * from './eventing';
export * from './persistence';
export * from './lambda-runtime';
