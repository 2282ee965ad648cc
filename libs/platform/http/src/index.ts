/** The transport-neutral HTTP core: router, problem+json, preconditions, OpenAPI builder, authentication, CORS and the API Gateway adapter. */
export * from './http-types';
export * from './problem';
export * from './route';
export * from './tagged-routes';
export * from './router';
export * from './system.routes';
export * from './preconditions';
export * from './openapi';
export * from './http-api';
export * from './auth/token-verifier';
export * from './auth/token-issuer';
export * as schemas from './schemas';
export * from './auth/stream-tickets';
export * from './stream-gate';
export * from './api-gateway.adapter';
export * from './cors';
