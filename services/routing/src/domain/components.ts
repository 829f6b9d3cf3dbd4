/**
 * The largest strongly connected component of a directed graph given as arc
 * lists: every node in it can reach every other, so any two snapped points
 * have a route. Iterative Tarjan (no recursion: city graphs are deep).
 */
export function largestStronglyConnected(nodeCount: number, arcTail: ArrayLike<number>, arcHead: ArrayLike<number>): Uint8Array {
  const { firstOut, heads } = adjacency(nodeCount, arcTail, arcHead);
  const index = new Int32Array(nodeCount).fill(-1);
  const low = new Int32Array(nodeCount);
  const component = new Int32Array(nodeCount).fill(-1);
  const onStack = new Uint8Array(nodeCount);
  const stack = new Int32Array(nodeCount);
  const callNode = new Int32Array(nodeCount);
  const callArc = new Int32Array(nodeCount);
  const sizes: number[] = [];
  let stackTop = 0;
  let counter = 0;

  for (let root = 0; root < nodeCount; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callNode[0] = root;
    callArc[0] = firstOut[root]!;
    index[root] = low[root] = counter++;
    stack[stackTop++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callNode[depth]!;
      const arc = callArc[depth]!;
      if (arc < firstOut[v + 1]!) {
        callArc[depth] = arc + 1;
        const w = heads[arc]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[stackTop++] = w;
          onStack[w] = 1;
          depth++;
          callNode[depth] = w;
          callArc[depth] = firstOut[w]!;
        } else if (onStack[w]) {
          low[v] = Math.min(low[v]!, index[w]!);
        }
        continue;
      }
      if (low[v] === index[v]) {
        const id = sizes.length;
        let size = 0;
        let w: number;
        do {
          w = stack[--stackTop]!;
          onStack[w] = 0;
          component[w] = id;
          size++;
        } while (w !== v);
        sizes.push(size);
      }
      depth--;
      if (depth >= 0) {
        const parent = callNode[depth]!;
        low[parent] = Math.min(low[parent]!, low[v]!);
      }
    }
  }
  let largest = 0;
  for (let c = 1; c < sizes.length; c++) if (sizes[c]! > sizes[largest]!) largest = c;
  const keep = new Uint8Array(nodeCount);
  for (let v = 0; v < nodeCount; v++) keep[v] = component[v] === largest ? 1 : 0;
  return keep;
}

function adjacency(nodeCount: number, arcTail: ArrayLike<number>, arcHead: ArrayLike<number>) {
  const firstOut = new Uint32Array(nodeCount + 1);
  for (let a = 0; a < arcTail.length; a++) firstOut[arcTail[a]! + 1]!++;
  for (let v = 0; v < nodeCount; v++) firstOut[v + 1]! += firstOut[v]!;
  const fill = firstOut.slice(0, nodeCount);
  const heads = new Uint32Array(arcTail.length);
  for (let a = 0; a < arcTail.length; a++) heads[fill[arcTail[a]!]!++] = arcHead[a]!;
  return { firstOut, heads };
}
