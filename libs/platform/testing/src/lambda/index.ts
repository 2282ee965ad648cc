export * from './lambda-fixtures';
export * from './invoke-bundle';
