/**
 * The connectivity graph (reference 1.5): edge lists expanded to the Cartesian product, stored as
 * an undirected adjacency map, and node names classified.
 */
import type { HardwareConfig } from "./schema.js";

export interface GraphEdge {
  a: string;
  b: string;
  /** JSON pointer of the edge in the input, e.g. "/connectivity/graph/3" */
  pointer: string;
}

export interface ConnectivityGraph {
  edges: GraphEdge[];
  /** node → neighbours in first-seen order, no duplicates */
  adjacency: Map<string, string[]>;
  /** first JSON pointer where each node appears (for error paths) */
  nodePointer: Map<string, string>;
}

export function buildGraph(config: HardwareConfig): ConnectivityGraph {
  const edges: GraphEdge[] = [];
  const adjacency = new Map<string, string[]>();
  const nodePointer = new Map<string, string>();
  const link = (x: string, y: string): void => {
    let list = adjacency.get(x);
    if (!list) adjacency.set(x, (list = []));
    if (!list.includes(y)) list.push(y);
  };
  const g = config.connectivity.graph;
  if (!Array.isArray(g)) {
    // networkx node-link form: every node (isolated ones too, as quantify validates them) and every link
    g.nodes.forEach((n, i) => nodePointer.has(n.id) || nodePointer.set(n.id, `/connectivity/graph/nodes/${i}/id`));
    const key = g.links !== undefined ? "links" : "edges";
    (g.links ?? g.edges ?? []).forEach(({ source: a, target: b }, i) => {
      nodePointer.has(a) || nodePointer.set(a, `/connectivity/graph/${key}/${i}/source`);
      nodePointer.has(b) || nodePointer.set(b, `/connectivity/graph/${key}/${i}/target`);
      edges.push({ a, b, pointer: `/connectivity/graph/${key}/${i}` });
      link(a, b);
      link(b, a);
    });
    return { edges, adjacency, nodePointer };
  }
  g.forEach(([left, right], i) => {
    const lefts = typeof left === "string" ? [left] : left;
    const rights = typeof right === "string" ? [right] : right;
    lefts.forEach(
      (a, j) => nodePointer.has(a) || nodePointer.set(a, pointerOf(i, 0, typeof left === "string" ? null : j)),
    );
    rights.forEach(
      (b, j) => nodePointer.has(b) || nodePointer.set(b, pointerOf(i, 1, typeof right === "string" ? null : j)),
    );
    for (const a of lefts) {
      for (const b of rights) {
        edges.push({ a, b, pointer: `/connectivity/graph/${i}` });
        link(a, b);
        link(b, a);
      }
    }
  });
  return { edges, adjacency, nodePointer };
}

function pointerOf(edge: number, side: 0 | 1, item: number | null): string {
  return `/connectivity/graph/${edge}/${side}` + (item === null ? "" : `/${item}`);
}

/** "cluster0.module3.complex_output_0" split into parts, or null if the node is not of that shape. */
export interface ClusterChannelNode {
  cluster: string;
  slot: number;
  channel: string;
}

const CLUSTER_NODE_RE = /^([^.]+)\.module(\d+)\.([^.]+)$/;

export function parseClusterNode(node: string): ClusterChannelNode | null {
  const m = CLUSTER_NODE_RE.exec(node);
  if (!m) return null;
  return { cluster: m[1]!, slot: Number(m[2]), channel: m[3]! };
}

/** Instrument part of a dotted node ("lo0.output" → "lo0"); null for device ports ("q0:mw"). */
export function instrumentOf(node: string): string | null {
  const dot = node.indexOf(".");
  return dot < 0 ? null : node.slice(0, dot);
}

/** A device port is a node without "." (and, once validated, with ":"). */
export function isDevicePort(node: string): boolean {
  return !node.includes(".");
}
