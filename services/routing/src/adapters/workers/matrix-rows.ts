import { Worker } from 'node:worker_threads';
import type { Logger } from '@kera/platform';
import type { MatrixRowRunner, RowJob, RowSource } from '../../app/matrix-planner.js';
import type { ProfileNetwork } from '../../domain/network.js';
import type { ProfileName } from '../../domain/profiles.js';
import { indexTargetEntries, oneToMany, RowScratch, type BucketPlan, type OneToManyResult, type RowGraph, type TargetEntries } from '../../domain/search/one-to-many.js';

export interface SharedRowGraph extends RowGraph {
  readonly arcLengthM: Float64Array;
  readonly treeParent: Int32Array;
}

export interface RowJobMessage {
  readonly id: number;
  readonly profile: ProfileName;
  readonly weights: Float64Array;
  readonly plan: BucketPlan;
  readonly sources: readonly RowSource[];
  readonly targets: Pick<TargetEntries, 'first' | 'nodes' | 'costs' | 'lengths'>;
}

export interface RowResultMessage {
  readonly id: number;
  readonly rows: OneToManyResult[];
}

export interface MatrixWorker extends MatrixRowRunner {
  close(): Promise<void>;
}

/** A copy of a typed array in shared memory: posted to the worker without copying again. */
function shared<T extends Float64Array | Int32Array | Uint32Array>(array: T): T {
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => T;
  const copy = new Ctor(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

function sharedGraph(network: ProfileNetwork): SharedRowGraph {
  const { graph } = network;
  return {
    nodeCount: graph.nodeCount,
    firstOut: shared(graph.firstOut),
    arcHead: shared(graph.arcHead),
    arcTail: shared(graph.arcTail),
    arcLengthM: shared(network.arcLengthM),
    treeParent: shared(network.treeParent),
  };
}

/**
 * One worker thread for matrix rows. The graphs are shared once; each weight
 * snapshot is shared on its first matrix (snapshots are immutable, so the
 * worker reads exactly the version the matrix started on). If the worker
 * fails, rows run on the calling thread instead: slower, never wrong.
 */
export function createMatrixWorker(networks: Readonly<Record<ProfileName, ProfileNetwork>>, log: Logger): MatrixWorker {
  const graphs = { road: sharedGraph(networks.road), sidewalk: sharedGraph(networks.sidewalk) };
  const worker = new Worker(new URL('./matrix-worker.js', import.meta.url), { workerData: { graphs } });
  worker.unref();
  const sharedWeights = new WeakMap<Float64Array, Float64Array>();
  const pending = new Map<number, { resolve: (rows: OneToManyResult[]) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  let broken: Error | undefined;
  const fallbackScratch = new Map<ProfileName, RowScratch>();

  const fail = (err: Error) => {
    broken ??= err;
    log.error({ err }, 'matrix worker failed; computing matrix rows on the main thread');
    for (const { reject } of pending.values()) reject(err);
    pending.clear();
  };
  worker.on('message', (reply: RowResultMessage) => {
    pending.get(reply.id)?.resolve(reply.rows);
    pending.delete(reply.id);
  });
  worker.on('error', fail);
  worker.on('exit', (code) => {
    if (!broken) fail(new Error(`matrix worker exited with code ${code}`));
  });

  const runHere = (job: RowJob): OneToManyResult[] => {
    const network = networks[job.profile];
    let scratch = fallbackScratch.get(job.profile);
    if (!scratch) fallbackScratch.set(job.profile, (scratch = new RowScratch(network.graph.nodeCount)));
    const targets = indexTargetEntries(network.graph.nodeCount, job.targets, network.treeParent);
    return job.sources.map((sources) => oneToMany(scratch, network.graph, job.weights, job.plan, sources, targets, network.arcLengthM));
  };

  return {
    async run(job) {
      if (broken) return runHere(job);
      let weights = sharedWeights.get(job.weights);
      if (!weights) sharedWeights.set(job.weights, (weights = shared(job.weights)));
      const { first, nodes, costs, lengths } = job.targets;
      const message: RowJobMessage = { id: nextId++, profile: job.profile, weights, plan: job.plan, sources: job.sources, targets: { first, nodes, costs, lengths } };
      try {
        return await new Promise<OneToManyResult[]>((resolve, reject) => {
          pending.set(message.id, { resolve, reject });
          worker.postMessage(message);
        });
      } catch {
        return runHere(job);
      }
    },
    async close() {
      broken ??= new Error('matrix worker closed');
      await worker.terminate();
    },
  };
}
