export * from './lambda-fixtures';
export * from './lambda-environment';
export * from './invoke-bundle';
export * from './use-lambda-entry';
