/**
 * Why ingest refused a piece of input. The code is machine-readable (it ends
 * up in DeadLetter.error_code and in metrics); the reason names the field and
 * what was expected, so a data provider can fix their feed from it alone.
 */
export type RejectionCode =
  /** The bytes are not JSON (or there are no bytes). */
  | 'invalid_json'
  /** JSON, but not the documented shape: a field is missing, mistyped or out of range. */
  | 'schema'
  /** A well-formed entity of a type ingest does not translate. */
  | 'unsupported_type'
  /** The event time is older than the maximum age, or too far in the future. */
  | 'stale'
  /** The event time falls in a window of its location that closed (past the allowed lateness). */
  | 'late'
  /** The input is larger than ingest accepts, or decompresses to more than that (a compression bomb). */
  | 'too_large'
  /** A station or sensor the metadata does not know. */
  | 'unknown_station'
  /** The geometry lies entirely outside the loaded map. */
  | 'outside_map'
  /** Ingest itself failed on this input (a bug); kept so it can be replayed after a fix. */
  | 'internal_error';

export interface Rejection {
  readonly code: RejectionCode;
  readonly reason: string;
}

/**
 * Thrown by the field readers while mapping one entity and caught at the
 * entity boundary, so the mappers read top to bottom without threading
 * results through every line. It never leaves the domain.
 */
export class RejectedInput extends Error {
  readonly code: RejectionCode;
  constructor(code: RejectionCode, reason: string) {
    super(reason);
    this.code = code;
    this.name = 'RejectedInput';
  }
}

export const reject = (code: RejectionCode, reason: string): never => {
  throw new RejectedInput(code, reason);
};

/** A short, safe rendering of an offending value for a reason text. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
