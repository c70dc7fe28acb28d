import type { Manifest, ManifestNode } from '../manifest/types';

export interface LayerOptions {
  /**
   * true (default): a member's in-set parents are the members it depends on through any path, also through nodes
   * outside the set, the way dbt's `get_subset_graph` keeps transitive edges when it queues a selection.
   * false: only members that are its direct parents.
   */
  transitive?: boolean;
}

const cache = new WeakMap<Manifest, DbtGraph>();

/**
 * The dependency graph of a manifest's enabled members (what dbt's linker builds and its selector walks), with
 * dbt's traversal semantics. Nodes are numbered once; adjacency is kept in flat arrays so that walks over a
 * 20,000-node project stay linear.
 */
export class DbtGraph {
  /** The graph of a manifest, built once per manifest object. */
  static of(manifest: Manifest): DbtGraph {
    let graph = cache.get(manifest);
    if (!graph) {
      graph = new DbtGraph(manifest);
      cache.set(manifest, graph);
    }
    return graph;
  }

  readonly manifest: Manifest;
  private readonly ids: string[];
  private readonly nodeList: ManifestNode[];
  private readonly indexById = new Map<string, number>();
  private readonly parentStart: Int32Array;
  private readonly parentList: Int32Array;
  private readonly childStart: Int32Array;
  private readonly childList: Int32Array;
  private topo: { order: Int32Array; rank: Int32Array } | null = null;
  private readonly indexes = new Map<string, ReadonlyMap<string, readonly number[]>>();
  private readonly memos = new Map<string, unknown>();

  constructor(manifest: Manifest) {
    this.manifest = manifest;
    this.nodeList = [...manifest.nodes.values()];
    this.ids = this.nodeList.map((n) => n.uniqueId);
    this.ids.forEach((id, i) => this.indexById.set(id, i));
    const n = this.ids.length;

    const parentsOf: number[][] = new Array<number[]>(n);
    let edges = 0;
    for (let i = 0; i < n; i++) {
      const listed = manifest.parentMap.get(this.ids[i]!) ?? this.nodeList[i]!.dependsOn;
      const seen = new Set<number>();
      for (const p of listed) {
        const j = this.indexById.get(p);
        if (j !== undefined && j !== i) seen.add(j);
      }
      parentsOf[i] = [...seen];
      edges += seen.size;
    }
    this.parentStart = new Int32Array(n + 1);
    this.parentList = new Int32Array(edges);
    const childCount = new Int32Array(n);
    let k = 0;
    for (let i = 0; i < n; i++) {
      this.parentStart[i] = k;
      for (const p of parentsOf[i]!) {
        this.parentList[k++] = p;
        childCount[p]!++;
      }
    }
    this.parentStart[n] = k;
    this.childStart = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) this.childStart[i + 1] = this.childStart[i]! + childCount[i]!;
    this.childList = new Int32Array(edges);
    const fill = this.childStart.slice(0, n);
    for (let i = 0; i < n; i++) {
      for (let e = this.parentStart[i]!; e < this.parentStart[i + 1]!; e++) this.childList[fill[this.parentList[e]!]!++] = i;
    }
  }

  /** Number of graph members. */
  get size(): number {
    return this.ids.length;
  }

  has(id: string): boolean {
    return this.indexById.has(id);
  }

  node(id: string): ManifestNode | undefined {
    const i = this.indexById.get(id);
    return i === undefined ? undefined : this.nodeList[i];
  }

  /** Unique ids of the members a node depends on directly. */
  parents(id: string): string[] {
    return Array.from(this.parentIndices(this.require(id)), (i) => this.ids[i]!);
  }

  /** Unique ids of the members that depend directly on a node. */
  children(id: string): string[] {
    return Array.from(this.childIndices(this.require(id)), (i) => this.ids[i]!);
  }

  /**
   * Everything upstream of the given nodes, at most `maxDepth` edges away (unlimited when undefined), as dbt's
   * `select_parents` computes it: the union of a depth-limited breadth-first search from each node (networkx
   * `bfs_edges`), so a start node is included only when it is upstream of another start node. A depth of 0 yields
   * nothing, as networkx 3.2+ does.
   */
  ancestors(ids: string | Iterable<string>, maxDepth?: number): Set<string> {
    return this.toIds(this.reach(this.requireAll(ids), maxDepth, true));
  }

  /** Everything downstream of the given nodes; the mirror of `ancestors` (dbt's `select_children`). */
  descendants(ids: string | Iterable<string>, maxDepth?: number): Set<string> {
    return this.toIds(this.reach(this.requireAll(ids), maxDepth, false));
  }

  /**
   * Every member, parents before children; among nodes that are free to go next the smallest unique id goes
   * first, so the order depends only on the graph. Throws if the manifest has a dependency cycle.
   */
  topologicalOrder(): string[] {
    return Array.from(this.topology().order, (i) => this.ids[i]!);
  }

  /**
   * Splits a set of nodes into layers by their lineage within the set: layer 0 holds the members with no parent in
   * the set, layer k those whose in-set parents are all in layers below k (and at least one in layer k-1). Running
   * the layers in order runs every member after everything in the set it depends on. Each layer is sorted.
   */
  layers(ids: Iterable<string>, options: LayerOptions = {}): string[][] {
    const members = this.requireAll(ids);
    if (members.size === 0) return [];
    const transitive = options.transitive ?? true;
    const scope = transitive ? new Set([...members, ...this.reach(members, undefined, true)]) : members;
    const { rank } = this.topology();
    const ordered = [...scope].sort((a, b) => rank[a]! - rank[b]!);
    const height = new Map<number, number>();
    const layers: string[][] = [];
    for (const v of ordered) {
      let top = -1;
      for (const p of this.parentIndices(v)) {
        const h = height.get(p);
        if (h !== undefined && h > top) top = h;
      }
      if (members.has(v)) {
        height.set(v, top + 1);
        (layers[top + 1] ??= []).push(this.ids[v]!);
      } else {
        height.set(v, top);
      }
    }
    for (const layer of layers) layer.sort(compareIds);
    return layers;
  }

  // --- index-level access, for the selector ---------------------------------------------------------------------

  indexOf(id: string): number {
    return this.indexById.get(id) ?? -1;
  }

  idAt(i: number): string {
    return this.ids[i]!;
  }

  nodeAt(i: number): ManifestNode {
    return this.nodeList[i]!;
  }

  parentIndices(i: number): Int32Array {
    return this.parentList.subarray(this.parentStart[i], this.parentStart[i + 1]);
  }

  childIndices(i: number): Int32Array {
    return this.childList.subarray(this.childStart[i], this.childStart[i + 1]);
  }

  /**
   * Nodes reachable from `starts` (upstream when `up`) in 1..maxDepth edges. One breadth-first search from all
   * starts at once gives each node's distance from the nearest start, which is the union of dbt's per-node
   * searches; a start node belongs in that union only if another start reaches it, which is checked last.
   */
  reach(starts: Iterable<number>, maxDepth: number | undefined, up: boolean): Set<number> {
    const result = new Set<number>();
    const limit = maxDepth ?? Infinity;
    if (limit <= 0) return result;
    const next = up ? this.parentStart : this.childStart;
    const nextList = up ? this.parentList : this.childList;
    const back = up ? this.childStart : this.parentStart;
    const backList = up ? this.childList : this.parentList;
    const dist = new Int32Array(this.ids.length).fill(-1);
    const queue: number[] = [];
    for (const s of starts) {
      if (dist[s] === -1) {
        dist[s] = 0;
        queue.push(s);
      }
    }
    const startCount = queue.length;
    for (let q = 0; q < queue.length; q++) {
      const u = queue[q]!;
      const d = dist[u]!;
      if (d >= limit) continue;
      for (let e = next[u]!; e < next[u + 1]!; e++) {
        const v = nextList[e]!;
        if (dist[v] === -1) {
          dist[v] = d + 1;
          result.add(v);
          queue.push(v);
        }
      }
    }
    for (let q = 0; q < startCount; q++) {
      const s = queue[q]!;
      for (let e = back[s]!; e < back[s + 1]!; e++) {
        const d = dist[backList[e]!]!;
        if (d !== -1 && d + 1 <= limit) {
          result.add(s);
          break;
        }
      }
    }
    return result;
  }

  /**
   * A lookup from key to node indices, built on first use and kept for the graph's lifetime. Selector methods use
   * it to find nodes by tag, name, package... without scanning every node for every criterion.
   */
  index(name: string, keysOf: (node: ManifestNode) => Iterable<string>): ReadonlyMap<string, readonly number[]> {
    let index = this.indexes.get(name);
    if (!index) {
      const built = new Map<string, number[]>();
      this.nodeList.forEach((node, i) => {
        for (const key of keysOf(node)) {
          const list = built.get(key);
          if (list === undefined) built.set(key, [i]);
          else if (list[list.length - 1] !== i) list.push(i);
        }
      });
      index = built;
      this.indexes.set(name, index);
    }
    return index;
  }

  /** A value derived from the whole graph, computed on first use and kept. */
  memo<T>(name: string, compute: () => T): T {
    if (!this.memos.has(name)) this.memos.set(name, compute());
    return this.memos.get(name) as T;
  }

  toIds(indices: Iterable<number>): Set<string> {
    const out = new Set<string>();
    for (const i of indices) out.add(this.ids[i]!);
    return out;
  }

  private topology(): { order: Int32Array; rank: Int32Array } {
    if (this.topo) return this.topo;
    const n = this.ids.length;
    const byId = Array.from({ length: n }, (_, i) => i).sort((a, b) => compareIds(this.ids[a]!, this.ids[b]!));
    const idRank = new Int32Array(n);
    byId.forEach((i, r) => (idRank[i] = r));
    const indegree = new Int32Array(n);
    for (let i = 0; i < n; i++) indegree[i] = this.parentStart[i + 1]! - this.parentStart[i]!;
    const heap = new MinHeap((a, b) => idRank[a]! - idRank[b]!);
    for (let i = 0; i < n; i++) if (indegree[i] === 0) heap.push(i);
    const order = new Int32Array(n);
    let k = 0;
    while (heap.size > 0) {
      const u = heap.pop();
      order[k++] = u;
      for (const c of this.childIndices(u)) if (--indegree[c]! === 0) heap.push(c);
    }
    if (k < n) {
      const stuck = byId.filter((i) => indegree[i]! > 0).slice(0, 5).map((i) => this.ids[i]);
      throw new Error(`The manifest's dependency graph has a cycle through ${stuck.join(', ')}`);
    }
    const rank = new Int32Array(n);
    order.forEach((i, r) => (rank[i] = r));
    this.topo = { order, rank };
    return this.topo;
  }

  private require(id: string): number {
    const i = this.indexById.get(id);
    if (i === undefined) throw new Error(`'${id}' is not a node of this manifest's graph`);
    return i;
  }

  private requireAll(ids: string | Iterable<string>): Set<number> {
    const out = new Set<number>();
    for (const id of typeof ids === 'string' ? [ids] : ids) out.add(this.require(id));
    return out;
  }
}

/** Unique ids in the order dbt's `sorted()` gives (code unit order; ids are ASCII in practice). */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

class MinHeap {
  private readonly items: number[] = [];
  constructor(private readonly less: (a: number, b: number) => number) {}

  get size(): number {
    return this.items.length;
  }

  push(x: number): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.less(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }

  pop(): number {
    const a = this.items;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && this.less(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}
