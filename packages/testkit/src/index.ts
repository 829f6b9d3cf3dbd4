export * from './infra.js';
export * from './wait.js';
