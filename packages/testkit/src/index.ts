export * from './infra.js';
export * from './wait.js';
export * from './tcp-proxy.js';
export * from './alert-rules.js';
