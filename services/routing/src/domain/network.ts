import { Hierarchy } from './cch/hierarchy.js';
import { buildTopology, type CchTopology } from './cch/topology.js';
import { freeFlowArcWeights, type RoadGraph } from './graph.js';
import { deadEndTrees } from './search/dead-ends.js';
import { computeLandmarks, type Landmarks } from './search/landmarks.js';
import { RowScratch } from './search/one-to-many.js';
import { SearchSpace } from './search/shortest-path.js';
import { SnapIndex } from './snapping.js';

/** Everything one profile needs to answer queries: graph, landmarks, spatial index, scratch memory. */
export interface ProfileNetwork {
  readonly graph: RoadGraph;
  readonly landmarks: Landmarks;
  readonly snap: SnapIndex;
  readonly space: SearchSpace;
  /** Free-flow weight of every arc (seconds): the floor live weights never go below. */
  readonly freeFlow: Float64Array;
  readonly arcLengthM: Float64Array;
  /** Dead-end trees (see deadEndTrees): matrix rows skip those without targets. */
  readonly treeParent: Int32Array;
  readonly rowScratch: RowScratch;
  /** The customizable contraction hierarchy: what routes and matrices search by default. */
  readonly hierarchy: Hierarchy;
}

export const DEFAULT_LANDMARK_COUNT = 16;

/** Prepares a graph for queries; landmarks and topology are computed unless given (from the cache). */
export function prepareNetwork(graph: RoadGraph, landmarks?: Landmarks, topology?: CchTopology): ProfileNetwork {
  const freeFlow = freeFlowArcWeights(graph);
  const arcLengthM = new Float64Array(graph.arcCount);
  for (let arc = 0; arc < graph.arcCount; arc++) arcLengthM[arc] = graph.edgeLengthM[graph.arcEdge[arc]!]!;
  return {
    graph,
    landmarks: landmarks ?? computeLandmarks(graph, freeFlow, DEFAULT_LANDMARK_COUNT),
    snap: new SnapIndex(graph),
    space: new SearchSpace(graph),
    freeFlow,
    arcLengthM,
    treeParent: deadEndTrees(graph),
    rowScratch: new RowScratch(graph.nodeCount),
    hierarchy: new Hierarchy(topology ?? buildTopology(graph), arcLengthM),
  };
}
