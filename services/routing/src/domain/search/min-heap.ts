/**
 * A binary min-heap of node ids keyed by float, with decrease-key through a
 * position table. Sized once per graph and reused: clear() only touches what
 * is still queued.
 */
export class NodeHeap {
  private readonly nodes: Int32Array;
  private readonly keys: Float64Array;
  /** Heap slot of each node, -1 when not queued. */
  private readonly position: Int32Array;
  size = 0;

  constructor(capacity: number) {
    this.nodes = new Int32Array(capacity);
    this.keys = new Float64Array(capacity);
    this.position = new Int32Array(capacity).fill(-1);
  }

  clear(): void {
    for (let i = 0; i < this.size; i++) this.position[this.nodes[i]!] = -1;
    this.size = 0;
  }

  minKey(): number {
    return this.size > 0 ? this.keys[0]! : Infinity;
  }

  /** Insert, or lower the key of a queued node. */
  push(node: number, key: number): void {
    let slot = this.position[node]!;
    if (slot === -1) {
      slot = this.size++;
    } else if (key >= this.keys[slot]!) {
      return;
    }
    this.siftUp(slot, node, key);
  }

  pop(): number {
    const top = this.nodes[0]!;
    this.position[top] = -1;
    const last = --this.size;
    if (last > 0) this.siftDown(0, this.nodes[last]!, this.keys[last]!);
    return top;
  }

  private siftUp(slot: number, node: number, key: number): void {
    const { nodes, keys, position } = this;
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      const parentKey = keys[parent]!;
      if (parentKey <= key) break;
      const parentNode = nodes[parent]!;
      nodes[slot] = parentNode;
      keys[slot] = parentKey;
      position[parentNode] = slot;
      slot = parent;
    }
    nodes[slot] = node;
    keys[slot] = key;
    position[node] = slot;
  }

  private siftDown(slot: number, node: number, key: number): void {
    const { nodes, keys, position, size } = this;
    for (;;) {
      let child = 2 * slot + 1;
      if (child >= size) break;
      const right = child + 1;
      if (right < size && keys[right]! < keys[child]!) child = right;
      const childKey = keys[child]!;
      if (childKey >= key) break;
      const childNode = nodes[child]!;
      nodes[slot] = childNode;
      keys[slot] = childKey;
      position[childNode] = slot;
      slot = child;
    }
    nodes[slot] = node;
    keys[slot] = key;
    position[node] = slot;
  }
}
