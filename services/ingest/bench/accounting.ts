/** What the benchmark's collector counts from the output topics of ingest or the baseline. */
import { EVENTS, unwrap, type EventConsumer, type IncomingMessage, type KafkaPort } from '@kera/platform';

/** Output topic names of one measured run. */
export interface OutputTopics {
  readonly observations: string;
  readonly incidents: string;
  readonly dlq: string;
}

/** Counts what ingest (or the baseline) wrote until every input record is accounted for. */
export class Accounting {
  private readonly windows = new Map<string, number>();
  accounted = 0;
  observations = 0;
  incidents = 0;
  deadLetters = 0;
  lags: number[] = [];
  lastAt = 0;
  /** Send times of paced inputs by the identity of the output that reflects them, oldest first. */
  readonly sentAt = new Map<string, number[]>();

  constructor(private readonly outputs?: OutputTopics) {}

  see(m: IncomingMessage): void {
    this.lastAt = Date.now();
    const value = m.value ?? Buffer.alloc(0);
    const t = this.outputs;
    if (t && m.topic === t.observations) {
      this.observations += 1;
      const { payload } = unwrap(EVENTS.observation, value);
      const key = `${payload.locationId}|${Math.floor(payload.windowStart!.getTime() / 60_000)}`;
      const before = this.windows.get(key) ?? 0;
      if (payload.sampleCount > before) {
        this.accounted += payload.sampleCount - before;
        this.windows.set(key, payload.sampleCount);
        this.lag(key, m.timestamp, payload.sampleCount - before);
      }
    } else if (t && m.topic === t.incidents) {
      this.incidents += 1;
      this.accounted += 1;
      this.lag(unwrap(EVENTS.incident, value).payload.incidentId, m.timestamp);
    } else if (t && m.topic === t.dlq) {
      this.deadLetters += 1;
      this.accounted += 1;
      this.lag(unwrap(EVENTS.deadLetter, value).payload.originalValue.toString('base64'), m.timestamp);
    } else {
      this.accounted += 1;
    }
  }

  /** The output reflects the next `inputs` paced inputs of its identity: each one's lag. */
  private lag(identity: string, outputAt: number, inputs = 1): void {
    const queue = this.sentAt.get(identity);
    for (let i = 0; i < inputs && queue && queue.length > 0; i++) this.lags.push(Math.max(0, outputAt - queue.shift()!));
  }

  sent(identity: string, at: number): void {
    const queue = this.sentAt.get(identity);
    if (queue) queue.push(at);
    else this.sentAt.set(identity, [at]);
  }
}

/** Collects output topics until `count()` records are accounted for; `done` resolves with the time that happened. */
export async function collect(kafka: KafkaPort, groupId: string, topics: string[], accounting: Accounting, count: () => number): Promise<{ consumer: EventConsumer; done: Promise<number> }> {
  let resolve!: (at: number) => void;
  const done = new Promise<number>((r) => (resolve = r));
  const consumer = kafka.batchConsumer({
    groupId,
    topics,
    fromBeginning: true,
    handleBatch: async (messages) => {
      for (const m of messages) accounting.see(m);
      if (accounting.accounted >= count()) resolve(accounting.lastAt);
    },
  });
  await consumer.start();
  return { consumer, done };
}
