import { parentPort, workerData } from 'node:worker_threads';
import type { ProfileName } from '../../domain/profiles.js';
import { indexTargetEntries, oneToMany, RowScratch } from '../../domain/search/one-to-many.js';
import type { RowJobMessage, RowResultMessage, SharedRowGraph } from './matrix-rows.js';

/**
 * Matrix rows on a second thread. Arrays arrive in shared memory; the hot loop
 * runs measurably slower on SharedArrayBuffer-backed arrays, so the worker keeps
 * private copies: the graphs once, each weight snapshot on first use.
 */
const local = <T extends Float64Array | Int32Array | Uint32Array>(array: T): T => array.slice() as T;
const sharedGraphs = (workerData as { graphs: Record<ProfileName, SharedRowGraph> }).graphs;
const graphs = {} as Record<ProfileName, SharedRowGraph>;
for (const profile of ['road', 'sidewalk'] as const) {
  const g = sharedGraphs[profile];
  graphs[profile] = {
    nodeCount: g.nodeCount,
    firstOut: local(g.firstOut),
    arcHead: local(g.arcHead),
    arcTail: local(g.arcTail),
    arcLengthM: local(g.arcLengthM),
    treeParent: local(g.treeParent),
  };
}
const scratches = new Map<ProfileName, RowScratch>();
let lastWeights: { shared: Float64Array; copy: Float64Array } | undefined;

parentPort!.on('message', (job: RowJobMessage) => {
  const graph = graphs[job.profile];
  let scratch = scratches.get(job.profile);
  if (!scratch) scratches.set(job.profile, (scratch = new RowScratch(graph.nodeCount)));
  // Snapshots are immutable, so one copy per shared weight array serves every job on it.
  if (lastWeights?.shared.buffer !== job.weights.buffer) lastWeights = { shared: job.weights, copy: job.weights.slice() };
  const weights = lastWeights.copy;
  const targets = indexTargetEntries(graph.nodeCount, job.targets, graph.treeParent);
  const rows = job.sources.map((sources) => oneToMany(scratch, graph, weights, job.plan, sources, targets, graph.arcLengthM));
  const reply: RowResultMessage = { id: job.id, rows };
  parentPort!.postMessage(reply, rows.flatMap((row) => [row.durations.buffer as ArrayBuffer, row.distances.buffer as ArrayBuffer]));
});
