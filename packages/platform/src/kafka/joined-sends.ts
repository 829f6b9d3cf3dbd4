/**
 * Sends that arrive while a produce request is in flight wait for the next
 * request anyway (an idempotent producer keeps one request in flight per
 * broker); joining them into that one request saves a round trip per caller.
 * Each caller still resolves only once its own messages are durable, in the
 * order the calls were made, and a failed request fails every caller in it.
 */
export interface TopicBatch<M> {
  readonly topic: string;
  readonly messages: M[];
}

/** Above this many bytes (keys and values) a group is closed and the next send starts another request. */
export const JOINED_REQUEST_BYTES = 512 * 1024;

interface Group<M> {
  readonly batches: Array<TopicBatch<M>>;
  bytes: number;
  readonly done: Promise<void>;
  resolve(): void;
  reject(err: unknown): void;
}

export function joinedSends<M extends { key?: string | Buffer | null; value: Buffer | string | null }>(
  send: (batches: Array<TopicBatch<M>>) => Promise<void>,
  maxBytes = JOINED_REQUEST_BYTES,
): (batches: Array<TopicBatch<M>>) => Promise<void> {
  const queue: Array<Group<M>> = [];
  let sending = false;

  const next = (): void => {
    const group = queue.shift();
    if (!group) {
      sending = false;
      return;
    }
    sending = true;
    send(group.batches).then(group.resolve, group.reject).finally(next);
  };

  return (batches) => {
    const bytes = batches.reduce((sum, b) => sum + b.messages.reduce((s, m) => s + sizeOf(m.key) + sizeOf(m.value), 0), 0);
    let group = queue.at(-1);
    if (!group || (group.bytes > 0 && group.bytes + bytes > maxBytes)) {
      group = newGroup<M>();
      queue.push(group);
    }
    group.batches.push(...batches);
    group.bytes += bytes;
    const { done } = group;
    if (!sending) next();
    return done;
  };
}

const sizeOf = (v: string | Buffer | null | undefined): number => v?.length ?? 0;

function newGroup<M>(): Group<M> {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { batches: [], bytes: 0, done, resolve, reject };
}
