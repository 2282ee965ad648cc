export * from './core';
export * from './eventing';
export * from './persistence';
export * from './lambda-runtime';
