/**
 * Expected ("trusted") errors carry a code and are mapped once at the edge:
 * a gRPC status, a dead letter, a non-retryable job. Anything else is a bug.
 */
export type ErrorCode =
  | 'INVALID_ARGUMENT'
  | 'NOT_FOUND'
  | 'ALREADY_EXISTS'
  | 'FAILED_PRECONDITION'
  | 'UNAVAILABLE'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'CONFIG';

export class KeraError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

export class ValidationError extends KeraError {
  constructor(message: string, options?: ErrorOptions) {
    super('INVALID_ARGUMENT', message, options);
  }
}

export class NotFoundError extends KeraError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

export class ConflictError extends KeraError {
  constructor(message: string) {
    super('FAILED_PRECONDITION', message);
  }
}

export class UnavailableError extends KeraError {
  constructor(message: string, options?: ErrorOptions) {
    super('UNAVAILABLE', message, options);
  }
}

/** No credentials, or ones that do not prove who the caller is (bad signature, expired, malformed). */
export class UnauthenticatedError extends KeraError {
  constructor(message: string, options?: ErrorOptions) {
    super('UNAUTHENTICATED', message, options);
  }
}

/** The caller is known but its scope does not allow the operation. */
export class PermissionDeniedError extends KeraError {
  constructor(message: string) {
    super('PERMISSION_DENIED', message);
  }
}

export class ConfigError extends KeraError {
  readonly problems: string[];
  constructor(problems: string[]) {
    super('CONFIG', `invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.problems = problems;
  }
}

export const isKeraError = (err: unknown): err is KeraError => err instanceof KeraError;
