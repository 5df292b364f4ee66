// The flat token list (each with its parent's accessor) as a tree. The account's root token is not
// shown: its children are the top level. A token whose parent is missing from the list is shown at
// the top rather than dropped, and a cycle (which the server never makes) cannot loop: each token
// is placed once.
import type { TokenView } from '../../api/security.js';

export interface TokenNode {
  readonly token: TokenView;
  readonly depth: number;
  readonly children: TokenNode[];
}

export function buildTokenTree(tokens: readonly TokenView[]): TokenNode[] {
  const byAccessor = new Map(tokens.map((t) => [t.accessor, t]));
  const children = new Map<string, TokenView[]>();
  const top: TokenView[] = [];
  for (const t of tokens) {
    if (t.policy === 'root') continue;
    const parent = t.parent === null ? undefined : byAccessor.get(t.parent);
    if (parent === undefined || parent.policy === 'root' || parent.accessor === t.accessor) top.push(t);
    else children.set(parent.accessor, [...(children.get(parent.accessor) ?? []), t]);
  }
  const placed = new Set<string>();
  const build = (t: TokenView, depth: number): TokenNode => {
    placed.add(t.accessor);
    const kids = (children.get(t.accessor) ?? []).filter((c) => !placed.has(c.accessor));
    for (const c of kids) placed.add(c.accessor);
    return { token: t, depth, children: kids.sort(byCreation).map((c) => build(c, depth + 1)) };
  };
  const roots = top.sort(byCreation).map((t) => build(t, 0));
  // Tokens only reachable through a cycle: shown at the top level, once each.
  for (const t of tokens) if (t.policy !== 'root' && !placed.has(t.accessor)) roots.push(build(t, 0));
  return roots;
}

const byCreation = (a: TokenView, b: TokenView): number => a.createdAt - b.createdAt || a.accessor.localeCompare(b.accessor);

/** Depth-first, parents before children: the order the tree is drawn in. */
export function flattenTree(nodes: readonly TokenNode[]): TokenNode[] {
  const out: TokenNode[] = [];
  const stack = [...nodes].reverse();
  while (stack.length > 0) {
    const n = stack.pop() as TokenNode;
    out.push(n);
    for (let i = n.children.length - 1; i >= 0; i--) stack.push(n.children[i] as TokenNode);
  }
  return out;
}

/** How many live tokens a revoke of `node` ends: itself and every live token under it. */
export function liveInSubtree(node: TokenNode): number {
  return flattenTree([node]).filter((n) => n.token.revokedAt === null).length;
}
