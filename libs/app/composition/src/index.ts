export * from './core';
export * from './eventing';
export * from './persistence';
