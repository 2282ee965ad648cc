export * from './core';
export * from './eventing';
