export * from './database.fixture';
