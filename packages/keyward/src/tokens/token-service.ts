// The token tree as a service (DESIGN.md "Tokens and policy"): a root per account, children that
// only narrow their parent's policy, subtree revocation in one statement, and verification that
// checks the token and every ancestor. Policies are opaque here: the composition root passes in
// the policy module's subset check, so tokens/ stays independent of policy/.
import { isTokenShaped } from '@keyward/protocol/token-format';
import { KeywardError } from '@keyward/protocol/errors';
import { equal, randomBytes, type HmacKey } from '../crypto/index.js';
import type { TokenRepo, TokenRow } from '../store/index.js';
import { generateToken, hashToken } from './token-id.js';
import { subtreeOf } from './token-tree.js';

/** The root's policy: everything a policy can grant. Never handed to a bot. */
export const ROOT_POLICY = 'root';

export interface TokenServiceDeps {
  readonly tokens: TokenRepo;
  /** Needed to issue and verify; listing and revoking work without it (no password needed). */
  readonly hashKey: HmacKey | null;
  readonly now: () => number;
  /** Whether `child` grants nothing that `parent` does not; `parent` may be ROOT_POLICY. */
  readonly isSubset: (child: unknown, parent: unknown) => { ok: true } | { ok: false; reasons: string[] };
  /**
   * The store's change stamp (`Store.changeStamp`): while it stays the same, token rows read
   * before are still current and verification answers from memory. null or absent: no cache.
   */
  readonly changeStamp?: () => unknown;
}

export interface IssueInput {
  readonly accountId: string;
  /** Default: the account's root. */
  readonly parent?: string;
  readonly label: string;
  readonly policy: unknown;
  readonly expiresAt?: number | null;
  readonly uses?: number | null;
}

/** `chain`: the token, then each ancestor up to (not including) the root. */
export type Verified = { ok: true; token: TokenRow; chain: TokenRow[] } | { ok: false; code: 'KW_TOKEN_INVALID' | 'KW_TOKEN_REVOKED' | 'KW_TOKEN_EXPIRED' | 'KW_TOKEN_EXHAUSTED' };

export function parseStoredPolicy(row: TokenRow): unknown {
  return row.policy === ROOT_POLICY ? ROOT_POLICY : JSON.parse(row.policy) as unknown;
}

/**
 * A token's walk up to the root, as far as the stored rows decide it: every row visited (the token
 * first), and how the walk ended. Expiry and revocation are read from these rows at each
 * verification, so a walk stays valid for as long as the rows do.
 */
interface Walk {
  readonly row: TokenRow;
  readonly levels: readonly TokenRow[];
  /** 'root': reached a row with no parent; 'invalid': a loop or another account's row; 'orphan': a parent row is missing. */
  readonly end: 'root' | 'invalid' | 'orphan';
  /** The levels that are not the root, for Verified.chain. */
  readonly chain: TokenRow[];
}

type Reads = Pick<TokenRepo, 'findByHash' | 'findByAccessor'>;

async function walkFrom(row: TokenRow, reads: Reads): Promise<Walk> {
  // Iterative, one lookup per level (trees are shallow); a loop in the links ends the walk.
  const seen = new Set<string>();
  const levels: TokenRow[] = [];
  let end: Walk['end'] = 'root';
  for (let t: TokenRow | undefined = row; ;) {
    if (seen.has(t.accessor) || t.accountId !== row.accountId) {
      end = 'invalid';
      break;
    }
    seen.add(t.accessor);
    levels.push(t);
    if (t.parentAccessor === null) break;
    t = await reads.findByAccessor(t.parentAccessor);
    if (t === undefined) {
      end = 'orphan';
      break;
    }
  }
  return { row, levels, end, chain: levels.filter((t) => t.policy !== ROOT_POLICY) };
}

/**
 * Walks by token hash, remembered while the store's change stamp does not move: any insert,
 * update or delete of a token row, by any process, moves it (a trigger), so a revocation is seen
 * at the next verification. Without a stamp nothing is remembered.
 */
function createWalks(repo: Reads, changeStamp: (() => unknown) | undefined): (hash: Buffer) => Promise<Walk | undefined> {
  const uncached = async (hash: Buffer): Promise<Walk | undefined> => {
    const row = await repo.findByHash(hash);
    return row === undefined ? undefined : walkFrom(row, repo);
  };
  if (changeStamp === undefined) return uncached;
  let stamp: unknown = Symbol('never');
  const walks = new Map<string, Walk | undefined>();
  return async (hash) => {
    const now = changeStamp();
    if (now === null || now === undefined) return uncached(hash);
    if (now !== stamp) {
      walks.clear();
      stamp = now;
    }
    const key = hash.toString('hex');
    const known = walks.get(key);
    if (known !== undefined || walks.has(key)) return known;
    const walk = await uncached(hash);
    // The rows may have changed while they were read: remember the walk only if nothing moved.
    if (changeStamp() === stamp) {
      if (walks.size > 10_000) walks.clear();
      walks.set(key, walk);
    }
    return walk;
  };
}

export function createTokenService(deps: TokenServiceDeps) {
  const { tokens, now } = deps;
  const walkOf = createWalks(tokens, deps.changeStamp);
  const hashKey = (): HmacKey => {
    if (deps.hashKey === null) throw new KeywardError('KW_VAULT_LOCKED', 'Issuing and verifying tokens needs the vault unlocked.');
    return deps.hashKey;
  };

  const isLive = (row: TokenRow, at: number): boolean => row.revokedAt === null && (row.expiresAt === null || row.expiresAt > at);

  async function root(accountId: string): Promise<TokenRow> {
    // After break-glass (the root revoked with everything under it) a new root starts a new tree:
    // the revoked tokens stay revoked, and new ones can be issued.
    const existing = (await tokens.list(accountId)).find((t) => t.parentAccessor === null && t.policy === ROOT_POLICY && t.revokedAt === null);
    if (existing !== undefined) return existing;
    const { accessor } = generateToken();
    // The root has no token at all: the owner acts through their password. Its hash is random
    // bytes that no token can hash to.
    const row: TokenRow = {
      accessor, accountId, parentAccessor: null, hash: randomBytes(32), label: 'root', policy: ROOT_POLICY,
      createdAt: now(), expiresAt: null, usesLeft: null, revokedAt: null,
    };
    await tokens.insert(row);
    return row;
  }

  async function owned(accountId: string, accessor: string): Promise<TokenRow> {
    const row = await tokens.findByAccessor(accessor);
    if (row === undefined || row.accountId !== accountId) throw new KeywardError('KW_TOKEN_NOT_FOUND', `No token ${accessor.slice(0, 40)}.`);
    return row;
  }

  return {
    root,

    async issue(input: IssueInput): Promise<{ token: string; row: TokenRow }> {
      const at = now();
      const parent = input.parent === undefined ? await root(input.accountId) : await owned(input.accountId, input.parent);
      if (!isLive(parent, at)) throw new KeywardError('KW_TOKEN_REVOKED', 'The parent token is revoked or expired; it cannot issue tokens.');
      if (parent.usesLeft !== null) throw new KeywardError('KW_TOKEN_USE_LIMITED');
      const check = deps.isSubset(input.policy, parseStoredPolicy(parent));
      if (!check.ok) throw new KeywardError('KW_TOKEN_POLICY_NOT_SUBSET', `A token can only narrow its parent's policy: ${check.reasons.join('; ')}.`);
      const expiresAt = input.expiresAt ?? null;
      if (parent.expiresAt !== null && (expiresAt === null || expiresAt > parent.expiresAt)) {
        throw new KeywardError('KW_TOKEN_POLICY_NOT_SUBSET', 'A token cannot outlive its parent.');
      }
      if (input.uses !== undefined && input.uses !== null && (!Number.isSafeInteger(input.uses) || input.uses < 1)) {
        throw new KeywardError('KW_INPUT_INVALID', 'A use limit must be a whole number of at least 1.');
      }
      const { token, accessor } = generateToken();
      const row: TokenRow = {
        accessor, accountId: input.accountId, parentAccessor: parent.accessor, hash: hashToken(hashKey(), token),
        label: input.label, policy: JSON.stringify(input.policy), createdAt: at, expiresAt, usesLeft: input.uses ?? null, revokedAt: null,
      };
      await tokens.insert(row);
      return { token, row };
    },

    /** Checks a presented token; takes one use of a use-limited token. */
    /** `consume: false`: a check that sends nothing (an order preview) takes no use of a use-limited token. */
    async verify(presented: string, options: { readonly consume?: boolean } = {}): Promise<Verified> {
      if (!isTokenShaped(presented)) return { ok: false, code: 'KW_TOKEN_INVALID' };
      const hash = hashToken(hashKey(), presented);
      const walk = await walkOf(hash);
      const row = walk?.row;
      // The lookup is by hash; the comparison that decides is constant-time.
      if (walk === undefined || row === undefined || !equal(row.hash, hash) || row.policy === ROOT_POLICY) return { ok: false, code: 'KW_TOKEN_INVALID' };
      const at = now();
      // The token and every ancestor, in order: a revoked or expired one ends it.
      for (const t of walk.levels) {
        if (t.revokedAt !== null) return { ok: false, code: 'KW_TOKEN_REVOKED' };
        if (t.expiresAt !== null && t.expiresAt <= at) return { ok: false, code: 'KW_TOKEN_EXPIRED' };
      }
      if (walk.end === 'orphan') return { ok: false, code: 'KW_TOKEN_REVOKED' };
      if (walk.end === 'invalid') return { ok: false, code: 'KW_TOKEN_INVALID' };
      // A use limit is set at issue and never changes: unlimited tokens need no write per request.
      if (row.usesLeft !== null) {
        const left = options.consume === false ? row.usesLeft > 0 : await tokens.consumeUse(row.accessor);
        if (!left) return { ok: false, code: 'KW_TOKEN_EXHAUSTED' };
      }
      // The policy stays text here: the gateway parses each stored policy once and keeps it
      // (parseStoredPolicy reads one).
      return { ok: true, token: row, chain: [...walk.chain] };
    },

    /** Revokes a token and its whole subtree; returns how many tokens were newly revoked. */
    async revoke(accountId: string, accessor: string): Promise<number> {
      await owned(accountId, accessor);
      return tokens.revoke(subtreeOf(accessor, await tokens.list(accountId)), now());
    },

    /** Revokes the root: every token of the account. */
    async revokeAll(accountId: string): Promise<number> {
      return tokens.revoke(subtreeOf((await root(accountId)).accessor, await tokens.list(accountId)), now());
    },

    async list(accountId: string): Promise<TokenRow[]> {
      return (await tokens.list(accountId)).filter((t) => t.policy !== ROOT_POLICY);
    },
  };
}

export type TokenService = ReturnType<typeof createTokenService>;
