import { BinaryWriter } from '@bufbuild/protobuf/wire';
import { v7 as uuidv7 } from 'uuid';
import { Envelope } from '@kera/proto/common/v1/envelope';
import { ValidationError } from '../errors.js';

/** A generated protobuf message type, as ts-proto emits it. */
export interface MessageCodec<T> {
  encode(message: T, writer?: BinaryWriter): { finish(): Uint8Array };
  decode(input: Uint8Array): T;
}

export interface EventType<T> {
  /** Fully qualified protobuf name, e.g. "kera.fleet.v1.JobEvent". */
  readonly type: string;
  readonly schemaVersion: number;
  readonly codec: MessageCodec<T>;
}

export const eventType = <T>(type: string, codec: MessageCodec<T>, schemaVersion = 1): EventType<T> => ({
  type,
  schemaVersion,
  codec,
});

export interface EventMeta {
  id: string;
  type: string;
  occurredAt: Date;
  source: string;
  schemaVersion: number;
}

export function wrap<T>(
  event: EventType<T>,
  payload: T,
  meta: { source: string; occurredAt?: Date; id?: string },
): Buffer {
  const envelope: Envelope = {
    id: meta.id ?? uuidv7(),
    type: event.type,
    occurredAt: meta.occurredAt ?? new Date(),
    source: meta.source,
    schemaVersion: event.schemaVersion,
    payload: encodeWith((w) => event.codec.encode(payload, w)),
  };
  return encodeWith((w) => Envelope.encode(envelope, w));
}

/**
 * One writer for every wrap: encoding is synchronous, and finish() keeps the
 * writer's grown buffer, so a message costs one copy of its bytes instead of
 * a fresh, repeatedly doubled buffer per message (outputs are encoded per record).
 */
const shared = new BinaryWriter();

function encodeWith(encode: (writer: BinaryWriter) => unknown): Buffer {
  try {
    encode(shared);
  } catch (err) {
    shared.finish(); // drop the half-written message
    throw err;
  }
  const bytes = shared.finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export function unwrapEnvelope(bytes: Uint8Array): Envelope {
  try {
    return Envelope.decode(bytes);
  } catch (err) {
    throw new ValidationError('not a Kera envelope', { cause: err });
  }
}

/** Decode an envelope and its payload, checking the payload type. */
export function unwrap<T>(event: EventType<T>, bytes: Uint8Array): { meta: EventMeta; payload: T } {
  const envelope = unwrapEnvelope(bytes);
  if (envelope.type !== event.type) {
    throw new ValidationError(`expected event type ${event.type}, got ${envelope.type || '(none)'}`);
  }
  if (envelope.schemaVersion > event.schemaVersion) {
    throw new ValidationError(`schema version ${envelope.schemaVersion} of ${event.type} is newer than ${event.schemaVersion}`);
  }
  try {
    return {
      meta: {
        id: envelope.id,
        type: envelope.type,
        occurredAt: envelope.occurredAt ?? new Date(0),
        source: envelope.source,
        schemaVersion: envelope.schemaVersion,
      },
      payload: event.codec.decode(envelope.payload),
    };
  } catch (err) {
    throw new ValidationError(`payload is not a valid ${event.type}`, { cause: err });
  }
}
