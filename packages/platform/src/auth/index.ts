/** `@kera/platform/auth`: tokens and keys without the rest of the platform (the CLI imports only this). */
export * from './principal.js';
export * from './keys.js';
export * from './tokens.js';
export * from './config.js';
export * from './grpc-bearer.js';
export * from './http-auth.js';
