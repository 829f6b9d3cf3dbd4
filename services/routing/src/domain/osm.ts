/** What routing keeps of an OpenStreetMap extract. */
export interface OsmNodes {
  /** Sorted ascending, so a way's node refs resolve by binary search. */
  readonly ids: Float64Array;
  readonly lats: Float64Array;
  readonly lons: Float64Array;
}

export interface OsmWay {
  readonly id: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly refs: Float64Array;
}

export interface OsmRestriction {
  readonly id: number;
  readonly tags: Readonly<Record<string, string>>;
  readonly members: ReadonlyArray<{ type: 'node' | 'way' | 'relation'; ref: number; role: string }>;
}

export interface OsmExtract {
  readonly nodes: OsmNodes;
  readonly ways: readonly OsmWay[];
  readonly restrictions: readonly OsmRestriction[];
}

/** Index of a node id in the sorted node table, or -1 when the file does not hold it. */
export function findNode(nodes: OsmNodes, id: number): number {
  const ids = nodes.ids;
  let lo = 0;
  let hi = ids.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const value = ids[mid]!;
    if (value === id) return mid;
    if (value < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return -1;
}
