// The token tree, walked without recursion and without trusting stored parent links: a cycle
// (an edited database, a bug) must not hang the walk or hide a token from revocation.

export interface TreeNode {
  readonly accessor: string;
  readonly parentAccessor: string | null;
}

/** The accessor and every descendant, breadth first; each node once even if links form a cycle. */
export function subtreeOf(root: string, nodes: readonly TreeNode[]): string[] {
  const children = new Map<string, string[]>();
  for (const n of nodes) {
    if (n.parentAccessor === null) continue;
    children.set(n.parentAccessor, [...(children.get(n.parentAccessor) ?? []), n.accessor]);
  }
  const seen = new Set<string>([root]);
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    for (const c of children.get(queue[i] ?? '') ?? []) {
      if (!seen.has(c)) {
        seen.add(c);
        queue.push(c);
      }
    }
  }
  return queue;
}

/** The chain from a token up to its root; `cycle` when a parent link loops back. */
export function ancestorsOf(accessor: string, parentOf: (a: string) => string | null | undefined): { chain: string[]; cycle: boolean } {
  const chain = [accessor];
  const seen = new Set(chain);
  let current: string | null | undefined = parentOf(accessor);
  while (current !== null && current !== undefined) {
    if (seen.has(current)) return { chain, cycle: true };
    seen.add(current);
    chain.push(current);
    current = parentOf(current);
  }
  return { chain, cycle: false };
}
